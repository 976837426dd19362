"""The calendar pages: a month grid, a week and an agenda, as a calendar program shows them.

Weeks start on Monday in every language of the site (ISO 8601, as the region's calendars do).
In the grid a meeting is drawn once per week row, as a bar across its days; bars are laid out in
lanes, earlier start first and longer first, at most a fixed number of lanes per week, and a day
with more meetings than fit links to that day's list ("+3 more"). A page reads what the layout needs
(four columns, no objects) of the meetings of its weeks that may get a lane, at most a lane's worth
per first and last day, and counts the others; then the whole row of only the meetings it shows, so
a month of thousands of meetings costs what its few lanes show. On a phone the grid gives way to the
same meetings day by day, each day with the same link to the rest. The agenda view reads its days'
meetings the same way and lists the first few of each day in full. Below both, the month's meetings
whose days are not known: the first few in full, and a link to the month's list for the rest.
"""

import calendar
import datetime
from typing import NamedTuple

from django.db.models import Case, Count, F, When, Window
from django.db.models.functions import RowNumber
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
# The agenda view lists in full this many meetings of a day, then links to that day's list.
AGENDA_DAY_ENTRIES = MONTH_LANES
# Meetings of the month whose days are not known, listed in full below the grid and the agenda; a link
# to the month's list says how many more there are.
MONTH_ONLY_ENTRIES = 10
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
    """One day of a week row: its header, the meetings it shows on it and how many more are held that day."""

    def __init__(self, day, in_month, is_today, meetings=()):
        self.date = day
        self.in_month = in_month
        self.is_today = is_today
        self.meetings = list(meetings)
        self.in_words = _("%(weekday)s %(date)s") % {"weekday": WEEKDAYS[day.weekday()], "date": day_in_words(day)}
        self.more = 0
        self.more_url = day_list_url(day)
        self.entries = ""

    @property
    def css_class(self):
        return " ".join(
            name for name, wanted in (("other-month", not self.in_month), ("today", self.is_today)) if wanted
        )


class Span(NamedTuple):
    """What the lane layout needs of a meeting, read for the meetings of the weeks shown that may get a lane."""

    pk: int
    start_date: datetime.date
    end_date: datetime.date
    start_time: datetime.time | None
    # Meetings of the same first and last day that follow this one in lane order and were not read
    # (dated_spans): none of them can get a lane, so each only adds to the days' "+N more".
    unseen: int = 0


SPAN_FIELDS = ("pk", "start_date", "end_date", "start_time")


class Shown:
    """What a bar and a phone's entry say of a meeting, worked out once however many weeks it crosses."""

    def __init__(self, meeting):
        self.meeting = meeting
        self.dates = day_range_in_words(meeting.start_date, meeting.end_date)
        self.time = time_in_words(meeting.start_time) if meeting.is_timed else None
        self.city = meeting.public_city
        self.badge = status_badge(meeting)


class Bar:
    """A meeting's days within one week row: where the bar starts (column), how many days it spans,
    and whether it continues from the week before or into the next. What it says (`shown`) is
    attached once the meetings the page shows are read."""

    def __init__(self, span, week_start, week_end):
        self.pk = span.pk
        first = max(span.start_date, week_start)
        last = min(span.end_date, week_end)
        self.column = (first - week_start).days
        self.span = (last - first).days + 1
        self.continues_before = span.start_date < week_start
        self.continues_after = span.end_date > week_end
        self.shown = None

    @property
    def meeting(self):
        return self.shown.meeting

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

    def __init__(self, days, spans, max_lanes):
        self.days = days
        self.monday = days[0].date
        start, end = days[0].date, days[-1].date
        in_week = [span for span in spans if span.start_date <= end and span.end_date >= start]
        in_week.sort(key=lane_order)
        lanes = []  # each lane: {column: bar}
        for span in in_week:
            bar = Bar(span, start, end)
            lane = next((lane for lane in lanes if lane.keys().isdisjoint(bar.columns)), None)
            if lane is None and len(lanes) < max_lanes:
                lane = {}
                lanes.append(lane)
            for column in bar.columns:
                days[column].more += span.unseen
            if lane is None:
                for column in bar.columns:
                    days[column].more += 1
                continue
            lane.update(dict.fromkeys(bar.columns, bar))
        self.lane_bars = lanes
        self.bars = [bar for lane in lanes for bar in dict.fromkeys(lane.values())]
        self.more = any(day.more for day in days)
        self.lanes = []

    def show(self, shown, order):
        """Give each bar what it says (shown: {pk: Shown}) and lay out the lanes' cells; each day lists
        its bars' meetings in the query's order (order: {pk: position}). A meeting unpublished since its
        span was read leaves its days empty (the page is then of a version no longer served)."""
        for bar in self.bars:
            bar.shown = shown.get(bar.pk)
        self.bars = [bar for bar in self.bars if bar.shown is not None]
        self.lanes = [self.slots(lane) for lane in self.lane_bars]
        for bar in sorted(self.bars, key=lambda bar: order[bar.pk]):
            for column in bar.columns:
                self.days[column].meetings.append(bar.shown)

    def slots(self, lane):
        slots, column = [], 0
        while column < len(self.days):
            bar = lane.get(column)
            if bar is None or bar.shown is None:
                slots.append(Slot(day=self.days[column]))
                column += 1
            else:
                slots.append(Slot(bar=bar))
                column += bar.span
        return slots


def calendar_weeks(mondays, spans, max_lanes, month=None):
    """The week rows laid out from the spans; the meetings of the bars drawn, and only those, are
    read, in one query."""
    today = timezone.localdate()
    weeks = []
    for monday in mondays:
        days = [
            CalendarDay(day, month is None or day.month == month, day == today)
            for day in (monday + datetime.timedelta(days=offset) for offset in range(7))
        ]
        weeks.append(CalendarWeek(days, spans, max_lanes))
    meetings = meetings_by_pk({bar.pk for week in weeks for bar in week.bars})
    shown = {pk: Shown(meeting) for pk, meeting in meetings.items()}
    order = {span.pk: position for position, span in enumerate(spans)}
    for week in weeks:
        week.show(shown, order)
    return weeks


def meetings_by_pk(pks):
    """{pk: meeting} of the published meetings among pks, with their place: one query, none for no pks."""
    return Meeting.objects.published().for_listing().in_bulk(pks) if pks else {}


def weekday_names():
    return [(WEEKDAYS[number], WEEKDAYS_ABBR[number]) for number in range(7)]


def dated_spans(first_day, last_day, lanes=None):
    """The layout's columns of the dated meetings held between the days, in list order: every one, or with
    lanes only the first `lanes` of each first and last day, in lane order.

    A later meeting of the same days can never get a lane: each one before it holds the same days of a
    lane, or found every lane taken on them. So it is only counted (Span.unseen), and a grid reads a
    bounded number of rows however many meetings a day holds.
    """
    meetings = Meeting.objects.published().dated().overlapping(first_day, last_day)
    if lanes is None:
        return [Span(*row) for row in meetings.order_by(*UPCOMING_ORDER).values_list(*SPAN_FIELDS)]
    same_days = {"partition_by": [F("start_date"), F("end_date")]}
    # lane_order within the same days (all-day first), then the list's own order: the stable sort's tie-break.
    in_lane_order = [Case(When(start_time__isnull=True, then=0), default=1), *UPCOMING_ORDER[1:]]
    meetings = (
        meetings.annotate(
            place=Window(RowNumber(), order_by=in_lane_order, **same_days),
            same_days=Window(Count("pk"), **same_days),
        )
        .filter(place__lte=lanes)
        .order_by(*UPCOMING_ORDER)
    )
    return [
        Span(*row, unseen=same_days - lanes if place == lanes else 0)
        for *row, place, same_days in meetings.values_list(*SPAN_FIELDS, "place", "same_days")
    ]


def month_only_meetings(first_day, last_day):
    """The first MONTH_ONLY_ENTRIES meetings held in the month without known days, and how many more it has,
    in one query: however many a month holds, the page lists a few in full and links to the month's list."""
    meetings = (
        Meeting.objects.published()
        .month_only()
        .overlapping(first_day, last_day)
        .for_listing()
        .annotate(month_only_count=Window(Count("pk")))
        .order_by("start_date", "title")
    )
    listed = list(meetings[:MONTH_ONLY_ENTRIES])
    return listed, (listed[0].month_only_count - len(listed) if listed else 0)


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
    """The days of the weeks that are in the month and have meetings: what a phone shows of the grid."""
    return [day for week in weeks for day in week.days if day.in_month and (day.meetings or day.more)]


def shown_meetings(weeks):
    """The meetings the grid draws, each once."""
    return list({bar.pk: bar.meeting for week in weeks for bar in week.bars}.values())


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
    """A month as a grid of weeks, each meeting a bar across its days. Phones get the same bars day by day."""

    template_name = "events/calendar_month.html"

    def get_context_data(self, *, year, month, **kwargs):
        context = super().get_context_data(**kwargs)
        first_day, last_day = month_bounds(year, month)
        mondays = [week[0] for week in calendar.Calendar(calendar.MONDAY).monthdatescalendar(year, month)]
        spans = dated_spans(mondays[0], mondays[-1] + datetime.timedelta(days=6), MONTH_LANES)
        month_only, month_only_more = month_only_meetings(first_day, last_day)
        weeks = calendar_weeks(mondays, spans, MONTH_LANES, month=month)
        context.update(
            month_context(year, month, current="calendar"),
            weeks=weeks,
            agenda=agenda_days(weeks),
            weekdays=weekday_names(),
            month_only=month_only,
            month_only_more=month_only_more,
            month_only_entries=joined(list_entries(month_only), month_only),
            designation_needed=any_mentions_designated_country([*shown_meetings(weeks), *month_only]),
        )
        return context


class CalendarAgendaView(TemplateView):
    """A month as a list of the days that have meetings, the first few of each day in full and a link
    to the rest: what reads best on a phone."""

    template_name = "events/calendar_agenda.html"

    def get_context_data(self, *, year, month, **kwargs):
        context = super().get_context_data(**kwargs)
        first_day, last_day = month_bounds(year, month)
        spans = dated_spans(first_day, last_day)
        month_only, month_only_more = month_only_meetings(first_day, last_day)
        today = timezone.localdate()
        days = []
        for number in range(last_day.day):
            day = first_day + datetime.timedelta(days=number)
            on_day = [span.pk for span in spans if span.start_date <= day <= span.end_date]
            if on_day:
                agenda_day = CalendarDay(day, True, day == today, on_day[:AGENDA_DAY_ENTRIES])
                agenda_day.more = len(on_day) - len(agenda_day.meetings)
                days.append(agenda_day)
        meetings = meetings_by_pk({pk for day in days for pk in day.meetings})
        entries = list_entries([*meetings.values(), *month_only])
        for day in days:
            day.meetings = [meetings[pk] for pk in day.meetings if pk in meetings]
            day.entries = joined(entries, day.meetings)
        context.update(
            month_context(year, month, current="calendar_agenda"),
            agenda=days,
            month_only=month_only,
            month_only_more=month_only_more,
            month_only_entries=joined(entries, month_only),
            designation_needed=any_mentions_designated_country([*meetings.values(), *month_only]),
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
        (calendar_week,) = calendar_weeks([monday], dated_spans(monday, sunday, WEEK_LANES), WEEK_LANES)
        agenda = [day for day in calendar_week.days if day.meetings or day.more]
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
            designation_needed=any_mentions_designated_country(shown_meetings([calendar_week])),
        )
        return context


class CalendarTodayView(RedirectView):
    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        today = timezone.localdate()
        return reverse("events:calendar", args=[today.year, today.month])
