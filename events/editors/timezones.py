"""The time zones a venue's form offers: the region's first, every IANA zone behind them.

Each country's zones come from the tz database's zone.tab (tzdata), which names a zone per
country (Europe/Sarajevo for BA, Europe/Skopje for MK) where zone1970.tab would give the one
zone several countries share; the first listed is the country's own default.
"""

import functools
import importlib.resources
import zoneinfo

from django.utils.translation import gettext_lazy as _

# Kosovo* is not in the tz database's tables (it has no ISO 3166 code there); its clock is Belgrade's.
ZONES_NOT_IN_ZONE_TAB = {"XK": ("Europe/Belgrade",)}

# Translators: groups of the time-zone menu of a venue in the admin.
REGION_ZONES = _("Time zones of the region")
ALL_ZONES = _("All time zones")
# Translators: the empty choice of the time-zone menu of a venue.
COUNTRY_ZONE = _("The country's time zone")


@functools.cache
def zones_by_country():
    """ISO 3166 code → its zones, in zone.tab's order."""
    zones = {code: list(names) for code, names in ZONES_NOT_IN_ZONE_TAB.items()}
    text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _coordinates, zone, *_comment = line.split("\t")
        zones.setdefault(code, []).append(zone)
    return {code: tuple(names) for code, names in zones.items()}


def country_zone(code):
    """The zone a venue in the country with ISO code ``code`` gets when none is chosen (None if unknown)."""
    zones = zones_by_country().get(code.upper(), ())
    return zones[0] if zones else None


def timezone_choices(countries):
    """Choices for a select: the zones of ``countries`` (the Country rows: the region as the
    calendar knows it), each named with its country, then every IANA zone."""
    # A zone two countries share (Kosovo* and Serbia keep Belgrade's) is offered once, naming both.
    named = {}
    for country in countries:
        for zone in zones_by_country().get(country.code, ()):
            named.setdefault(zone, []).append(country.display_name)
    region = [(zone, f"{zone} ({', '.join(names)})") for zone, names in sorted(named.items())]
    every = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]
    return [("", COUNTRY_ZONE), (REGION_ZONES, region), (ALL_ZONES, every)]
