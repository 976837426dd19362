"""The calendar pages: a month grid, a week and an agenda, as a calendar program shows them.

Weeks start on Monday in every language of the site (ISO 8601, as the region's calendars do).
In the grid a meeting is drawn once per week row, as a bar across its days; bars are laid out in
lanes, earlier start first and longer first, at most a fixed number of lanes per week, and a day
with more meetings than fit links to that day's list. Each page reads its dated meetings in one
query, the month's month-only meetings in one more, and its list entries from the cache.
"""

import calendar
import datetime

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.generic import RedirectView, TemplateView

from events.cache.fragments import joined, list_entries
from events.dates import WEEKDAYS, day_in_words, day_range_in_words, month_in_words, time_in_words
from events.models import TOOK_PLACE, UPCOMING_ORDER, Meeting, Status
from events.public.views import (
    FIRST_YEAR,
    LAST_YEAR,
    any_mentions_designated_country,
    month_bounds,
    neighbour_months,
)

# Lanes of bars per week row of the month grid; a day with more meetings links to its list.
MONTH_LANES = 4
# The week view has room for more before it sends the visitor to the day's list.
WEEK_LANES = 8
WEEK = datetime.timedelta(days=7)
# What a bar's status badge is called in the stylesheet; every badge also says its status in words.
BADGE_KINDS = {Status.POSTPONED: "postponed", Status.CANCELLED: "cancelled", Status.TENTATIVE: "tbc"}


def status_badge(meeting):
    """(kind, words) of a meeting's badge, or None for a confirmed meeting still to come."""
    words = meeting.status_today()
    if meeting.status in BADGE_KINDS:
        return BADGE_KINDS[meeting.status], words
    if words == TOOK_PLACE:
        return "took-place", words
    return None


def day_list_url(day):
    return f"{reverse('events:list')}?date_from={day.isoformat()}&date_to={day.isoformat()}"


class CalendarDay:
    """One day of a week row: its header, the meetings held on it and how many of them the grid leaves out."""

    def __init__(self, day, in_month, is_today, meetings):
        self.date = day
        self.in_month = in_month
        self.is_today = is_today
        self.meetings = meetings
        self.in_words = _("%(weekday)s %(date)s") % {"weekday": WEEKDAYS[day.weekday()], "date": day_in_words(day)}
        self.more = 0
        self.more_url = day_list_url(day)
        self.entries = ""

    @property
    def css_class(self):
        return " ".join(
            name for name, wanted in (("other-month", not self.in_month), ("today", self.is_today)) if wanted
        )


class Bar:
    """A meeting's days within one week row: where the bar starts (column), how many days it spans,
    and whether it continues from the week before or into the next."""

    def __init__(self, meeting, week_start, week_end):
        self.meeting = meeting
        first = max(meeting.start_date, week_start)
        last = min(meeting.end_date, week_end)
        self.column = (first - week_start).days
        self.span = (last - first).days + 1
        self.continues_before = meeting.start_date < week_start
        self.continues_after = meeting.end_date > week_end
        self.dates = day_range_in_words(meeting.start_date, meeting.end_date)
        self.time = time_in_words(meeting.start_time) if meeting.is_timed else None
        self.city = meeting.public_city
        self.badge = status_badge(meeting)

    @property
    def columns(self):
        return range(self.column, self.column + self.span)


class Slot:
    """One cell of a lane row: a bar, or an empty day."""

    def __init__(self, bar=None, day=None):
        self.bar = bar
        self.day = day


def lane_order(meeting):
    """Earlier start first, longer first, all-day before timed, earlier time first; the query's order
    (title, pk) breaks the remaining ties, the sort being stable. In Python, so SQLite and PostgreSQL
    (which sort a missing time first and last) draw the same grid."""
    return (
        meeting.start_date,
        meeting.start_date - meeting.end_date,
        meeting.start_time is not None,
        meeting.start_time or datetime.time.min,
    )


class CalendarWeek:
    """A week row: seven days and the lanes of bars drawn across them (each lane a list of slots)."""

    def __init__(self, days, meetings, max_lanes):
        self.days = days
        self.monday = days[0].date
        start, end = days[0].date, days[-1].date
        in_week = [meeting for meeting in meetings if meeting.start_date <= end and meeting.end_date >= start]
        in_week.sort(key=lane_order)
        lanes = []  # each lane: {column: bar}
        for meeting in in_week:
            bar = Bar(meeting, start, end)
            lane = next((lane for lane in lanes if lane.keys().isdisjoint(bar.columns)), None)
            if lane is None and len(lanes) < max_lanes:
                lane = {}
                lanes.append(lane)
            if lane is None:
                for column in bar.columns:
                    days[column].more += 1
                continue
            lane.update(dict.fromkeys(bar.columns, bar))
        self.lanes = [self.slots(lane) for lane in lanes]
        self.more = any(day.more for day in days)

    def slots(self, lane):
        slots, column = [], 0
        while column < len(self.days):
            bar = lane.get(column)
            if bar is None:
                slots.append(Slot(day=self.days[column]))
                column += 1
            else:
                slots.append(Slot(bar=bar))
                column += bar.span
        return slots


def calendar_weeks(mondays, meetings, max_lanes, month=None):
    today = timezone.localdate()
    weeks = []
    for monday in mondays:
        days = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            on_day = [meeting for meeting in meetings if meeting.start_date <= day <= meeting.end_date]
            days.append(CalendarDay(day, month is None or day.month == month, day == today, on_day))
        weeks.append(CalendarWeek(days, meetings, max_lanes))
    return weeks


def weekday_names():
    return [(WEEKDAYS[number], WEEKDAYS_ABBR[number]) for number in range(7)]


def dated_meetings(first_day, last_day):
    published = Meeting.objects.published()
    return list(published.dated().overlapping(first_day, last_day).for_listing().order_by(*UPCOMING_ORDER))


def month_only_meetings(first_day, last_day):
    published = Meeting.objects.published()
    return list(published.month_only().overlapping(first_day, last_day).for_listing().order_by("start_date", "title"))


def week_of_month(first_day):
    """The Monday of the week the week view opens from a month: this week in the current month,
    else the month's first week (the one with its first Thursday, as ISO 8601 numbers weeks)."""
    today = timezone.localdate()
    if (today.year, today.month) == (first_day.year, first_day.month):
        day = today
    else:
        day = first_day + datetime.timedelta(days=(3 - first_day.weekday()) % 7)
    return day - datetime.timedelta(days=day.weekday())


def week_url(monday):
    year, week, _weekday = monday.isocalendar()
    return reverse("events:calendar_week", args=[year, week])


def month_switcher(first_day, current):
    """The links of the view switcher (Month · Week · Agenda) for a month, with the current one marked."""
    return {
        "current": current,
        "month_url": reverse("events:calendar", args=[first_day.year, first_day.month]),
        "week_url": week_url(week_of_month(first_day)),
        "agenda_url": reverse("events:calendar_agenda", args=[first_day.year, first_day.month]),
    }


def agenda_days(weeks):
    """The days of the weeks that are in the month and have meetings, each with its list entries."""
    return [day for week in weeks for day in week.days if day.in_month and day.meetings]


def month_context(year, month, *, current):
    """What the month grid and the month's agenda share: the month, its neighbours and the switcher."""
    first_day, _last_day = month_bounds(year, month)
    previous_month, next_month = neighbour_months(first_day)
    return {
        "month_name": month_in_words(first_day),
        "previous_url": previous_month
        and reverse(f"events:{current}", args=[previous_month.year, previous_month.month]),
        "previous_label": previous_month and month_in_words(previous_month),
        "next_url": next_month and reverse(f"events:{current}", args=[next_month.year, next_month.month]),
        "next_label": next_month and month_in_words(next_month),
        "list_url": reverse("events:month", args=[year, month]),
        "switcher": month_switcher(first_day, current),
    }


class CalendarMonthView(TemplateView):
    """A month as a grid of weeks, each meeting a bar across its days. Phones get it as an agenda."""

    template_name = "events/calendar_month.html"

    def get_context_data(self, *, year, month, **kwargs):
        context = super().get_context_data(**kwargs)
        first_day, last_day = month_bounds(year, month)
        mondays = [week[0] for week in calendar.Calendar(calendar.MONDAY).monthdatescalendar(year, month)]
        dated = dated_meetings(mondays[0], mondays[-1] + datetime.timedelta(days=6))
        month_only = month_only_meetings(first_day, last_day)
        weeks = calendar_weeks(mondays, dated, MONTH_LANES, month=month)
        agenda = agenda_days(weeks)
        # Every entry of the agenda and of the month-only list in one cache read (and one query for those missing).
        entries = list_entries([*dated, *month_only])
        for day in agenda:
            day.entries = joined(entries, day.meetings)
        context.update(
            month_context(year, month, current="calendar"),
            weeks=weeks,
            agenda=agenda,
            weekdays=weekday_names(),
            month_only=month_only,
            month_only_entries=joined(entries, month_only),
            designation_needed=any_mentions_designated_country([*dated, *month_only]),
        )
        return context


class CalendarAgendaView(TemplateView):
    """A month as a list of the days that have meetings: what reads best on a phone."""

    template_name = "events/calendar_agenda.html"

    def get_context_data(self, *, year, month, **kwargs):
        context = super().get_context_data(**kwargs)
        first_day, last_day = month_bounds(year, month)
        dated = dated_meetings(first_day, last_day)
        month_only = month_only_meetings(first_day, last_day)
        today = timezone.localdate()
        entries = list_entries([*dated, *month_only])
        agenda = []
        for number in range(last_day.day):
            day = first_day + datetime.timedelta(days=number)
            on_day = [meeting for meeting in dated if meeting.start_date <= day <= meeting.end_date]
            if on_day:
                agenda_day = CalendarDay(day, True, day == today, on_day)
                agenda_day.entries = joined(entries, on_day)
                agenda.append(agenda_day)
        context.update(
            month_context(year, month, current="calendar_agenda"),
            agenda=agenda,
            month_only=month_only,
            month_only_entries=joined(entries, month_only),
            designation_needed=any_mentions_designated_country([*dated, *month_only]),
        )
        return context


def iso_week_monday(year, week):
    """The Monday of ISO week `week` of `year`; 404 for a week that does not exist or is out of range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404(_("No archive for this date."))
    try:
        return datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise Http404(_("No archive for this date.")) from None


def week_in_range(monday):
    return FIRST_YEAR <= monday.isocalendar()[0] <= LAST_YEAR


class CalendarWeekView(TemplateView):
    """One ISO week, Monday to Sunday, as one row of bars, and day by day for phones."""

    template_name = "events/calendar_week.html"

    def get_context_data(self, *, year, week, **kwargs):
        context = super().get_context_data(**kwargs)
        monday = iso_week_monday(year, week)
        sunday = monday + datetime.timedelta(days=6)
        dated = dated_meetings(monday, sunday)
        (calendar_week,) = calendar_weeks([monday], dated, WEEK_LANES)
        agenda = [day for day in calendar_week.days if day.meetings]
        entries = list_entries(dated)
        for day in agenda:
            day.entries = joined(entries, day.meetings)
        previous_monday, next_monday = monday - WEEK, monday + WEEK
        # The week belongs to the month of its Thursday, as ISO 8601 gives a week to a year.
        thursday = monday + datetime.timedelta(days=3)
        first_day = thursday.replace(day=1)
        days = day_range_in_words(monday, sunday)
        context.update(
            week_number=week,
            days=days,
            weeks=[calendar_week],
            agenda=agenda,
            weekdays=weekday_names(),
            previous_url=week_in_range(previous_monday) and week_url(previous_monday),
            previous_label=day_range_in_words(previous_monday, previous_monday + datetime.timedelta(days=6)),
            next_url=week_in_range(next_monday) and week_url(next_monday),
            next_label=day_range_in_words(next_monday, next_monday + datetime.timedelta(days=6)),
            list_url=f"{reverse('events:list')}?date_from={monday.isoformat()}&date_to={sunday.isoformat()}",
            switcher=month_switcher(first_day, "calendar_week") | {"week_url": week_url(monday)},
            designation_needed=any_mentions_designated_country(dated),
        )
        return context


class CalendarTodayView(RedirectView):
    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        today = timezone.localdate()
        return reverse("events:calendar", args=[today.year, today.month])
