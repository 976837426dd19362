"""Generated VTIMEZONEs give the same UTC offsets as the system's zone data, read by an independent parser."""

import datetime
import io
import zoneinfo

import pytest
from dateutil import tz as dateutil_tz
from icalendar import Calendar

from events.calendar import vtimezone
from tests.support.calendars import REGION_ZONES

UTC = datetime.UTC


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
                    local = moment.replace(tzinfo=zone)
                    if local.utcoffset() != local.replace(fold=1).utcoffset():
                        continue  # skipped or repeated by a change of clocks: readers may differ
                    if parsed.utcoffset(moment) != local.utcoffset():
                        wrong.append(moment)
    return wrong


def observances(component):
    """(name, DTSTART, RRULE) of each observance, in the order written."""
    return [
        (sub.name, sub.decoded("DTSTART"), sub["RRULE"].to_ical().decode() if "RRULE" in sub else None)
        for sub in component.subcomponents
    ]


@pytest.mark.parametrize("tzid", REGION_ZONES)
def test_region_zone_since_2000_is_one_open_ended_yearly_rule_each_way(tzid):
    # The EU changes clocks at 01:00 UTC: 02:00 local in Central Europe, 01:00 in London.
    winter_hours = 0 if tzid == "Europe/London" else 1

    component = vtimezone.timezone_component(tzid, 2000, 2050)

    assert observances(component) == [
        ("STANDARD", datetime.datetime(1999, 10, 31, 2 + winter_hours), "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("DAYLIGHT", datetime.datetime(2000, 3, 26, 1 + winter_hours), "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
    ]
    assert mismatches(tzid, read_back(component), [2000, 2007, 2019, 2025, 2038, 2040, 2055, 2060]) == []


def test_observances_start_before_the_first_year_so_its_winter_is_covered():
    # A New York meeting on 10 February 2026 came before every observance of a VTIMEZONE that
    # started at March 2026, and ical.js read it as UTC.
    component = vtimezone.timezone_component("America/New_York", 2026, 2050)

    assert observances(component) == [
        ("STANDARD", datetime.datetime(2025, 11, 2, 2), "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
        ("DAYLIGHT", datetime.datetime(2026, 3, 8, 2), "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
    ]
    assert read_back(component).utcoffset(datetime.datetime(2026, 2, 10, 10)) == datetime.timedelta(hours=-5)


def test_each_rule_period_gets_its_own_observances_ending_with_until():
    # Belgrade: summer time ended on the last Sunday of September until 1995, of October since 1996.
    component = vtimezone.timezone_component("Europe/Belgrade", 1990, 2050)

    assert observances(component) == [
        (
            "STANDARD",
            datetime.datetime(1989, 9, 24, 3),
            "FREQ=YEARLY;UNTIL=19950925T010000Z;BYDAY=-1SU;BYMONTH=9",
        ),
        ("DAYLIGHT", datetime.datetime(1990, 3, 25, 2), "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
        ("STANDARD", datetime.datetime(1996, 10, 27, 3), "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
    ]
    assert mismatches("Europe/Belgrade", read_back(component), range(1990, 2061)) == []


def test_us_rule_change_of_2007_is_two_periods_each_way():
    component = vtimezone.timezone_component("America/New_York", 1990, 2050)

    assert observances(component) == [
        ("STANDARD", datetime.datetime(1989, 10, 29, 2), "FREQ=YEARLY;UNTIL=20061030T060000Z;BYDAY=-1SU;BYMONTH=10"),
        ("DAYLIGHT", datetime.datetime(1990, 4, 1, 2), "FREQ=YEARLY;UNTIL=20060403T070000Z;BYDAY=1SU;BYMONTH=4"),
        ("DAYLIGHT", datetime.datetime(2007, 3, 11, 2), "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
        ("STANDARD", datetime.datetime(2007, 11, 4, 2), "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"),
    ]
    assert mismatches("America/New_York", read_back(component), range(1990, 2061)) == []


@pytest.mark.parametrize("tzid", ["Africa/Casablanca", "Australia/Sydney", "Europe/Istanbul", "America/Sao_Paulo"])
def test_irregular_zone_matches_the_system_zone_data_every_year(tzid):
    # Morocco's clocks go back for Ramadan, a date no yearly rule gives; icalendar's own zone
    # data lacks those changes, the system's (tzdata) has them.
    component = vtimezone.timezone_component(tzid, 1990, 2060)

    assert all("RDATE" not in sub for sub in component.subcomponents)
    assert mismatches(tzid, read_back(component), range(1990, 2061)) == []


def test_zone_that_kept_its_offset_but_changed_its_name_says_the_current_name():
    # Istanbul stayed on +03 from September 2016 but stopped calling it summer time.
    component = vtimezone.timezone_component("Europe/Istanbul", 2030, 2050)

    assert observances(component) == [("STANDARD", datetime.datetime(2016, 9, 7), None)]
    assert str(component.subcomponents[0]["TZNAME"]) == "+03"
    assert mismatches("Europe/Istanbul", read_back(component), [2030, 2045]) == []


def test_zone_that_never_changed_is_one_fixed_offset_from_1601():
    component = vtimezone.timezone_component("UTC", 2000, 2050)

    assert observances(component) == [("STANDARD", datetime.datetime(1601, 1, 1), None)]
    assert mismatches("UTC", read_back(component), [2000, 2050]) == []


def test_daylight_onset_is_in_the_local_time_before_the_change():
    component = vtimezone.timezone_component("Europe/Tirane", 2030, 2050)

    standard, daylight = component.subcomponents
    assert daylight.decoded("DTSTART") == datetime.datetime(2030, 3, 31, 2, 0)
    assert standard.decoded("DTSTART") == datetime.datetime(2029, 10, 28, 3, 0)
