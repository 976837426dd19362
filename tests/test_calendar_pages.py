"""The calendar pages through the test client: the month grid (bars across days, lanes, "+k more"), the
week view and the agenda, as a visitor and a screen reader read them, with their queries counted."""

import datetime
import random
from html.parser import HTMLParser

import pytest
from django.utils import timezone, translation

from events.cache import version
from events.cache.fragments import LIST_ENTRY_PREFETCH
from events.cache.version import DATA, PIECES
from events.dates import WEEKDAYS
from events.models import DatePrecision, Publication, Status
from events.public import calendar_views
from tests.support.factories import MeetingFactory, MeetingOrganiserFactory, VenueFactory
from tests.support.html import elements, meeting_titles, texts

D = datetime.date


class Grid(HTMLParser):
    """The grid as a screen reader walks it: per week (<tbody>), the day headers and each lane's cells
    placed in their columns: {"column", "span", "text", "href"}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.weeks, self.cell, self.row = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody":
            self.weeks.append({"days": [], "rows": []})
        elif tag == "tr" and self.weeks:
            self.row = {"class": attrs.get("class", ""), "cells": [], "column": 0}
            self.weeks[-1]["rows"].append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            span = int(attrs.get("colspan", "1"))
            self.cell = {"column": self.row["column"], "span": span, "text": "", "href": None, "tag": tag}
            self.row["column"] += span
            self.row["cells"].append(self.cell)
        elif tag == "a" and self.cell is not None:
            self.cell["href"] = attrs["href"]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.cell["text"] = " ".join(self.cell["text"].split())
            self.cell = None
        elif tag == "tbody":
            week = self.weeks[-1]
            week["days"] = [cell["text"] for cell in week["rows"][0]["cells"]]
            week["lanes"] = [
                [cell for cell in row["cells"] if cell["href"]] for row in week["rows"][1:] if row["class"] == "lane"
            ]
            week["more"] = [
                (cell["column"], cell["text"])
                for row in week["rows"]
                if row["class"] == "more-row"
                for cell in row["cells"]
                if cell["text"]
            ]
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def grid(response):
    reader = Grid()
    reader.feed(response.content.decode())
    return reader.weeks


def bars(weeks, title):
    """(week index, first column, days spanned, text) of every bar of a meeting."""
    return [
        (number, cell["column"], cell["span"], cell["text"])
        for number, week in enumerate(weeks)
        for lane in week["lanes"]
        for cell in lane
        if title in cell["text"]
    ]


def in_the_grid(response_or_html):
    """The page up to the agenda: the grid, not the phone's list below it."""
    html = getattr(response_or_html, "content", response_or_html)
    html = html if isinstance(html, str) else html.decode()
    return html.split('<section class="agenda"')[0]


# --- The month grid ---------------------------------------------------------------------------------------


def test_month_grid_draws_a_meeting_over_a_week_boundary_as_one_bar_per_week(client, db):
    MeetingFactory(
        title="CTI Network",
        slug="cti",
        start_date=D(2019, 4, 27),
        end_date=D(2019, 4, 29),
        venue=VenueFactory(city="Belgrade"),
    )

    weeks = grid(client.get("/calendar/2019/4/"))

    # Saturday and Sunday of the fourth week (columns 5 and 6), then Monday of the fifth: two bars, one link each.
    assert bars(weeks, "CTI Network") == [
        (3, 5, 2, "All day CTI Network, 27–29 April 2019 Belgrade Took place"),
        (4, 0, 1, "All day CTI Network, 27–29 April 2019 Belgrade Took place"),
    ]
    assert weeks[3]["days"][5:] == ["27 Saturday 27 April 2019", "28 Sunday 28 April 2019"]
    assert weeks[4]["days"][0] == "29 Monday 29 April 2019"


def test_month_grid_marks_a_bar_that_continues_into_or_from_another_week(client, db):
    MeetingFactory(title="CTI Network", start_date=D(2019, 4, 27), end_date=D(2019, 4, 29))

    links = elements(in_the_grid(client.get("/calendar/2019/4/")), "a", "bar")

    assert [link["attrs"]["class"] for link in links] == [
        "bar bar-took-place continues-after",
        "bar bar-took-place continues-before",
    ]


def test_month_grid_draws_a_one_day_meeting_as_one_bar_in_its_days_column(client, db):
    MeetingFactory(title="RNNC meeting", start_date=D(2019, 4, 24), start_time=datetime.time(9, 30))

    weeks = grid(client.get("/calendar/2019/4/"))

    assert bars(weeks, "RNNC meeting") == [(3, 2, 1, "09:30 RNNC meeting, 24 April 2019 Tirana Took place")]
    assert weeks[3]["days"][2] == "24 Wednesday 24 April 2019"


def test_month_grid_bar_says_its_start_time_or_all_day(client, db):
    MeetingFactory(title="Timed", start_date=D(2030, 5, 14), start_time=datetime.time(14, 0))
    MeetingFactory(title="Untimed", start_date=D(2030, 5, 15))

    response = client.get("/calendar/2030/5/")

    assert texts(in_the_grid(response), "span", "bar-time") == ["14:00", "All day"]


@pytest.mark.parametrize(
    ("status", "year", "badge"),
    [
        (Status.POSTPONED, 2030, ["status status-postponed", "Postponed"]),
        (Status.CANCELLED, 2030, ["status status-cancelled", "Cancelled"]),
        (Status.TENTATIVE, 2030, ["status status-tbc", "Tentative"]),
        (Status.CONFIRMED, 2019, ["status status-took-place", "Took place"]),
    ],
)
def test_month_grid_bar_shows_the_status_in_colour_and_words(client, db, status, year, badge):
    MeetingFactory(title="Meeting", start_date=D(year, 5, 14), status=status)

    in_grid = in_the_grid(client.get(f"/calendar/{year}/5/"))

    (shown,) = elements(in_grid, "strong", "status")
    assert [shown["attrs"]["class"], shown["text"]] == badge
    (bar,) = elements(in_grid, "a", "bar")
    assert f"bar-{badge[0].split('-', 1)[1]}" in bar["attrs"]["class"].split()


def test_month_grid_bar_of_a_confirmed_meeting_still_to_come_has_no_badge(client, db):
    MeetingFactory(title="Meeting", start_date=D(2030, 5, 14))
    in_grid = in_the_grid(client.get("/calendar/2030/5/"))
    assert elements(in_grid, "strong", "status") == []
    assert [bar["attrs"]["class"] for bar in elements(in_grid, "a", "bar")] == ["bar"]


def test_month_grid_names_each_bar_once_with_its_title_not_once_per_day(client, db):
    MeetingFactory(title="A long meeting title for the whole week", start_date=D(2019, 4, 22), end_date=D(2019, 4, 28))
    html = client.get("/calendar/2019/4/").content.decode()
    # One bar in the grid, and the phone's agenda lists it under each of its seven days.
    assert in_the_grid(html).count("A long meeting title for the whole week") == 1


def test_month_grid_lays_bars_in_lanes_earlier_start_then_longer_first(client, db):
    MeetingFactory(title="Short", start_date=D(2019, 4, 23))
    MeetingFactory(title="Long", start_date=D(2019, 4, 23), end_date=D(2019, 4, 25))
    MeetingFactory(title="Earlier", start_date=D(2019, 4, 22), end_date=D(2019, 4, 23))
    MeetingFactory(title="Later", start_date=D(2019, 4, 26))

    week = grid(client.get("/calendar/2019/4/"))[3]

    lanes = [[(cell["text"].split(",")[0], cell["column"], cell["span"]) for cell in lane] for lane in week["lanes"]]
    assert lanes == [
        [("All day Earlier", 0, 2), ("All day Later", 4, 1)],
        [("All day Long", 1, 3)],
        [("All day Short", 1, 1)],
    ]


def test_month_grid_shows_four_lanes_and_links_each_busy_day_to_the_rest(client, db):
    for number in range(6):
        MeetingFactory(title=f"Busy day meeting {number}", start_date=D(2018, 10, 23))

    response = client.get("/calendar/2018/10/")

    week = grid(response)[3]
    assert [[cell["text"].split(",")[0] for cell in lane] for lane in week["lanes"]] == [
        [f"All day Busy day meeting {number}"] for number in range(4)
    ]
    assert week["more"] == [(1, "2 more on Tuesday 23 October 2018")]
    (more,) = elements(in_the_grid(response), "a", "more-link")
    assert meeting_titles(client.get(more["attrs"]["href"])) == [f"Busy day meeting {number}" for number in range(6)]
    # What a phone shows: the same four under the day's heading, and the same link to the rest.
    agenda = response.content.decode().split('<section class="agenda"')[1]
    assert texts(agenda, "h3") == ["Tuesday 23 October 2018"]
    assert texts(agenda, "span", "bar-title") == [f"Busy day meeting {number}" for number in range(4)]
    (phone_more,) = elements(agenda, "a", "more-link")
    assert phone_more == more


def test_month_grid_counts_a_hidden_multi_day_meeting_on_each_of_its_days(client, db):
    for number in range(4):
        MeetingFactory(title=f"Full {number}", start_date=D(2018, 10, 23))
    MeetingFactory(title="Left out", start_date=D(2018, 10, 23), end_date=D(2018, 10, 24))

    week = grid(client.get("/calendar/2018/10/"))[3]

    # Longer first: the two-day meeting takes the first lane; the fourth one-day meeting is left out.
    assert week["lanes"][0][0]["text"].startswith("All day Left out")
    assert week["more"] == [(1, "1 more on Tuesday 23 October 2018")]


def layout(weeks):
    """Each week's lanes (meeting, first column, days) and each day's "+N more": what the grid draws."""
    return [
        (
            [[(bar.pk, bar.column, bar.span) for bar in dict.fromkeys(lane.values())] for lane in week.lane_bars],
            [day.more for day in week.days],
        )
        for week in weeks
    ]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lanes", [calendar_views.MONTH_LANES, calendar_views.WEEK_LANES])
def test_the_grid_read_in_bounded_rows_is_the_grid_of_every_meeting(db, django_assert_num_queries, seed, lanes):
    # Crowded days of meetings of every length across a week's end, all-day and timed, some on the same
    # days and times (only the title orders them): each day holds far more meetings than a grid has lanes.
    chooser = random.Random(seed)  # noqa: S311 -- the same meetings every run, not a secret
    for number in range(160):
        start = D(2018, 10, 18) + datetime.timedelta(days=chooser.randrange(12))
        MeetingFactory(
            title=f"Meeting {chooser.choice('ABC')} {number}",
            start_date=start,
            end_date=start + datetime.timedelta(days=chooser.choice([0, 0, 0, 1, 2, 5])),
            start_time=chooser.choice([None, None, datetime.time(9), datetime.time(14, 30)]),
            end_time=None,
        )
    mondays = [D(2018, 10, 15) + datetime.timedelta(weeks=number) for number in range(4)]
    first, last = mondays[0], mondays[-1] + datetime.timedelta(days=6)

    with django_assert_num_queries(1):
        bounded = calendar_views.dated_spans(first, last, lanes)
    every = calendar_views.dated_spans(first, last)

    assert len(bounded) < len(every) == 160
    assert sum(span.unseen for span in bounded) + len(bounded) == len(every)
    drawn = layout(calendar_views.calendar_weeks(mondays, bounded, lanes))
    assert drawn == layout(calendar_views.calendar_weeks(mondays, every, lanes))
    assert any(more for _lanes, days in drawn for more in days)


def test_a_day_of_sixty_meetings_reads_four_of_them_and_counts_the_rest(client, db):
    for number in range(60):
        MeetingFactory(title=f"Crowded {number:02}", start_date=D(2018, 10, 23))

    spans = calendar_views.dated_spans(D(2018, 10, 1), D(2018, 11, 4), calendar_views.MONTH_LANES)
    week = grid(client.get("/calendar/2018/10/"))[3]

    assert [span.unseen for span in spans] == [0, 0, 0, 56]
    assert [lane[0]["text"].split(",")[0] for lane in week["lanes"]] == [f"All day Crowded {n:02}" for n in range(4)]
    assert week["more"] == [(1, "56 more on Tuesday 23 October 2018")]


@pytest.mark.parametrize("prefix", ["", "/sr"])
def test_month_grid_weeks_start_on_monday(client, db, prefix):
    response = client.get(f"{prefix}/calendar/2019/5/")

    with translation.override(prefix.strip("/") or "en"):
        names = [str(WEEKDAYS[number]) for number in range(7)]
    assert [cell["attrs"]["title"] for cell in elements(response.content, "abbr")] == names
    weeks = grid(response)
    # 1 May 2019 was a Wednesday: the first row starts on Monday 29 April.
    assert [day.split(" ")[0] for day in weeks[0]["days"]] == ["29", "30", "1", "2", "3", "4", "5"]
    assert [day.split(" ")[0] for day in weeks[-1]["days"]] == ["27", "28", "29", "30", "31", "1", "2"]


def test_month_grid_weekday_header_in_english(client, db):
    response = client.get("/calendar/2019/5/")
    assert texts(response.content, "th", "weekday") == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_month_grid_is_labelled_by_its_heading_without_a_caption(client, db):
    response = client.get("/calendar/2019/5/")
    assert "<caption" not in response.content.decode()
    (table,) = elements(response.content, "table")
    assert table["attrs"]["aria-labelledby"] == "calendar-heading"
    assert texts(response.content, "h1", id="calendar-heading") == ["Calendar: May 2019"]


def test_month_grid_marks_today(client, db):
    today = timezone.localdate()
    MeetingFactory(title="Today's meeting", start_date=today)

    response = client.get(f"/calendar/{today.year}/{today.month}/")

    (header,) = elements(response.content, "th", aria_current="date")
    assert header["text"].endswith("Today")
    assert header["attrs"]["class"] == "day today"


def test_month_grid_leaves_out_drafts_and_month_only_meetings(client, db):
    MeetingFactory(title="Draft", start_date=D(2019, 4, 10), publication=Publication.DRAFT)
    MeetingFactory(title="Month only", start_date=D(2019, 4, 1), date_precision=DatePrecision.MONTH)

    response = client.get("/calendar/2019/4/")

    assert elements(response.content, "a", "bar") == []
    assert texts(response.content, "h2", id="month-only-heading") == ["Also in April 2019, exact dates to be confirmed"]
    assert "Draft" not in response.content.decode()


def month_only_section(response):
    return response.content.decode().split('aria-labelledby="month-only-heading"')[1].split("</section>")[0]


@pytest.mark.parametrize("path", ["/calendar/2019/4/", "/calendar/2019/4/agenda/"])
def test_a_month_of_many_meetings_without_days_lists_ten_and_links_to_the_rest(client, db, path):
    for number in range(13):
        MeetingFactory(title=f"Undated {number:02}", start_date=D(2019, 4, 1), date_precision=DatePrecision.MONTH)

    section = month_only_section(client.get(path))

    assert texts(section, "a", "meeting-link") == [f"Undated {number:02}" for number in range(10)]
    (more,) = elements(section.split('class="month-only-more"')[1], "a")
    assert more["attrs"]["href"] == "/meetings/2019/4/"
    assert texts(section, "p", "month-only-more") == [
        "3 more meetings in April 2019 with exact dates to be confirmed, in the month's list"
    ]
    listed = meeting_titles(client.get(more["attrs"]["href"]))
    assert [title for title in listed if title.startswith("Undated")] == [f"Undated {n:02}" for n in range(13)]


def test_the_link_to_the_rest_of_a_months_undated_meetings_is_translated(client, db):
    for number in range(12):
        MeetingFactory(title=f"Undated {number:02}", start_date=D(2019, 4, 1), date_precision=DatePrecision.MONTH)

    section = month_only_section(client.get("/sr/calendar/2019/4/"))

    assert texts(section, "p", "month-only-more") == [
        "Још 2 састанка – април 2019., тачни датуми биће потврђени, на списку за месец"
    ]


def test_a_month_of_ten_meetings_without_days_lists_them_all_with_no_link(client, db):
    for number in range(10):
        MeetingFactory(title=f"Undated {number:02}", start_date=D(2019, 4, 1), date_precision=DatePrecision.MONTH)

    section = month_only_section(client.get("/calendar/2019/4/"))

    assert len(texts(section, "a", "meeting-link")) == 10
    assert "month-only-more" not in section


def test_month_grid_switches_views_and_months(client, db):
    response = client.get("/calendar/2019/1/")

    switcher = {link["text"]: link["attrs"] for link in elements(response.content, "a") if link["text"] in VIEWS}
    assert switcher == {
        "Month": {"href": "/calendar/2019/1/", "aria-current": "page"},
        # The month's first week: the one with its first Thursday (3 January 2019), ISO week 1.
        "Week": {"href": "/calendar/2019/week/1/"},
        "Agenda": {"href": "/calendar/2019/1/agenda/"},
    }
    navigation = {link["text"]: link["attrs"]["href"] for link in elements(response.content, "a") if link["text"]}
    assert navigation["← December 2018"] == "/calendar/2018/12/"
    assert navigation["February 2019 →"] == "/calendar/2019/2/"
    assert navigation["Meetings in January 2019 as a list"] == "/meetings/2019/1/"


VIEWS = ("Month", "Week", "Agenda")


def test_month_grid_of_this_month_opens_the_week_view_on_this_week(client, db):
    today = timezone.localdate()
    year, week, _day = today.isocalendar()
    response = client.get(f"/calendar/{today.year}/{today.month}/")
    (link,) = [link for link in elements(response.content, "a") if link["text"] == "Week"]
    assert link["attrs"]["href"] == f"/calendar/{year}/week/{week}/"


def test_month_grid_of_a_month_starting_on_a_friday_opens_the_week_view_on_its_first_thursday(client, db):
    # 1 March 2019 was a Friday; the first Thursday is 7 March, ISO week 10.
    response = client.get("/calendar/2019/3/")
    (link,) = [link for link in elements(response.content, "a") if link["text"] == "Week"]
    assert link["attrs"]["href"] == "/calendar/2019/week/10/"


@pytest.mark.parametrize(
    "url",
    [
        "/calendar/1989/12/",
        "/calendar/2101/1/",
        "/calendar/2019/13/",
        "/calendar/2019/0/agenda/",
        "/calendar/2101/1/agenda/",
        "/calendar/1989/week/52/",
        "/calendar/2101/week/1/",
        "/calendar/2019/week/0/",
        "/calendar/2019/week/53/",  # 2019 had 52 ISO weeks
    ],
)
def test_calendar_pages_outside_the_archive_are_not_found(client, db, url):
    assert client.get(url).status_code == 404


def test_calendar_without_date_redirects_to_this_month(client, db):
    today = timezone.localdate()
    response = client.get("/calendar/")
    assert (response.status_code, response["Location"]) == (302, f"/calendar/{today.year}/{today.month}/")


# --- The week view ------------------------------------------------------------------------------------------


def test_week_view_draws_its_meetings_as_bars_monday_to_sunday(client, db):
    MeetingFactory(title="Before", start_date=D(2019, 4, 21))
    MeetingFactory(title="CTI Network", start_date=D(2019, 4, 20), end_date=D(2019, 4, 23))
    MeetingFactory(title="Workshop", start_date=D(2019, 4, 28), start_time=datetime.time(10, 0))
    MeetingFactory(title="After", start_date=D(2019, 4, 29))

    response = client.get("/calendar/2019/week/17/")

    assert texts(response.content, "h1") == ["Calendar: week 17, 22–28 April 2019"]
    (week,) = grid(response)
    assert week["days"] == [
        "22 Monday 22 April 2019",
        "23 Tuesday 23 April 2019",
        "24 Wednesday 24 April 2019",
        "25 Thursday 25 April 2019",
        "26 Friday 26 April 2019",
        "27 Saturday 27 April 2019",
        "28 Sunday 28 April 2019",
    ]
    assert [
        [(cell["text"].split(",")[0], cell["column"], cell["span"]) for cell in lane] for lane in week["lanes"]
    ] == [[("All day CTI Network", 0, 2), ("10:00 Workshop", 6, 1)]]
    (continuing,) = elements(response.content, "a", "continues-before")
    assert "20–23 April 2019" in continuing["text"]
    # Day by day for phones: the days that have meetings.
    assert texts(response.content, "h3") == ["Monday 22 April 2019", "Tuesday 23 April 2019", "Sunday 28 April 2019"]


def test_week_view_links_to_the_weeks_around_it_its_month_and_its_list(client, db):
    response = client.get("/calendar/2019/week/18/")

    navigation = {link["text"]: link["attrs"] for link in elements(response.content, "a") if link["text"]}
    assert texts(response.content, "h1") == ["Calendar: week 18, 29 April – 5 May 2019"]
    assert navigation["← 22–28 April 2019"] == {"rel": "prev", "href": "/calendar/2019/week/17/"}
    assert navigation["6–12 May 2019 →"] == {"rel": "next", "href": "/calendar/2019/week/19/"}
    assert navigation["This week's meetings as a list"] == {
        "href": "/meetings/?date_from=2019-04-29&date_to=2019-05-05"
    }
    # The week belongs to the month of its Thursday (2 May).
    assert navigation["Month"] == {"href": "/calendar/2019/5/"}
    assert navigation["Week"] == {"href": "/calendar/2019/week/18/", "aria-current": "page"}
    assert navigation["Agenda"] == {"href": "/calendar/2019/5/agenda/"}


def test_week_view_crosses_years_by_iso_week(client, db):
    response = client.get("/calendar/2020/week/53/")

    navigation = {link["text"]: link["attrs"]["href"] for link in elements(response.content, "a") if link["text"]}
    assert texts(response.content, "h1") == ["Calendar: week 53, 28 December 2020 – 3 January 2021"]
    assert navigation["4–10 January 2021 →"] == "/calendar/2021/week/1/"
    assert navigation["← 21–27 December 2020"] == "/calendar/2020/week/52/"


def test_week_view_at_the_end_of_the_archive_has_no_next_week(client, db):
    response = client.get("/calendar/2100/week/52/")
    assert response.status_code == 200
    assert [link for link in elements(response.content, "a") if link["attrs"].get("rel") == "next"] == []


def test_week_view_without_meetings_says_so(client, db):
    response = client.get("/calendar/2019/week/17/")
    assert texts(response.content, "p", "notice") == ["No meetings with exact dates this week."]
    assert elements(response.content, "a", "bar") == []


def test_week_view_shows_eight_lanes_before_linking_to_the_day(client, db):
    for number in range(10):
        MeetingFactory(title=f"Busy {number}", start_date=D(2019, 4, 24))

    (week,) = grid(client.get("/calendar/2019/week/17/"))

    assert len(week["lanes"]) == 8
    assert week["more"] == [(2, "2 more on Wednesday 24 April 2019")]


# --- The agenda view ----------------------------------------------------------------------------------------


def test_agenda_view_lists_the_days_of_the_month_that_have_meetings(client, db):
    MeetingFactory(title="Crosses into April", start_date=D(2019, 3, 31), end_date=D(2019, 4, 1))
    MeetingFactory(title="RNNC meeting", start_date=D(2019, 4, 24))
    MeetingFactory(title="Next month", start_date=D(2019, 5, 1))
    MeetingFactory(title="Month only", start_date=D(2019, 4, 1), date_precision=DatePrecision.MONTH)

    response = client.get("/calendar/2019/4/agenda/")

    assert texts(response.content, "h1") == ["Agenda for April 2019"]
    assert texts(response.content, "h2") == [
        "Monday 1 April 2019",
        "Wednesday 24 April 2019",
        "Also in April 2019, exact dates to be confirmed",
    ]
    assert meeting_titles(response) == ["Crosses into April", "RNNC meeting", "Month only"]
    assert elements(response.content, "table") == []


def test_agenda_view_lists_the_first_four_meetings_of_a_busy_day_and_links_to_the_rest(client, db):
    for number in range(6):
        MeetingFactory(title=f"Busy day meeting {number}", start_date=D(2018, 10, 23))

    response = client.get("/calendar/2018/10/agenda/")

    assert meeting_titles(response) == [f"Busy day meeting {number}" for number in range(4)]
    (more,) = elements(response.content, "a", "more-link")
    assert more["text"] == "2 more on Tuesday 23 October 2018"
    assert meeting_titles(client.get(more["attrs"]["href"])) == [f"Busy day meeting {number}" for number in range(6)]


def test_week_view_on_a_phone_shows_the_bars_of_each_day_and_links_to_the_rest(client, db):
    for number in range(10):
        MeetingFactory(title=f"Busy {number}", start_date=D(2019, 4, 24))

    response = client.get("/calendar/2019/week/17/")

    agenda = response.content.decode().split('<section class="agenda"')[1]
    assert texts(agenda, "h3") == ["Wednesday 24 April 2019"]
    assert texts(agenda, "span", "bar-title") == [f"Busy {number}" for number in range(8)]
    assert texts(agenda, "a", "more-link") == ["2 more on Wednesday 24 April 2019"]


def test_agenda_view_links_to_the_months_around_it_and_the_other_views(client, db):
    response = client.get("/calendar/2019/4/agenda/")

    navigation = {link["text"]: link["attrs"] for link in elements(response.content, "a") if link["text"]}
    assert navigation["← March 2019"] == {"rel": "prev", "href": "/calendar/2019/3/agenda/"}
    assert navigation["May 2019 →"] == {"rel": "next", "href": "/calendar/2019/5/agenda/"}
    assert navigation["Month"] == {"href": "/calendar/2019/4/"}
    assert navigation["Week"] == {"href": "/calendar/2019/week/14/"}
    assert navigation["Agenda"] == {"href": "/calendar/2019/4/agenda/", "aria-current": "page"}


def test_agenda_view_of_an_empty_month_says_so(client, db):
    response = client.get("/calendar/2019/4/agenda/")
    assert texts(response.content, "p", "notice") == ["No meetings with exact dates in April 2019."]


def test_agenda_view_marks_today(client, db):
    today = timezone.localdate()
    MeetingFactory(title="Today's meeting", start_date=today)

    response = client.get(f"/calendar/{today.year}/{today.month}/agenda/")

    (day,) = elements(response.content, "li", aria_current="date")
    assert texts(response.content, "h2")[0].endswith("Today")
    assert day["attrs"]["class"] == "today"


# --- Languages, cache and queries --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/calendar/2019/4/", "/calendar/2019/week/17/", "/calendar/2019/4/agenda/"])
def test_calendar_pages_answer_in_every_language_and_come_from_the_page_cache(client, db, path):
    MeetingFactory(title="RNNC meeting", start_date=D(2019, 4, 24))
    serbian = client.get(f"/sr{path}")
    first, second = client.get(path), client.get(path)

    assert serbian.status_code == 200 and '<html lang="sr">' in serbian.content.decode()
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content


def make_meetings(count):
    """count meetings in May 2030 of one to three days, each with an organiser."""
    for index in range(count):
        start = D(2030, 5, 1 + index % 28)
        meeting = MeetingFactory(
            title=f"Meeting {index}", start_date=start, end_date=start + datetime.timedelta(days=index % 3)
        )
        MeetingOrganiserFactory(meeting=meeting)
    MeetingFactory(title="Month only", start_date=D(2030, 5, 1), date_precision=DatePrecision.MONTH)


# Nothing cached: the layout's columns of the dated meetings of the visible days, the whole rows of those
# the page shows, the month-only ones (not in the week view), the countries shown with the designation
# footnote, and what the list entries not cached yet read beside their meetings (one query per prefetch:
# their organisers…); the grid and its phone view draw bars, not list entries.
ENTRIES = len(LIST_ENTRY_PREFETCH)
CALENDAR_QUERIES = {
    "/calendar/2030/5/": 4 + ENTRIES,
    "/calendar/2030/week/19/": 3,
    "/calendar/2030/5/agenda/": 4 + ENTRIES,
}


@pytest.mark.parametrize("count", [5, 60])
def test_calendar_pages_read_the_same_number_of_queries_however_many_meetings(
    client, db, django_assert_num_queries, count
):
    make_meetings(count)
    for url, queries in CALENDAR_QUERIES.items():
        version.publish({DATA, PIECES})
        with django_assert_num_queries(queries, info=url):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("path", "view"),
    [("/calendar/2019/4/", "Month"), ("/calendar/2019/week/17/", "Week"), ("/calendar/2019/4/agenda/", "Agenda")],
)
def test_calendar_pages_mark_the_calendar_in_the_main_navigation_and_their_view(client, db, path, view):
    response = client.get(path)
    assert texts(response.content, "a", aria_current="page") == ["Calendar", view]
