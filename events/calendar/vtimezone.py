"""VTIMEZONE components that every calendar program reads the same way, beyond 2038.

icalendar's ``Timezone.from_tzid`` lists each transition as an RDATE. libical
(Thunderbird) and Apple read that, but Outlook ignores RDATE in a VTIMEZONE and
then puts summer meetings an hour off; vobject misreads the lists too. So when
the zone has followed one yearly rule over the years asked for (every zone in
the region has: the EU's last Sunday of March and of October since 1996), the
zone is written as Outlook and Google write it — one DAYLIGHT and one STANDARD
with a yearly RRULE and no end, which stays right in 2040 and after. A zone
without summer time gets one STANDARD. Only a zone whose rules changed within
the years asked for falls back to icalendar's explicit transitions.
"""

import calendar
import datetime
import zoneinfo
from typing import NamedTuple

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
HOUR = datetime.timedelta(hours=1)


class Transition(NamedTuple):
    """A change of UTC offset, with the wall-clock time (in the old offset) at which it happens."""

    local_onset: datetime.datetime
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    is_daylight: bool


def transitions(zone, first_year, last_year):
    """Every offset change from 1 January of first_year to 31 December of last_year.

    Scans day by day (offsets change at most a few times a year) and narrows each change
    down to the minute by bisection.
    """
    found = []
    moment = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=datetime.UTC)
    offset = moment.astimezone(zone).utcoffset()
    day = datetime.timedelta(days=1)
    while moment < end:
        following = moment + day
        next_offset = following.astimezone(zone).utcoffset()
        if next_offset != offset:
            # Whole seconds: low still has the old offset, high is the first second with the new one.
            low, high = int(moment.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if datetime.datetime.fromtimestamp(middle, zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            after = datetime.datetime.fromtimestamp(high, zone)
            local_onset = after.replace(tzinfo=None) - next_offset + offset
            found.append(Transition(local_onset, offset, next_offset, after.tzname(), bool(after.dst())))
            offset = next_offset
        moment = following
    return found


def yearly_rule(onsets):
    """BYMONTH and BYDAY (e.g. 3, "-1SU") shared by all these onsets, with their common time; else None."""
    months = {onset.month for onset in onsets}
    weekdays = {onset.weekday() for onset in onsets}
    times = {onset.time() for onset in onsets}
    years = [onset.year for onset in onsets]
    if len(months) != 1 or len(weekdays) != 1 or len(times) != 1 or len(set(years)) != len(years):
        return None
    month, weekday = months.pop(), weekdays.pop()
    if all(onset.day + 7 > calendar.monthrange(onset.year, month)[1] for onset in onsets):
        position = -1
    else:
        positions = {(onset.day - 1) // 7 + 1 for onset in onsets}
        if len(positions) != 1:
            return None
        position = positions.pop()
    return month, f"{position}{WEEKDAYS[weekday]}", times.pop()


def observance(kind, transition, dtstart, rule=None):
    component = kind()
    component.add("dtstart", dtstart)
    component.add("tzoffsetfrom", transition.offset_from)
    component.add("tzoffsetto", transition.offset_to)
    component.add("tzname", transition.name)
    if rule is not None:
        month, byday, _ = rule
        component.add("rrule", {"freq": "yearly", "bymonth": month, "byday": byday})
    return component


def timezone_component(tzid, first_year, last_year, earliest_year=None):
    """The VTIMEZONE for tzid, right for every date from first_year on (see the module's docstring).

    earliest_year: try to cover from this earlier year too, so the component is the same in
    every feed; given up for first_year when the zone's rules changed in between.
    """
    if earliest_year is not None and earliest_year < first_year:
        component = rule_component(tzid, earliest_year, last_year)
        if component is not None:
            return component
    component = rule_component(tzid, first_year, last_year)
    if component is not None:
        return component
    return Timezone.from_tzid(
        tzid, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year + 1, 1, 1)
    )


def rule_component(tzid, first_year, last_year):
    """A VTIMEZONE with one yearly rule (or one fixed offset) for these years, or None when the rules changed."""
    zone = zoneinfo.ZoneInfo(tzid)
    changes = transitions(zone, first_year, last_year)
    component = Timezone()
    component.add("tzid", tzid)
    if not changes:
        start = datetime.datetime(first_year, 1, 1, tzinfo=zone)
        fixed = Transition(None, start.utcoffset(), start.utcoffset(), start.tzname(), False)
        component.add_component(observance(TimezoneStandard, fixed, datetime.datetime(first_year, 1, 1)))
        return component
    daylight = [change for change in changes if change.is_daylight]
    standard = [change for change in changes if not change.is_daylight]
    daylight_rule = yearly_rule([change.local_onset for change in daylight])
    standard_rule = yearly_rule([change.local_onset for change in standard])
    offsets_steady = len({(c.offset_from, c.offset_to, c.name) for c in changes}) == 2
    every_year = len(daylight) == len(standard) == last_year - first_year + 1
    if not (daylight_rule and standard_rule and offsets_steady and every_year):
        return None
    component.add_component(observance(TimezoneDaylight, daylight[0], daylight[0].local_onset, daylight_rule))
    component.add_component(observance(TimezoneStandard, standard[0], standard[0].local_onset, standard_rule))
    return component
