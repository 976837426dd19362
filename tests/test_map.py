"""The map of the places of the meetings in view: events.public.maps, {% venue_map %} and {% home_venue_map %}."""

import datetime
import re

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from events.cache import version
from events.cache.version import DATA, PIECES
from events.filters import MeetingFilter, MeetingQuery
from events.models import KOSOVO_FOOTNOTE, Meeting, Publication
from events.public import maps
from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    OrganisationFactory,
    VenueFactory,
)
from tests.support.html import elements, texts

DAY = datetime.timedelta(days=1)
SEED_MARKERS = [
    ("Tirana: 3 meetings", "/meetings/?city=Tirana"),
    ("Belgrade: 1 meeting", "/meetings/?city=Belgrade"),
    ("Portorož: 1 meeting", "/meetings/?city=Portoro%C5%BE"),
    ("Sarajevo: 1 meeting", "/meetings/?city=Sarajevo"),
    ("Skopje: 1 meeting", "/meetings/?city=Skopje"),
]


def country(code, name):
    return CountryFactory(code=code, name=name)


def render(source, path="/meetings/", **context):
    request = RequestFactory().get(path)
    return Template("{% load pictures %}" + source).render(Context({"request": request, **context}))


def list_map(query_string="", path="/meetings/", period=None):
    query = MeetingQuery(QueryDict(query_string), period=period)
    return render("{% venue_map query %}", path=path, query=query)


def markers(html):
    """(accessible name, link) of each marker on the map, in the order drawn."""
    return [(a["attrs"]["aria-label"], a["attrs"]["href"]) for a in elements(html, "a") if "aria-label" in a["attrs"]]


def places(html, class_name="venue-map-places"):
    """(text, link) of the cities listed under the map (the first list: those on the map)."""
    lists = re.findall(rf'<ul class="{class_name}">(.*?)</ul>', html, re.S)
    return [(a["text"], a["attrs"]["href"]) for a in elements(lists[0], "a")] if lists else []


def elsewhere(html):
    return places(html, "venue-map-places venue-map-elsewhere")


def svg_of(html):
    return re.search(r"<svg.*</svg>", html, re.S).group(0)


# --- What the map shows -------------------------------------------------------------


def test_map_of_the_whole_list_has_a_marker_for_each_seed_city_with_its_count(seed):
    html = list_map()

    assert markers(html) == SEED_MARKERS
    assert places(html) == SEED_MARKERS


def test_map_lists_the_cities_outside_its_area_below_it(seed):
    html = list_map()

    # Vienna is north of the map's edge; Thörl-Maglern (a border crossing) is in no gazetteer and has no coordinates.
    assert texts(html, "p", "venue-map-elsewhere-heading") == ["Also held outside the map:"]
    assert elsewhere(html) == [
        ("Thörl-Maglern: 1 meeting", "/meetings/?city=Th%C3%B6rl-Maglern"),
        ("Vienna: 1 meeting", "/meetings/?city=Vienna"),
    ]
    assert "Vienna" not in svg_of(html)


def test_map_with_a_filter_shows_only_the_cities_of_the_meetings_it_selects(seed):
    html = list_map("organiser=rcc")

    assert markers(html) == [
        ("Belgrade: 1 meeting", "/meetings/?organiser=rcc&city=Belgrade"),
        ("Sarajevo: 1 meeting", "/meetings/?organiser=rcc&city=Sarajevo"),
    ]
    assert elsewhere(html) == []


def test_map_link_replaces_the_city_of_the_page_and_keeps_its_other_filters(seed):
    html = list_map("city=Tirana&q=PCC")

    assert markers(html) == [("Tirana: 1 meeting", "/meetings/?q=PCC&city=Tirana")]


def test_map_of_an_archive_links_to_the_archive_filtered_by_city(db):
    MeetingFactory(start_date=datetime.date(2030, 5, 14))
    MeetingFactory(
        start_date=datetime.date(2031, 5, 14),
        venue=VenueFactory(city="Skopje", country=country("MK", "North Macedonia")),
    )
    period = (datetime.date(2030, 1, 1), datetime.date(2030, 12, 31))

    html = list_map(path="/meetings/2030/", period=period)

    assert markers(html) == [("Tirana: 1 meeting", "/meetings/2030/?city=Tirana")]


def test_map_of_the_list_reads_the_pages_own_filter_when_given(seed):
    query = MeetingQuery(QueryDict("organiser=rcc"))
    filterset = MeetingFilter(query.querydict(), queryset=Meeting.objects.published())

    html = render("{% venue_map query filter %}", query=query, filter=filterset)

    assert [name for name, _link in markers(html)] == ["Belgrade: 1 meeting", "Sarajevo: 1 meeting"]


def test_map_leaves_out_the_venue_of_a_draft(db):
    MeetingFactory()
    MeetingFactory(
        publication=Publication.DRAFT, venue=VenueFactory(city="Podgorica", country=country("ME", "Montenegro"))
    )
    MeetingFactory(
        publish_at=timezone.now() + DAY,
        venue=VenueFactory(city="Ohrid", country=country("MK", "North Macedonia"), name="Later"),
    )

    html = list_map()

    assert markers(html) == [("Tirana: 1 meeting", "/meetings/?city=Tirana")]
    assert "Podgorica" not in html
    assert "Ohrid" not in html


def test_map_counts_each_city_once_whatever_its_venues_and_spellings(db):
    serbia = CountryFactory(code="RS", name="Serbia")
    MeetingFactory(venue=VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade"))
    MeetingFactory(venue=VenueFactory(city="belgrade", country=serbia, timezone="Europe/Belgrade"))
    MeetingFactory(venue=VenueFactory(city="Beograd", country=serbia, timezone="Europe/Belgrade"))

    cities = maps.venue_counts(Meeting.objects.all())

    assert [(city.name, city.count) for city in cities] == [("Belgrade", 2), ("Beograd", 1)]
    # "Beograd" is not in the gazetteer under that name: its alias is (events.search.ALIASES).
    assert cities[0].position == cities[1].position == (44.804, 20.465)


def test_map_places_a_venue_at_its_coordinates_unless_they_are_withheld(db):
    MeetingFactory(venue=VenueFactory(city="Durrës", latitude=41.3, longitude=19.45, name="Port"))
    MeetingFactory(
        venue=VenueFactory(city="Tirana", latitude=41.5, longitude=20.0, name="Secret"),
        withhold_venue=True,
        access="closed",
    )

    positions = {city.name: city.position for city in maps.venue_counts(Meeting.objects.all())}

    assert positions == {"Durrës": (41.3, 19.45), "Tirana": (41.327, 19.819)}  # Tirana's from GeoNames


def test_map_marker_area_grows_with_the_number_of_meetings():
    assert maps.marker_radius(400, largest=400) == maps.MARKER_MAX_RADIUS
    assert maps.marker_radius(100, largest=400) == maps.MARKER_MAX_RADIUS / 2
    assert maps.marker_radius(1, largest=400) == maps.MARKER_MIN_RADIUS


def test_map_projection_puts_the_corners_of_its_area_at_the_corners_of_the_picture():
    assert maps.project(maps.WEST, maps.NORTH) == (0, 0)
    x, y = maps.project(maps.EAST, maps.SOUTH)
    assert (round(x), round(y)) == (maps.WIDTH, maps.HEIGHT)


def test_map_is_not_drawn_when_no_meeting_in_view_has_a_place(db):
    MeetingFactory(venue=None)

    assert list_map().strip() == ""


def test_map_is_not_drawn_for_an_invalid_filter(seed):
    assert list_map("date_from=yesterday").strip() == ""


# --- Names, footnote, markup ---------------------------------------------------------


def test_map_names_kosovo_with_the_asterisk_and_north_macedonia_as_such(seed):
    names = texts(svg_of(list_map()), "text", "venue-map-country-name")

    assert "Kosovo*" in names
    assert "North Macedonia" in names
    assert "Macedonia" not in names


def test_map_names_countries_and_cities_in_the_language_of_the_page(client, seed):
    response = client.get("/sq/organisers/rcc/")
    html = response.content.decode()

    names = texts(svg_of(html), "text", "venue-map-country-name")
    assert {"Kosovë*", "Maqedonia e Veriut", "Shqipëri", "Serbi"} <= set(names)
    # The city as Albanian names it, the link with the name the venue has (the filter takes either).
    name, link = markers(html)[0]
    assert name.startswith("Beograd: 1 ")
    assert link == "/sq/meetings/?organiser=rcc&city=Belgrade"


def test_map_coordinates_are_written_with_a_dot_in_every_language(client, seed):
    html = client.get("/hr/organisers/rcc/").content.decode()

    circles = elements(svg_of(html), "circle", "venue-map-marker")
    assert circles
    assert all(re.fullmatch(r"\d+(\.\d+)?", circle["attrs"]["cx"]) for circle in circles)


def test_organiser_page_shows_the_map_and_the_designation_footnote(client, seed):
    response = client.get("/organisers/rcc/")

    assert response.status_code == 200
    assert markers(response.content.decode()) == [
        ("Belgrade: 1 meeting", "/meetings/?organiser=rcc&city=Belgrade"),
        ("Sarajevo: 1 meeting", "/meetings/?organiser=rcc&city=Sarajevo"),
    ]
    assert texts(response.content, "p", "designation-footnote") == [str(KOSOVO_FOOTNOTE)]


def test_funder_page_map_links_to_the_list_filtered_by_the_funder(client, db):
    funder = OrganisationFactory(slug="norway")
    MeetingFunderFactory(meeting=MeetingFactory(), organisation=funder)

    response = client.get("/funders/norway/")

    assert markers(response.content.decode()) == [("Tirana: 1 meeting", "/meetings/?funder=norway&city=Tirana")]
    # Nothing on the page but the map names Kosovo*: the footnote is there for the map.
    assert texts(response.content, "p", "designation-footnote") == [str(KOSOVO_FOOTNOTE)]


def test_map_tells_the_page_it_needs_the_designation_footnote(db):
    MeetingFactory()
    context = Context({"request": RequestFactory().get("/"), "designation_needed": False})

    Template("{% load pictures %}{% home_venue_map %}").render(context)

    assert context["designation_needed"] is True


def test_map_svg_has_no_style_attributes_scripts_or_style_elements(seed):
    html = list_map()

    assert " style=" not in html
    assert "<style" not in html
    assert "<script" not in html
    assert "<foreignObject" not in html


def test_map_marker_names_itself_with_its_title_too(seed):
    svg = svg_of(list_map())

    assert re.findall(r"<title[^>]*>([^<]*)</title>", svg) == [
        "Map of the region with the places of these meetings",
        *[name for name, _link in SEED_MARKERS],
    ]


# --- The home page's map ---------------------------------------------------------


def test_home_map_shows_upcoming_and_to_be_confirmed_meetings_not_past_ones_when_some_are_to_come(db):
    today = timezone.localdate()
    MeetingFactory(start_date=today + DAY, venue=VenueFactory(city="Skopje", country=country("MK", "North Macedonia")))
    MeetingFactory(start_date=None, end_date=None, date_precision="unknown")
    MeetingFactory(start_date=today - 30 * DAY, venue=VenueFactory(city="Vienna", country=country("AT", "Austria")))

    html = render("{% home_venue_map %}", path="/")

    assert markers(html) == [
        ("Skopje: 1 meeting", "/meetings/?city=Skopje"),
        ("Tirana: 1 meeting", "/meetings/?city=Tirana"),
    ]
    assert "Vienna" not in html


def test_home_map_shows_the_latest_past_meetings_when_none_is_to_come(db):
    today = timezone.localdate()
    MeetingFactory(
        start_date=today - 30 * DAY, venue=VenueFactory(city="Skopje", country=country("MK", "North Macedonia"))
    )

    html = render("{% home_venue_map %}", path="/")

    assert markers(html) == [("Skopje: 1 meeting", "/meetings/?city=Skopje")]


# --- Queries and the cache ------------------------------------------------------------


def test_map_costs_its_queries_once_per_filter_and_data_version(seed, django_assert_num_queries):
    version.publish({DATA, PIECES})
    # The places and counts in one grouped query, the countries' stored names once per process and version.
    with django_assert_num_queries(2):
        first = list_map()
    with django_assert_num_queries(0):
        again = list_map()
    assert again == first

    # A public change moves the data version (events.cache.invalidation): the map is read again.
    version.publish({DATA})
    with django_assert_num_queries(2):
        list_map()


def test_map_query_count_does_not_grow_with_meetings_or_cities(db, django_assert_num_queries):
    for index in range(30):
        MeetingFactory(venue=VenueFactory(city=f"Town {index % 7}", name=f"Hall {index}"))
    version.publish({DATA, PIECES})

    with django_assert_num_queries(2):
        html = list_map()

    assert len(places(html)) + len(elsewhere(html)) == 7


def test_map_is_rendered_per_language(seed):
    english = list_map()
    with translation.override("sq"):
        albanian = list_map()

    assert "Kosovo*" in english
    assert "Kosovë*" in albanian


@pytest.mark.parametrize("code", ["AL", "BA", "HR", "XK", "ME", "MK", "RS", "SI", "IT", "AT", "HU", "RO", "BG", "GR"])
def test_map_data_draws_each_country_of_the_region_with_a_name(code):
    countries = {country["code"]: country for country in maps.boundaries()["countries"]}

    assert countries[code]["d"].startswith("M")
    assert countries[code]["label"] is not None


def test_map_names_of_close_cities_never_cover_each_other_or_leave_the_picture(db):
    albania = country("AL", "Albania")
    for city, count in [("Tirana", 5), ("Durrës", 3), ("Elbasan", 2), ("Kavajë", 1), ("Krujë", 1)]:
        venue = VenueFactory(city=city, country=albania)
        for _ in range(count):
            MeetingFactory(venue=venue)

    html = list_map()

    labels = elements(svg_of(html), "text", "venue-map-city")
    assert [label["text"] for label in labels][:2] == ["Tirana", "Durrës"]  # the busiest are always named
    boxes = [
        maps.text_box(
            float(label["attrs"]["x"]),
            float(label["attrs"]["y"]),
            label["text"],
            maps.LABEL_SIZE,
            label["attrs"]["text-anchor"],
        )
        for label in labels
    ]
    assert all(box[0] >= 0 and box[2] <= maps.WIDTH for box in boxes)
    assert not any(maps.overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # Every city keeps its marker and its place in the list, named or not.
    assert len(markers(html)) == len(places(html)) == 5


def test_map_lists_a_city_on_its_very_edge_below_it_rather_than_cut_in_half(db):
    MeetingFactory(venue=VenueFactory(city="Rome", country=country("IT", "Italy"), timezone="Europe/Rome"))

    html = list_map()

    assert markers(html) == []
    assert elsewhere(html) == [("Rome: 1 meeting", "/meetings/?city=Rome")]
