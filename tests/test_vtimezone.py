"""Generated VTIMEZONEs give the same UTC offsets as the system's zone data, read by an independent parser."""

import datetime
import io
import zoneinfo

import pytest
from dateutil import tz as dateutil_tz
from icalendar import Calendar

from events.calendar import vtimezone

REGION_ZONES = [
    "Europe/Tirane",
    "Europe/Belgrade",
    "Europe/Sarajevo",
    "Europe/Skopje",
    "Europe/Podgorica",
    "Europe/Zagreb",
    "Europe/Ljubljana",
    "Europe/Vienna",
    "Europe/Brussels",
    "Europe/London",
]


def read_back(component):
    """The VTIMEZONE as dateutil's iCalendar reader understands it (the reader vobject builds on)."""
    calendar = Calendar()
    calendar.add_component(component)
    return dateutil_tz.tzical(io.StringIO(calendar.to_ical().decode())).get()


def mismatches(tzid, parsed, years):
    zone = zoneinfo.ZoneInfo(tzid)
    wrong = []
    for year in years:
        for month in range(1, 13):
            for day in (1, 15, 28):
                for hour in (0, 4, 12):
                    moment = datetime.datetime(year, month, day, hour)
                    if parsed.utcoffset(moment) != moment.replace(tzinfo=zone).utcoffset():
                        wrong.append(moment)
    return wrong


@pytest.mark.parametrize("tzid", REGION_ZONES)
def test_region_zone_is_one_yearly_rule_right_from_2000_to_2060(tzid):
    component = vtimezone.timezone_component(tzid, 2030, 2050, earliest_year=2000)

    assert [sub.name for sub in component.subcomponents] == ["DAYLIGHT", "STANDARD"]
    assert all("RDATE" not in sub and "UNTIL" not in sub["RRULE"] for sub in component.subcomponents)
    assert mismatches(tzid, read_back(component), [2000, 2007, 2019, 2025, 2038, 2040, 2055, 2060]) == []


def test_daylight_onset_is_in_the_local_time_before_the_change():
    component = vtimezone.timezone_component("Europe/Tirane", 2030, 2050, earliest_year=2000)

    daylight, standard = component.subcomponents
    assert daylight.decoded("DTSTART") == datetime.datetime(2000, 3, 26, 2, 0)
    assert standard.decoded("DTSTART") == datetime.datetime(2000, 10, 29, 3, 0)


def test_zone_without_summer_time_now_gets_one_fixed_offset():
    component = vtimezone.timezone_component("Europe/Istanbul", 2030, 2050, earliest_year=2000)

    assert [sub.name for sub in component.subcomponents] == ["STANDARD"]
    assert mismatches("Europe/Istanbul", read_back(component), [2030, 2045]) == []


def test_zone_whose_rules_changed_falls_back_to_explicit_transitions():
    component = vtimezone.timezone_component("Europe/Istanbul", 2010, 2050, earliest_year=2000)

    assert "RDATE" in component.walk("DAYLIGHT")[0]
    assert mismatches("Europe/Istanbul", read_back(component), [2010, 2015, 2020, 2040]) == []
