"""CachedCountPaginator: the exact count once per query and data version."""

import datetime

import pytest
from django.db.models import Case, Value, When

from events.models import UPCOMING_ORDER, DatePrecision, Meeting
from events.public import pagination
from events.public.pagination import ArchivePaginator, CachedCountPaginator, InListOrderPaginator
from tests.support.factories import MeetingFactory


@pytest.mark.django_db
def test_count_is_served_from_the_cache_for_the_same_query(django_assert_num_queries):
    MeetingFactory.create_batch(3)
    assert CachedCountPaginator(Meeting.objects.published(), 2, count_key="all").count == 3

    with django_assert_num_queries(0):
        count = CachedCountPaginator(Meeting.objects.published(), 2, count_key="all").count

    assert count == 3


@pytest.mark.django_db
def test_count_differs_per_filter(django_assert_num_queries):
    MeetingFactory(title="Border meeting")
    MeetingFactory(title="Other meeting")
    assert CachedCountPaginator(Meeting.objects.published(), 2, count_key="all").count == 2

    with django_assert_num_queries(1):
        count = CachedCountPaginator(
            Meeting.objects.published().filter(title__startswith="Border"), 2, count_key="border"
        ).count

    assert count == 1


@pytest.mark.django_db(transaction=True)
def test_count_is_recomputed_after_an_edit():
    MeetingFactory.create_batch(2)
    assert CachedCountPaginator(Meeting.objects.published(), 10, count_key="all").count == 2

    MeetingFactory()

    paginator = CachedCountPaginator(Meeting.objects.published(), 10, count_key="all")
    assert paginator.count == 3
    assert paginator.num_pages == 1


@pytest.fixture
def meetings_in_every_bucket(db):
    today = datetime.date(2026, 6, 15)
    rows = [
        ("Past, long ago", datetime.date(2019, 5, 1), datetime.date(2019, 5, 2)),
        ("Past, last week", datetime.date(2026, 6, 8), datetime.date(2026, 6, 9)),
        ("Past, yesterday", datetime.date(2026, 6, 14), datetime.date(2026, 6, 14)),
        ("Ongoing", datetime.date(2026, 6, 14), datetime.date(2026, 6, 16)),
        ("Today", datetime.date(2026, 6, 15), datetime.date(2026, 6, 15)),
        ("Next month A", datetime.date(2026, 7, 1), datetime.date(2026, 7, 1)),
        ("Next month B", datetime.date(2026, 7, 1), datetime.date(2026, 7, 3)),
        ("Next year", datetime.date(2027, 3, 3), datetime.date(2027, 3, 3)),
    ]
    for title, start, end in rows:
        MeetingFactory(title=title, start_date=start, end_date=end)
    for title in ("Date to be confirmed B", "Date to be confirmed A"):
        MeetingFactory(title=title, date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None)
    return today


EXPECTED_LIST_ORDER = [
    "Ongoing",
    "Today",
    "Next month A",
    "Next month B",
    "Next year",
    "Date to be confirmed A",
    "Date to be confirmed B",
    "Past, yesterday",
    "Past, last week",
    "Past, long ago",
]


@pytest.mark.parametrize("per_page", [1, 3, 4, 20])
def test_in_list_order_pages_run_upcoming_then_unknown_dates_then_past(meetings_in_every_bucket, per_page):
    meetings = Meeting.objects.published().order_by("pk")
    paginator = InListOrderPaginator(meetings, per_page, today=meetings_in_every_bucket, count_key="all")

    titles = [meeting.title for number in paginator.page_range for meeting in paginator.page(number)]

    assert titles == EXPECTED_LIST_ORDER
    assert paginator.count == 10


def test_in_list_order_page_straddling_segments_reads_each_segment_once(
    meetings_in_every_bucket, django_assert_num_queries
):
    meetings = Meeting.objects.published().order_by("pk")
    paginator = InListOrderPaginator(meetings, 4, today=meetings_in_every_bucket, count_key="all")
    assert paginator.count == 10  # the counts: one query, then cached

    # Page 2 holds the last upcoming meeting, both unknown dates and the first past one.
    with django_assert_num_queries(3):
        titles = [meeting.title for meeting in paginator.page(2)]

    assert titles == EXPECTED_LIST_ORDER[4:8]


def test_cached_segment_sizes_follow_the_day(meetings_in_every_bucket):
    """The counts are cached under the view's key, and a new day makes a new entry: at midnight
    today's meetings move from upcoming to past."""
    today = meetings_in_every_bucket
    meetings = Meeting.objects.published().order_by("pk")
    before = InListOrderPaginator(meetings, 4, today=today, count_key="/meetings/|[]")
    assert before.segment_counts == [5, 2, 3]

    after = InListOrderPaginator(meetings, 4, today=today + datetime.timedelta(days=1), count_key="/meetings/|[]")
    # "Today" ended; "Ongoing" still runs until the 16th.
    assert after.segment_counts == [4, 2, 4]


@pytest.fixture
def deep_from_the_third_position(monkeypatch):
    """Pages from the third position on are read from the kept order, in pieces of three keys, so
    pages straddle pieces and segments alike."""
    monkeypatch.setattr(pagination, "ORDER_FROM_POSITION", 2)
    monkeypatch.setattr(pagination, "ORDER_CHUNK", 3)


@pytest.mark.parametrize("per_page", [1, 2, 3, 4])
def test_deep_pages_read_from_the_kept_order_run_in_list_order(
    meetings_in_every_bucket, deep_from_the_third_position, per_page
):
    meetings = Meeting.objects.published().order_by("pk")
    paginator = InListOrderPaginator(meetings, per_page, today=meetings_in_every_bucket, count_key="all")

    titles = [meeting.title for number in paginator.page_range for meeting in paginator.page(number)]

    assert titles == EXPECTED_LIST_ORDER


def test_deep_page_of_keys_reads_no_row_once_the_order_is_kept(
    meetings_in_every_bucket, deep_from_the_third_position, django_assert_num_queries
):
    keys = Meeting.objects.published().values_list("pk", flat=True).order_by("pk")
    first = InListOrderPaginator(keys, 3, today=meetings_in_every_bucket, count_key="all", keys_only=True)
    assert first.count == 10  # the counts: one query, then cached
    # The whole order: one read per segment, then kept.
    with django_assert_num_queries(3):
        list(first.page(2))

    again = InListOrderPaginator(keys, 3, today=meetings_in_every_bucket, count_key="all", keys_only=True)
    with django_assert_num_queries(0):
        page = list(again.page(3))

    titles = dict(Meeting.objects.values_list("pk", "title"))
    assert [titles[pk] for pk in page] == EXPECTED_LIST_ORDER[6:9]


@pytest.mark.django_db(transaction=True)
def test_kept_order_is_read_again_after_an_edit(meetings_in_every_bucket, deep_from_the_third_position):
    today = meetings_in_every_bucket
    meetings = Meeting.objects.published().order_by("pk")
    before = InListOrderPaginator(meetings, 3, today=today, count_key="all")
    assert [meeting.title for meeting in before.page(3)] == EXPECTED_LIST_ORDER[6:9]

    MeetingFactory(title="Next week", start_date=datetime.date(2026, 6, 22), end_date=datetime.date(2026, 6, 22))

    after = InListOrderPaginator(meetings, 3, today=today, count_key="all")
    titles = [meeting.title for meeting in after.page(3)]
    assert titles == ["Date to be confirmed A", "Date to be confirmed B", "Past, yesterday"]


def test_deep_archive_pages_run_upcoming_then_past_in_calendar_order(
    meetings_in_every_bucket, deep_from_the_third_position
):
    today = meetings_in_every_bucket
    past = Case(When(end_date__lt=today, then=Value(1)), default=Value(0))
    meetings = Meeting.objects.published().dated().order_by(past, *UPCOMING_ORDER)
    expected = [meeting.title for meeting in meetings]
    paginator = ArchivePaginator(meetings, 3, today=today, count_key="archive")

    titles = [meeting.title for number in paginator.page_range for meeting in paginator.page(number)]

    assert titles == expected
    assert titles[:5] == ["Ongoing", "Today", "Next month A", "Next month B", "Next year"]
