"""VTIMEZONE components that every calendar program reads the same way, beyond 2038.

Clients that trust the feed's VTIMEZONE (Outlook, Thunderbird, vobject, ical.js) know
nothing of a zone before its first observance and nothing the observances do not say, so
a VTIMEZONE has to describe every offset change over the years its feed covers:

- It starts at the last change *before* those years. Starting at the first change within
  them left every meeting earlier in that year before all observances (ical.js then reads
  it as UTC).
- Each rule period of the zone gets its own observances: the changes that follow one yearly
  rule (same month, same weekday of it, same wall-clock time) in consecutive years become
  one DAYLIGHT or STANDARD with a yearly ``RRULE`` ending (``UNTIL``) at the period's last
  change; a change that follows no such rule is an observance of its own with only a
  DTSTART. No RDATE lists: Outlook ignores RDATE in a VTIMEZONE, and ical.js and vobject
  misread icalendar's lists of them.
- The period still running at the end of the years asked for has no ``UNTIL``, as Outlook
  and Google write a zone: it stays right after 2038.

The changes come from the system's zone data (``zoneinfo`` with the pinned ``tzdata``),
never from a table of rules, so irregular zones (Morocco's Ramadan changes) are right too.
"""

import calendar
import datetime
import zoneinfo
from typing import NamedTuple

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY = datetime.timedelta(days=1)
# How far back to look for the change before the years asked for; a zone with none since has
# had one offset all along, and its one observance starts where Outlook starts them.
EARLIEST_YEAR = 1900
FIXED_ONSET = datetime.datetime(1601, 1, 1)


class Transition(NamedTuple):
    """A change of UTC offset (or of its name), with the wall-clock time (in the old offset) at which it happens."""

    local_onset: datetime.datetime
    offset_from: datetime.timedelta
    offset_to: datetime.timedelta
    name: str
    is_daylight: bool

    @property
    def utc_onset(self):
        return (self.local_onset - self.offset_from).replace(tzinfo=datetime.UTC)


def state(moment, zone):
    """What a VTIMEZONE says of an instant: its offset, its name, and whether it is summer time."""
    local = moment.astimezone(zone)
    return local.utcoffset(), local.tzname(), bool(local.dst())


def transitions(zone, first_year, last_year):
    """Every change of offset or name from 1 January of first_year to 31 December of last_year (UTC).

    A change of name alone counts too (Istanbul kept +03 in 2016 but stopped calling it
    summer time). Scans day by day (offsets change at most a few times a year) and narrows
    each change down to the second by bisection.
    """
    found = []
    moment = datetime.datetime(first_year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(last_year + 1, 1, 1, tzinfo=datetime.UTC)
    current = state(moment, zone)
    while moment < end:
        following = moment + DAY
        if state(following, zone) != current:
            # Whole seconds: low is still in the old state, high is the first second of the new one.
            low, high = int(moment.timestamp()), int(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if state(datetime.datetime.fromtimestamp(middle, datetime.UTC), zone) == current:
                    low = middle
                else:
                    high = middle
            after = datetime.datetime.fromtimestamp(high, datetime.UTC)
            offset, name, is_daylight = state(after, zone)
            local_onset = (after + current[0]).replace(tzinfo=None)
            found.append(Transition(local_onset, current[0], offset, name, is_daylight))
            current = offset, name, is_daylight
        moment = following
    return found


def change_before(zone, year):
    """The last offset change before 1 January of year, or None if there was none since EARLIEST_YEAR."""
    for earlier in range(year - 1, EARLIEST_YEAR - 1, -1):
        changes = transitions(zone, earlier, earlier)
        if changes:
            return changes[-1]
    return None


def yearly_rules(onset):
    """Every (month, BYDAY, time) yearly rule this onset is an instance of: its nth weekday, and "last" if it is."""
    weekday = WEEKDAYS[onset.weekday()]
    rules = {(onset.month, f"{(onset.day - 1) // 7 + 1}{weekday}", onset.time())}
    if onset.day + 7 > calendar.monthrange(onset.year, onset.month)[1]:
        rules.add((onset.month, f"-1{weekday}", onset.time()))
    return rules


def kind_of(change):
    """What an observance shares across its onsets: the offsets, the name and whether it is summer time."""
    return change.offset_from, change.offset_to, change.name, change.is_daylight


class Period(NamedTuple):
    """Changes that one observance describes: one, or one a year following a shared yearly rule."""

    changes: list
    rules: set


def periods(changes):
    """The changes grouped into periods, in order of their first change.

    A change joins the latest period of its kind when it comes the year after that period's
    last change and shares a yearly rule with all of it; otherwise it starts a period.
    """
    found = []
    latest = {}
    for change in changes:
        period = latest.get(kind_of(change))
        if period is not None and period.changes[-1].local_onset.year == change.local_onset.year - 1:
            shared = period.rules & yearly_rules(change.local_onset)
            if shared:
                period.changes.append(change)
                period.rules.intersection_update(shared)
                continue
        period = Period([change], yearly_rules(change.local_onset))
        found.append(period)
        latest[kind_of(change)] = period
    return found


def preferred_rule(rules):
    """The rule to write when several fit: "last Sunday" over "fourth Sunday", as zones are defined."""
    return min(rules, key=lambda rule: (not rule[1].startswith("-"), rule[1]))


def observance(period, open_ended):
    first = period.changes[0]
    component = TimezoneDaylight() if first.is_daylight else TimezoneStandard()
    component.add("dtstart", first.local_onset)
    component.add("tzoffsetfrom", first.offset_from)
    component.add("tzoffsetto", first.offset_to)
    component.add("tzname", first.name)
    if len(period.changes) > 1:
        month, byday, _ = preferred_rule(period.rules)
        rule = {"freq": "yearly", "bymonth": month, "byday": byday}
        if not open_ended:
            # A day after the last change: UNTIL is UTC, but vobject compares it with the local onset,
            # and dropped the last change east of UTC when UNTIL was the change itself.
            rule["until"] = period.changes[-1].utc_onset + DAY
        component.add("rrule", rule)
    return component


def timezone_component(tzid, first_year, last_year):
    """The VTIMEZONE for tzid, right for every instant from first_year to last_year (see the module's docstring)."""
    zone = zoneinfo.ZoneInfo(tzid)
    changes = transitions(zone, first_year, last_year)
    before = change_before(zone, first_year)
    component = Timezone()
    component.add("tzid", tzid)
    if before is None:
        start = datetime.datetime(first_year, 1, 1, tzinfo=zone)
        offset = start.utcoffset()
        fixed = Transition(FIXED_ONSET, offset, offset, start.tzname(), bool(start.dst()))
        changes = [fixed, *changes]
    else:
        changes = [before, *changes]
    grouped = periods(changes)
    for period in grouped:
        runs_on = len(period.changes) > 1 and period.changes[-1].local_onset.year == last_year
        component.add_component(observance(period, open_ended=runs_on))
    return component
