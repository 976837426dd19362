"""A meeting's dates in words: "23–25 October 2018", "30 September – 2 October 2018", "October 2018".

Every pattern is a translatable string and month names come from Django's
translated calendar, so each language words a date range its own way. The
day-and-month patterns use ``MONTHS_NEXT_TO_A_DAY`` (the form a month takes next
to a day, genitive in several of the region's languages); month-only dates use
``MONTHS``.
"""

import datetime
import zoneinfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

# Django's own month names (the same ids and contexts as django.utils.dates MONTHS and MONTHS_ALT),
# in the project's catalogs too, which come first: some of Django's translations capitalise them
# ("25. Април 2019.", "Listopad 2018."), which none of the region's languages does in a date.
# And the weekdays (Django's ids), which the region's languages also write in lower case.
WEEKDAYS = {
    0: gettext_lazy("Monday"),
    1: gettext_lazy("Tuesday"),
    2: gettext_lazy("Wednesday"),
    3: gettext_lazy("Thursday"),
    4: gettext_lazy("Friday"),
    5: gettext_lazy("Saturday"),
    6: gettext_lazy("Sunday"),
}
MONTHS = {
    1: gettext_lazy("January"),
    2: gettext_lazy("February"),
    3: gettext_lazy("March"),
    4: gettext_lazy("April"),
    5: gettext_lazy("May"),
    6: gettext_lazy("June"),
    7: gettext_lazy("July"),
    8: gettext_lazy("August"),
    9: gettext_lazy("September"),
    10: gettext_lazy("October"),
    11: gettext_lazy("November"),
    12: gettext_lazy("December"),
}
MONTHS_NEXT_TO_A_DAY = {
    1: pgettext_lazy("alt. month", "January"),
    2: pgettext_lazy("alt. month", "February"),
    3: pgettext_lazy("alt. month", "March"),
    4: pgettext_lazy("alt. month", "April"),
    5: pgettext_lazy("alt. month", "May"),
    6: pgettext_lazy("alt. month", "June"),
    7: pgettext_lazy("alt. month", "July"),
    8: pgettext_lazy("alt. month", "August"),
    9: pgettext_lazy("alt. month", "September"),
    10: pgettext_lazy("alt. month", "October"),
    11: pgettext_lazy("alt. month", "November"),
    12: pgettext_lazy("alt. month", "December"),
}


def date_to_be_confirmed():
    return _("Date to be confirmed")


def day_in_words(day):
    """24 April 2019"""
    # Translators: "24 April 2019"; {month} is the month's name in the form it takes next to a day.
    return pgettext("one day", "{day} {month} {year}").format(
        day=day.day, month=MONTHS_NEXT_TO_A_DAY[day.month], year=day.year
    )


def month_in_words(day):
    """October 2018"""
    # Translators: "October 2018", for a meeting whose exact days are not known; {month} is the month's name on its own.
    return pgettext("month only", "{month} {year}").format(month=MONTHS[day.month], year=day.year)


def day_range_in_words(start, end):
    """The shortest clear wording of the days from start to end inclusive."""
    if end is None or end == start:
        return day_in_words(start)
    if (start.year, start.month) == (end.year, end.month):
        # Translators: "23–25 October 2018"; the dash is an en dash.
        return pgettext("days in one month", "{start_day}–{end_day} {month} {year}").format(
            start_day=start.day, end_day=end.day, month=MONTHS_NEXT_TO_A_DAY[start.month], year=start.year
        )
    if start.year == end.year:
        # Translators: "30 September – 2 October 2018".
        return pgettext("days across months", "{start_day} {start_month} – {end_day} {end_month} {year}").format(
            start_day=start.day,
            start_month=MONTHS_NEXT_TO_A_DAY[start.month],
            end_day=end.day,
            end_month=MONTHS_NEXT_TO_A_DAY[end.month],
            year=start.year,
        )
    # Translators: "30 December 2018 – 2 January 2019"; {start} and {end} are whole dates.
    return pgettext("days across years", "{start} – {end}").format(start=day_in_words(start), end=day_in_words(end))


def time_in_words(value):
    return formats.time_format(value, "H:i")


def zone_in_words(day, clock_time, zone_name):
    """The zone's abbreviation on that day ("CEST"), or its UTC offset when it has none ("UTC+04")."""
    moment = datetime.datetime.combine(day, clock_time, tzinfo=zoneinfo.ZoneInfo(zone_name))
    abbreviation = moment.tzname() or ""
    if abbreviation[:1] in {"+", "-"}:
        return f"UTC{abbreviation}"
    return abbreviation


def start_time_in_words(day, start_time, zone_name):
    """from 09:30 CET: the start of a meeting whose end time was not announced (calendar titles carry it)."""
    # Translators: "from 09:30 CET", after a calendar entry's title; {zone} is a time zone abbreviation.
    return pgettext("start time only", "from {time} {zone}").format(
        time=time_in_words(start_time), zone=zone_in_words(day, start_time, zone_name)
    )


def timed_range_in_words(start_date, end_date, start_time, end_time, zone_name):
    """24 April 2019, 09:30–17:00 CEST; 14–15 November 2019, from 09:30 CET; or
    23 October 2018, 09:00 – 25 October 2018, 13:00 CEST.

    A start time without an end time says "from": the organisers announced when the meeting
    starts, not when it ends, and no end is made up for them.
    """
    end_date = end_date or start_date
    start_zone = zone_in_words(start_date, start_time, zone_name)
    if end_time is None:
        # Translators: "14–15 November 2019, from 09:30 CET": the end time was not announced.
        return pgettext("days from a start time", "{days}, from {time} {zone}").format(
            days=day_range_in_words(start_date, end_date), time=time_in_words(start_time), zone=start_zone
        )
    if end_date == start_date:
        if end_time == start_time:
            # Translators: "24 April 2019, 09:30 CEST".
            return pgettext("one day at a time", "{day}, {time} {zone}").format(
                day=day_in_words(start_date), time=time_in_words(start_time), zone=start_zone
            )
        # Translators: "24 April 2019, 09:30–17:00 CEST".
        return pgettext("one day between two times", "{day}, {start_time}–{end_time} {zone}").format(
            day=day_in_words(start_date),
            start_time=time_in_words(start_time),
            end_time=time_in_words(end_time),
            zone=start_zone,
        )
    end_zone = zone_in_words(end_date, end_time, zone_name)
    if end_zone != start_zone:
        # A meeting across a change of clocks: each time with the zone it is read in.
        return pgettext(
            # Translators: "24 March 2019, 09:00 CET – 1 April 2019, 13:00 CEST".
            "several days with times in two zones",
            "{start_day}, {start_time} {start_zone} – {end_day}, {end_time} {end_zone}",
        ).format(
            start_day=day_in_words(start_date),
            start_time=time_in_words(start_time),
            start_zone=start_zone,
            end_day=day_in_words(end_date),
            end_time=time_in_words(end_time),
            end_zone=end_zone,
        )
    # Translators: "23 October 2018, 09:00 – 25 October 2018, 13:00 CEST".
    return pgettext("several days with times", "{start_day}, {start_time} – {end_day}, {end_time} {zone}").format(
        start_day=day_in_words(start_date),
        start_time=time_in_words(start_time),
        end_day=day_in_words(end_date),
        end_time=time_in_words(end_time),
        zone=end_zone,
    )


def dates_in_words(precision, start_date, end_date, start_time, end_time, zone_name):
    """Dates of any precision in words, from their parts (a meeting, or a past version of one)."""
    from events.models import DatePrecision

    if start_date is None or precision == DatePrecision.UNKNOWN:
        return date_to_be_confirmed()
    end_date = end_date or start_date
    if precision == DatePrecision.MONTH:
        if (start_date.year, start_date.month) != (end_date.year, end_date.month):
            # Translators: "October 2018 – January 2019"; {start} and {end} are whole months.
            return pgettext("months", "{start} – {end}").format(
                start=month_in_words(start_date), end=month_in_words(end_date)
            )
        return month_in_words(start_date)
    if start_time is not None:
        return timed_range_in_words(start_date, end_date, start_time, end_time, zone_name)
    return day_range_in_words(start_date, end_date)


def meeting_dates_in_words(meeting):
    """How the public reads a meeting's dates, whatever their precision."""
    return dates_in_words(
        meeting.date_precision,
        meeting.start_date,
        meeting.end_date,
        meeting.start_time,
        meeting.end_time,
        meeting.timezone_name,
    )


def moment_in_words(moment):
    """An instant as the site's visitors read it, in the site's zone: 28 November 2026, 09:30 CET."""
    local = timezone.localtime(moment)
    # Translators: "28 November 2026, 09:30 CET": when something happened or will.
    return pgettext("a moment", "{day}, {time} {zone}").format(
        day=day_in_words(local.date()), time=time_in_words(local.time()), zone=local.tzname()
    )


def local_day_in_words(moment):
    """The day an instant falls on in the site's zone: 28 November 2026."""
    return day_in_words(timezone.localtime(moment).date())


def last_day_over(end_date, zone_name, now=None):
    """Whether a meeting's last day has ended both on the site's calendar and where it is held.

    The site's day alone would say a New York meeting took place while it is still going on (its
    evening is past midnight in Belgrade). Pages and feeds are keyed on the site's day, so the
    flip shows by the site's first midnight after the meeting's own midnight.
    """
    now = now or timezone.now()
    venue_today = timezone.localtime(now, zoneinfo.ZoneInfo(zone_name)).date()
    return end_date < min(timezone.localdate(now), venue_today)
