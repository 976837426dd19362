"""Model rules: the database refuses what the forms also refuse, with plain messages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events import models as m
from events.models import (
    Access,
    BackToBack,
    DatePrecision,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Publication,
    Status,
)
from tests.support.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    VenueFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def clean_errors(meeting):
    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    return {field: [str(message) for message in messages] for field, messages in excinfo.value.message_dict.items()}


def test_meeting_end_before_start_is_refused_by_validation_and_database():
    meeting = MeetingFactory.build(start_date=D(2030, 5, 10), end_date=D(2030, 5, 9), venue=VenueFactory())

    assert clean_errors(meeting) == {"end_date": [str(m.END_BEFORE_START)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


def test_meeting_time_without_date_is_refused():
    meeting = MeetingFactory.build(
        date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None, start_time=datetime.time(9), venue=None
    )

    assert clean_errors(meeting) == {"start_time": [str(m.TIME_WITHOUT_DATE)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


def test_meeting_end_time_before_start_time_on_one_day_is_refused():
    meeting = MeetingFactory.build(
        start_time=datetime.time(14), end_time=datetime.time(9), venue=VenueFactory(), slug="timed"
    )

    assert clean_errors(meeting) == {"end_time": [str(m.END_TIME_BEFORE_START_TIME)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


def test_meeting_end_time_before_start_time_is_fine_across_days():
    meeting = MeetingFactory(
        start_date=D(2030, 5, 10), end_date=D(2030, 5, 11), start_time=datetime.time(14), end_time=datetime.time(9)
    )

    meeting.full_clean()


def test_meeting_with_exact_dates_needs_a_start_date():
    meeting = MeetingFactory.build(start_date=None, end_date=None, venue=None)

    assert clean_errors(meeting) == {"start_date": [str(m.START_DATE_REQUIRED)]}


def test_meeting_unknown_date_cannot_carry_dates():
    meeting = MeetingFactory.build(date_precision=DatePrecision.UNKNOWN, venue=None)

    assert clean_errors(meeting) == {"date_precision": [str(m.UNKNOWN_DATE_WITH_DATES)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


def test_meeting_one_day_end_date_is_filled_in():
    meeting = MeetingFactory(start_date=D(2030, 6, 3), end_date=None)

    assert meeting.end_date == D(2030, 6, 3)


def test_meeting_month_only_spans_the_whole_month():
    meeting = MeetingFactory(date_precision=DatePrecision.MONTH, start_date=D(2030, 2, 17), end_date=None)

    assert (meeting.start_date, meeting.end_date) == (D(2030, 2, 1), D(2030, 2, 28))


def test_meeting_open_access_cannot_withhold_venue():
    meeting = MeetingFactory.build(access=Access.OPEN, withhold_venue=True, venue=VenueFactory())

    assert clean_errors(meeting) == {"withhold_venue": [str(m.WITHHOLD_VENUE_ON_OPEN)]}


def test_meeting_closed_withholds_venue_from_public_view():
    meeting = MeetingFactory(access=Access.CLOSED, withhold_venue=True)

    assert meeting.public_venue is None
    assert meeting.venue is not None


def test_meeting_sequence_rises_on_schedule_change_not_on_typo_fix():
    meeting = MeetingFactory(start_date=D(2030, 4, 12))

    meeting.description = "Fixed a typo."
    meeting.save()
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0

    meeting.start_date = meeting.end_date = D(2030, 4, 19)
    meeting.save()
    assert Meeting.objects.get(pk=meeting.pk).sequence == 1

    meeting.status = Status.CANCELLED
    meeting.save()
    assert Meeting.objects.get(pk=meeting.pk).sequence == 2


def test_meeting_uid_survives_slug_change():
    meeting = MeetingFactory()
    uid = meeting.uid

    meeting.slug = "renamed"
    meeting.save()

    assert Meeting.objects.get(slug="renamed").uid == uid


def test_published_hides_drafts_and_future_publish_at():
    MeetingFactory(title="Public")
    MeetingFactory(title="Draft", publication=Publication.DRAFT)
    MeetingFactory(title="Embargoed", publish_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))

    assert [meeting.title for meeting in Meeting.objects.published()] == ["Public"]


def test_upcoming_and_past_split_on_the_end_date():
    today = D(2030, 5, 14)
    MeetingFactory(title="Ended yesterday", start_date=D(2030, 5, 12), end_date=D(2030, 5, 13))
    MeetingFactory(title="Ends today", start_date=D(2030, 5, 12), end_date=D(2030, 5, 14))
    MeetingFactory(title="Next month", start_date=D(2030, 6, 1))
    MeetingFactory(title="Unknown", date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None)

    assert [x.title for x in Meeting.objects.upcoming(today)] == ["Ends today", "Next month"]
    assert [x.title for x in Meeting.objects.past(today)] == ["Ended yesterday"]
    assert [x.title for x in Meeting.objects.date_to_be_confirmed()] == ["Unknown"]


def test_designated_country_reads_with_its_asterisk():
    assert str(CountryFactory(code="XK", name="Kosovo", needs_designation=True)) == "Kosovo*"


def test_back_to_back_not_to_itself():
    meeting = MeetingFactory()
    link = BackToBack(from_meeting=meeting, to_meeting=meeting)

    assert clean_errors(link) == {"to_meeting": [str(m.LINK_TO_ITSELF)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_back_to_back_not_twice_in_either_direction():
    first, second = MeetingFactory(), MeetingFactory()
    BackToBackFactory(from_meeting=first, to_meeting=second)
    reverse = BackToBack(from_meeting=second, to_meeting=first)

    assert clean_errors(reverse) == {"to_meeting": [str(m.LINK_DUPLICATE)]}
    with pytest.raises(IntegrityError), transaction.atomic():
        reverse.save()


def test_one_organisation_can_organise_and_fund():
    eu = OrganisationFactory(name="European Union", acronym="EU")
    MeetingOrganiserFactory(organisation=eu)
    MeetingFunderFactory(organisation=eu)
    MeetingFunderFactory(organisation=OrganisationFactory(name="Norway"))

    assert [org.name for org in MeetingOrganiser.objects.organisations()] == ["European Union"]
    assert [org.name for org in MeetingFunder.objects.organisations()] == ["European Union", "Norway"]


def test_venue_rejects_unknown_timezone():
    venue = VenueFactory.build(country=CountryFactory(code="AL", name="Albania"), timezone="Europe/Atlantis")

    with pytest.raises(ValidationError) as excinfo:
        venue.full_clean()
    assert excinfo.value.message_dict["timezone"] == [
        "“Europe/Atlantis” is not a known time zone; use a name like Europe/Tirane."
    ]


def test_meeting_slug_of_digits_only_is_refused_as_it_would_read_as_a_year():
    meeting = MeetingFactory.build(slug="2019", venue=VenueFactory())

    assert clean_errors(meeting) == {"slug": [str(m.SLUG_ONLY_DIGITS)]}
