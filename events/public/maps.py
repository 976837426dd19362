"""The map of the region with the places of the meetings in view, drawn on the server as SVG.

No tile server and no request to anyone else: the country outlines are Natural Earth's (public
domain), clipped to the Western Balkans and their neighbours, projected and simplified once by
`manage.py buildregionmap` into events/data/region-map.json; city positions come from the venue's
own coordinates, else from the shipped gazetteer (events/data/gazetteer.json, GeoNames, CC BY 4.0).

What a map shows for a set of meetings is read in one grouped query (places and counts of the
public meetings) and the map's HTML is rendered once per language, filter and data version
(events.cache.fragments.rendered_once), so a page the page cache has not seen costs that one query.
"""

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Exists, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language

from events import search
from events.cache.fragments import process_local, rendered_once
from events.filters import MeetingFilter
from events.models import Country, Meeting
from events.public.views import HOME_RECENT_PAST_LIMIT, HOME_TO_BE_CONFIRMED_LIMIT, HOME_UPCOMING_LIMIT
from meetings_site.languages import city_name, territory_name

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARIES_FILE = DATA_DIR / "region-map.json"
GAZETTEER_FILE = DATA_DIR / "gazetteer.json"

# The area drawn, in degrees: the Western Balkans and their neighbours.
WEST, EAST, SOUTH, NORTH = 12.5, 24.5, 39.0, 47.5
# Equirectangular, its east-west scale shrunk by the cosine of the middle latitude: at this size,
# shapes and distances read right, and a point is placed with two multiplications.
MIDDLE_LATITUDE = (SOUTH + NORTH) / 2
WIDTH = 1000
SCALE = WIDTH / ((EAST - WEST) * math.cos(math.radians(MIDDLE_LATITUDE)))
HEIGHT = round((NORTH - SOUTH) * SCALE)
# Marker radius in map units (1 unit is about 1.1 km): a marker's area is in proportion to its
# city's meetings, the busiest city's the largest, none smaller than can be seen and hit.
MARKER_MIN_RADIUS = 8
MARKER_MAX_RADIUS = 30
MARKER_TARGET_RADIUS = 18
# City names are placed where they cover no other name or marker (at the size phones draw them,
# the largest), else left out of the picture: the marker keeps its name for pointer and screen
# reader, and the list under the map names every city.
LABEL_SIZE = 30
LABEL_CHARACTER_WIDTH = 0.6  # of the size, for the site's sans-serif in bold
COUNTRY_LABEL_SIZE = 30
# How much larger phones draw the markers (static/css/pictures.css): names keep clear of them.
PHONE_MARKER_SCALE = 1.5


def project(longitude, latitude):
    """(x, y) in the map's units (its viewBox) of a point given in degrees."""
    x = (longitude - WEST) * math.cos(math.radians(MIDDLE_LATITUDE)) * SCALE
    y = (NORTH - latitude) * SCALE
    return x, y


@functools.cache
def boundaries():
    """The shipped outlines: {"countries": [{"code", "name", "focus", "d", "label": [x, y]}]}."""
    return json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))


@functools.cache
def gazetteer():
    """{country code: {folded city name: [latitude, longitude]}}."""
    return json.loads(GAZETTEER_FILE.read_text(encoding="utf-8"))["places"]


def city_position(names, country_code):
    """(latitude, longitude) of a city named any of names in a country, from the gazetteer, or None.

    Each name is folded as the search folds it (events.search.normalise), then its aliases are tried
    ("Beograd" finds "Belgrade")."""
    places = gazetteer().get(country_code or "", {})
    folded = [search.normalise(name) for name in names if name]
    for name in folded:
        if name in places:
            return tuple(places[name])
    for name in folded:
        for alias in search.expand_aliases(name):
            if alias in places:
                return tuple(places[alias])
    return None


@dataclass
class City:
    """A city on the map: where it is, how many meetings in view are held there, the link to them."""

    name: str  # as the venue has it: the list's city filter takes any of its names
    label: str  # in the visitor's language
    country: str
    count: int = 0
    position: tuple | None = None  # (latitude, longitude)
    url: str = ""
    x: float = 0
    y: float = 0
    radius: float = 0
    names: list = field(default_factory=list)

    @property
    def on_map(self):
        """Inside the picture, far enough from its edges for the smallest marker to show whole."""
        if self.position is None:
            return False
        x, y = project(self.position[1], self.position[0])
        return (
            MARKER_MIN_RADIUS <= x <= WIDTH - MARKER_MIN_RADIUS and MARKER_MIN_RADIUS <= y <= HEIGHT - MARKER_MIN_RADIUS
        )

    label_x: float | None = None
    label_y: float = 0
    label_anchor: str = "start"

    @property
    def target_radius(self):
        """What a pointer can hit: never smaller than a 24-pixel target on a desktop-sized map."""
        return max(self.radius, MARKER_TARGET_RADIUS)


def venue_counts(meetings):
    """[City] for the public meetings of a queryset, most meetings first: one grouped query.

    A withheld venue's coordinates are not used (only its city is public); the city's place in the
    gazetteer is."""
    # Grouped over the queryset itself: "pk IN (the queryset)" made PostgreSQL read every published
    # meeting to join them with a year's or a filter's few thousand.
    rows = (
        meetings.published()
        .filter(venue__isnull=False)
        .values(
            "venue__city",
            "venue__timezone",
            "venue__country__code",
            "venue__latitude",
            "venue__longitude",
            "withhold_venue",
        )
        .annotate(meetings=Count("pk", distinct=True))
        .order_by()
    )
    language = get_language() or settings.LANGUAGE_CODE
    cities = {}
    for row in rows:
        entered, country = row["venue__city"], row["venue__country__code"]
        key = (search.normalise(entered), country)
        city = cities.get(key)
        if city is None:
            city = cities[key] = City(
                name=entered, label=city_name(entered, row["venue__timezone"], language), country=country
            )
            city.names = [entered] + [
                city_name(entered, row["venue__timezone"], code) for code, _name in settings.LANGUAGES
            ]
        city.count += row["meetings"]
        known = row["venue__latitude"] is not None and not row["withhold_venue"]
        if known and city.position is None:
            city.position = (float(row["venue__latitude"]), float(row["venue__longitude"]))
    for city in cities.values():
        if city.position is None:
            city.position = city_position(city.names, city.country)
    return sorted(cities.values(), key=lambda city: (-city.count, search.normalise(city.label)))


def map_countries():
    """{code: (stored English name, shown with the designation)} of the countries in the database."""
    return process_local(
        "map-countries",
        lambda: {
            code: (name, designated)
            for code, name, designated in Country.objects.values_list("code", "name", "needs_designation")
        },
    )


def country_label(code, stored, english_name):
    """(name in the visitor's language as Country.display_name writes it (Kosovo*), whether it is
    shown with the designation)."""
    language = get_language() or settings.LANGUAGE_CODE
    name, designated = stored.get(code, (english_name, code == "XK"))
    if language != settings.LANGUAGE_CODE:
        name = territory_name(code, language) or name
    return (f"{name}*" if designated else name), designated


def marker_radius(count, largest):
    """A marker's radius: its area in proportion to its count, the largest count's MARKER_MAX_RADIUS."""
    return max(MARKER_MIN_RADIUS, MARKER_MAX_RADIUS * math.sqrt(count / largest))


def text_box(x, y, text, size, anchor):
    """(left, top, right, bottom) an SVG text at baseline y is taken to cover."""
    width = len(text) * size * LABEL_CHARACTER_WIDTH
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return (left, y - size * 0.8, left + width, y + size * 0.25)


def overlaps(box, other):
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def place_labels(markers, countries):
    """Give each marker's name a place beside it (right, left, above, below) that covers no other
    name or marker and stays inside the picture; the busiest cities choose first. A place clear of
    the country names is preferred; else a city's name goes over a country's, which is then left out
    (never Kosovo*'s, whose designation the page explains)."""
    country_boxes = [
        (text_box(c["label_at"][0], c["label_at"][1], c["label"], COUNTRY_LABEL_SIZE, "middle"), c)
        for c in countries
        if c["label_at"] and c["label"]
    ]
    kept = [box for box, country in country_boxes if country["designated"]]
    circles = {id(c): (c.x - c.radius, c.y - c.radius, c.x + c.radius, c.y + c.radius) for c in markers}
    taken = []
    for city in markers:
        gap = city.radius * PHONE_MARKER_SCALE + 4
        candidates = [
            (city.x + gap, city.y + LABEL_SIZE * 0.3, "start"),
            (city.x - gap, city.y + LABEL_SIZE * 0.3, "end"),
            (city.x, city.y - gap, "middle"),
            (city.x, city.y + gap + LABEL_SIZE * 0.8, "middle"),
        ]
        obstacles = taken + kept + [box for key, box in circles.items() if key != id(city)]
        boxes = [(text_box(x, y, city.label, LABEL_SIZE, anchor), (x, y, anchor)) for x, y, anchor in candidates]
        free = [
            (box, place)
            for box, place in boxes
            if box[0] >= 0
            and box[1] >= 0
            and box[2] <= WIDTH
            and box[3] <= HEIGHT
            and not any(overlaps(box, other) for other in obstacles)
        ]
        clear = [(box, place) for box, place in free if not any(overlaps(box, b) for b, _c in country_boxes)]
        chosen = (clear or free or [None])[0]
        if chosen is None:
            continue
        box, (x, y, anchor) = chosen
        city.label_x, city.label_y, city.label_anchor = round(x, 1), round(y, 1), anchor
        taken.append(box)
        for country_box, country in country_boxes:
            if not country["designated"] and overlaps(box, country_box):
                country["label_at"] = None


def city_url(base_path, pairs, city):
    """The list at base_path with the page's other filters, and this city."""
    return f"{base_path}?{urlencode([*[(n, v) for n, v in pairs if n != 'city'], ('city', city)])}"


def map_context(cities, base_path, pairs):
    """What templates/includes/venue_map.html draws."""
    stored = map_countries()
    countries = []
    for country in boundaries()["countries"]:
        label, designated = country_label(country["code"], stored, country["name"])
        countries.append(
            {
                "code": country["code"],
                "d": country["d"],
                "focus": country["focus"],
                "label": label,
                "designated": designated,
                "label_at": country["label"],
            }
        )
    on_map, elsewhere = [], []
    for city in cities:
        city.url = city_url(base_path, pairs, city.name)
        (on_map if city.on_map else elsewhere).append(city)
    largest = max((city.count for city in on_map), default=1)
    for city in on_map:
        city.x, city.y = (round(value, 1) for value in project(city.position[1], city.position[0]))
        city.radius = round(marker_radius(city.count, largest), 1)
    place_labels(on_map, countries)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "countries": countries,
        "cities": cities,
        # Smallest drawn last, so a big marker never hides a small one.
        "markers": sorted(on_map, key=lambda city: -city.count),
        "elsewhere": elsewhere,
    }


def render_map(cities, base_path, pairs):
    """The map's HTML; "" when no meeting in view has a place."""
    if not cities:
        return ""
    return render_to_string("includes/venue_map.html", map_context(cities, base_path, pairs))


def filtered_meetings(query, filterset=None):
    """The public meetings a MeetingQuery selects (an archive's period included), or None when its
    filter is invalid. filterset: the page's own MeetingFilter, bound to the query, when it has one."""
    published = Meeting.objects.published()
    if query.period is not None:
        published = published.overlapping(*query.period)
    if filterset is None:
        filterset = MeetingFilter(query.querydict() if query.pairs else None, queryset=published)
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


def filtered_map(query, base_path, filterset=None):
    """The map of the meetings a MeetingQuery selects, linking to base_path filtered by each city;
    "" when the filter is invalid (the page answers 400)."""

    def build():
        meetings = filtered_meetings(query, filterset)
        if meetings is None:
            return ""
        return render_map(venue_counts(meetings), base_path, query.pairs)

    return rendered_once("venue-map", (base_path, query.filter_key), build)


def home_meetings(today):
    """What the home page lists: meetings to come, those with a date to be confirmed, and the
    latest past ones when none is to come (events.public.views.HomeView), as one queryset."""
    published = Meeting.objects.published()
    upcoming = published.upcoming(today)
    to_be_confirmed = published.date_to_be_confirmed().order_by("title")
    past = published.past(today)
    # One condition, so the whole map stays one query: the past ones count only when none is to come.
    return published.filter(
        Q(pk__in=upcoming.values("pk")[:HOME_UPCOMING_LIMIT])
        | Q(pk__in=to_be_confirmed.values("pk")[:HOME_TO_BE_CONFIRMED_LIMIT])
        | (Q(pk__in=past.values("pk")[:HOME_RECENT_PAST_LIMIT]) & ~Exists(upcoming.values("pk")))
    )


def home_map():
    """The map of the meetings the home page lists, each city linking to the whole list filtered by it."""
    today = timezone.localdate()
    base_path = reverse("events:list")
    return rendered_once(
        "venue-map", ("home", today.isoformat()), lambda: render_map(venue_counts(home_meetings(today)), base_path, ())
    )
