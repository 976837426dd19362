"""A meeting's dates in words, as the public reads them on every page."""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.dates import MONTHS_ALT
from hypothesis import given
from hypothesis import strategies as st

from events.dates import day_range_in_words, local_day_in_words, meeting_dates_in_words, moment_in_words
from events.models import DatePrecision, Meeting, Venue

D = datetime.date
T = datetime.time


def meeting(start=None, end=None, precision=DatePrecision.DAY, start_time=None, end_time=None, zone="Europe/Tirane"):
    """An unsaved meeting: words for dates need no database."""
    venue = Venue(pk=1, city="Tirana", timezone=zone)
    item = Meeting(
        start_date=start,
        end_date=end,
        date_precision=precision,
        start_time=start_time,
        end_time=end_time,
        venue=venue,
    )
    item.normalise_dates()
    return item


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_single_day():
    assert meeting_dates_in_words(meeting(D(2019, 4, 24))) == "24 April 2019"


def test_several_days_in_one_month():
    assert meeting_dates_in_words(meeting(D(2018, 10, 23), D(2018, 10, 25))) == "23–25 October 2018"


def test_days_across_two_months():
    assert meeting_dates_in_words(meeting(D(2018, 9, 30), D(2018, 10, 2))) == "30 September – 2 October 2018"


def test_days_across_two_years():
    assert meeting_dates_in_words(meeting(D(2018, 12, 30), D(2019, 1, 2))) == "30 December 2018 – 2 January 2019"


def test_timed_one_day_names_the_zone_in_summer():
    item = meeting(D(2019, 4, 24), start_time=T(9, 30), end_time=T(17, 0))
    assert meeting_dates_in_words(item) == "24 April 2019, 09:30–17:00 CEST"


def test_timed_in_winter_uses_winter_time():
    item = meeting(D(2019, 2, 26), start_time=T(10, 0), end_time=T(12, 0))
    assert meeting_dates_in_words(item) == "26 February 2019, 10:00–12:00 CET"


def test_timed_start_only_says_from_and_invents_no_end():
    item = meeting(D(2019, 3, 5), start_time=T(9, 0), zone="Europe/Belgrade")
    assert meeting_dates_in_words(item) == "5 March 2019, from 09:00 CET"


def test_start_time_without_end_time_over_two_days_is_not_a_24_hour_meeting():
    item = meeting(D(2019, 11, 14), D(2019, 11, 15), start_time=T(9, 30), zone="Europe/Belgrade")
    assert meeting_dates_in_words(item) == "14–15 November 2019, from 09:30 CET"


def test_start_time_without_end_time_across_months():
    item = meeting(D(2019, 10, 31), D(2019, 11, 1), start_time=T(9, 30), zone="Europe/Belgrade")
    assert meeting_dates_in_words(item) == "31 October – 1 November 2019, from 09:30 CET"


def test_start_time_without_end_time_names_the_zone_of_the_start():
    # The clocks go back on 27 October 2019: the meeting starts in summer time.
    item = meeting(D(2019, 10, 26), D(2019, 10, 28), start_time=T(9, 30), zone="Europe/Belgrade")
    assert meeting_dates_in_words(item) == "26–28 October 2019, from 09:30 CEST"


def test_timed_across_a_change_of_clocks_names_both_zones():
    item = meeting(D(2019, 10, 26), D(2019, 10, 28), start_time=T(9, 0), end_time=T(13, 0), zone="Europe/Belgrade")
    assert meeting_dates_in_words(item) == "26 October 2019, 09:00 CEST – 28 October 2019, 13:00 CET"


def test_timed_over_several_days():
    item = meeting(D(2018, 10, 23), D(2018, 10, 25), start_time=T(9, 0), end_time=T(13, 0), zone="Europe/Ljubljana")
    assert meeting_dates_in_words(item) == "23 October 2018, 09:00 – 25 October 2018, 13:00 CEST"


def test_zone_without_abbreviation_is_given_as_utc_offset():
    item = meeting(D(2019, 4, 24), start_time=T(9, 0), zone="Asia/Dubai")
    assert meeting_dates_in_words(item) == "24 April 2019, from 09:00 UTC+04"


def test_a_moment_reads_in_the_sites_zone():
    summer = datetime.datetime(2026, 6, 1, 7, 30, tzinfo=datetime.UTC)
    winter = datetime.datetime(2026, 11, 28, 8, 30, tzinfo=datetime.UTC)
    assert [moment_in_words(summer), moment_in_words(winter)] == [
        "1 June 2026, 09:30 CEST",
        "28 November 2026, 09:30 CET",
    ]


def test_the_day_of_a_moment_is_the_sites_day_not_utcs():
    # 23:30 UTC is already the next day in Belgrade.
    assert local_day_in_words(datetime.datetime(2026, 11, 27, 23, 30, tzinfo=datetime.UTC)) == "28 November 2026"


def test_unknown_date():
    assert meeting_dates_in_words(meeting(precision=DatePrecision.UNKNOWN)) == "Date to be confirmed"


def test_month_only():
    assert meeting_dates_in_words(meeting(D(2018, 10, 14), precision=DatePrecision.MONTH)) == "October 2018"


def test_day_range_of_one_day_without_end():
    assert day_range_in_words(D(2019, 4, 24), None) == "24 April 2019"


@pytest.mark.parametrize(
    "language, with_days, month_only",
    [
        # Croatian: the genitive next to a day, the ordinal dot, the nominative alone.
        ("hr", "23.–25. listopada 2018.", "listopad 2018."),
        ("sr", "23.–25. октобар 2018.", "октобар 2018."),
        ("sr-latn", "23.–25. oktobar 2018.", "oktobar 2018."),
        ("sq", "23–25 tetor 2018", "tetor 2018"),
        ("cnr", "23.–25. oktobar 2018.", "oktobar 2018."),
    ],
)
def test_dates_read_as_each_language_writes_them(language, with_days, month_only):
    with translation.override(language):
        days = meeting_dates_in_words(meeting(D(2018, 10, 23), D(2018, 10, 25)))
        month = meeting_dates_in_words(meeting(D(2018, 10, 1), precision=DatePrecision.MONTH))
    assert (days, month) == (with_days, month_only)


@given(
    start=st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
)
def test_any_range_names_its_first_day_and_ends_with_its_last_day(start, length):
    end = start + datetime.timedelta(days=length)
    with translation.override("en"):
        words = day_range_in_words(start, end)
    first_day, separator = re.match(r"(\d+)(.)", words).groups()
    assert (int(first_day), separator) == (
        start.day,
        "–" if (start.year, start.month) == (end.year, end.month) and length else " ",
    )
    assert words.endswith(f"{end.day} {MONTHS_ALT[end.month]} {end.year}")
    assert str(MONTHS_ALT[start.month]) in words
    assert str(start.year) in words
