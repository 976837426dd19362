"""`manage.py generate_meetings`: realistic synthetic meetings for load testing."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from events.management.commands import generate_meetings as generate_meetings_command
from events.management.commands.generate_meetings import YEARS_AHEAD, YEARS_BACK
from events.models import (
    BackToBack,
    DatePrecision,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    OrganiserRole,
    Status,
    Venue,
)
from tests.support.factories import MeetingFactory

# The IANA zone each generated city must carry (Kosovo keeps Belgrade's).
EXPECTED_ZONES = {
    "Tirana": "Europe/Tirane",
    "Sarajevo": "Europe/Sarajevo",
    "Pristina": "Europe/Belgrade",
    "Podgorica": "Europe/Podgorica",
    "Skopje": "Europe/Skopje",
    "Belgrade": "Europe/Belgrade",
    "Ljubljana": "Europe/Ljubljana",
    "Vienna": "Europe/Vienna",
    "Geneva": "Europe/Zurich",
}


def snapshot():
    """What a visitor would see of the synthetic meetings, in a comparable form."""
    meetings = Meeting.objects.filter(is_synthetic=True).order_by("slug").with_related()
    return [
        (
            meeting.title,
            meeting.slug,
            str(meeting.uid),
            meeting.start_date,
            meeting.end_date,
            meeting.start_time,
            meeting.status,
            meeting.venue.city if meeting.venue else None,
            [topic.slug for topic in meeting.topics.all()],
            [(role.organisation.slug, role.role) for role in meeting.organiser_roles.all()],
            [funding.organisation.slug for funding in meeting.fundings.all()],
            sorted(country.code for country in meeting.countries.all()),
        )
        for meeting in meetings
    ]


@pytest.mark.django_db
def test_generate_meetings_adds_exactly_the_count_asked_all_synthetic():
    real = MeetingFactory(title="Real meeting")

    call_command("generate_meetings", count=120, seed=1, verbosity=0)

    assert Meeting.objects.filter(is_synthetic=True).count() == 120
    assert list(Meeting.objects.filter(is_synthetic=False)) == [real]


@pytest.mark.django_db
def test_generate_meetings_gives_every_meeting_an_organiser_topics_and_countries():
    call_command("generate_meetings", count=200, seed=2, verbosity=0)

    meetings = Meeting.objects.filter(is_synthetic=True)
    assert meetings.filter(organiser_roles__isnull=True).count() == 0
    assert meetings.filter(topics__isnull=True).count() == 0
    assert meetings.filter(countries__isnull=True).count() == 0
    # The first organiser of each meeting is its organiser; others have roles (host, chair…).
    first_roles = set(MeetingOrganiser.objects.filter(position=0).values_list("role", flat=True))
    assert first_roles == {OrganiserRole.ORGANISER}
    assert MeetingOrganiser.objects.exclude(role=OrganiserRole.ORGANISER).exists()
    assert MeetingFunder.objects.filter(meeting__in=meetings).exists()


@pytest.mark.django_db
def test_generate_meetings_mixes_the_kinds_of_meeting_a_real_calendar_has():
    call_command("generate_meetings", count=600, seed=3, verbosity=0)

    meetings = Meeting.objects.filter(is_synthetic=True)
    today = timezone.localdate()
    assert meetings.filter(status=Status.CANCELLED).exists()
    assert meetings.filter(start_time__isnull=False).exists()
    assert meetings.filter(date_precision=DatePrecision.DAY).exclude(end_date=F("start_date")).exists()
    assert meetings.filter(date_precision=DatePrecision.MONTH).exists()
    assert meetings.filter(date_precision=DatePrecision.UNKNOWN, start_date__isnull=True).exists()
    assert meetings.filter(start_date__lt=today).exists()
    assert meetings.filter(start_date__gt=today).exists()
    assert BackToBack.objects.filter(from_meeting__is_synthetic=True).exists()
    dated = meetings.exclude(start_date=None)
    first_year = dated.order_by("start_date").first().start_date.year
    last_year = dated.order_by("-start_date").first().start_date.year
    assert today.year - YEARS_BACK <= first_year
    assert last_year <= today.year + YEARS_AHEAD + 1  # a meeting may chain into the next year


@pytest.mark.django_db
def test_generated_meetings_pass_model_validation_and_back_to_back_links_follow_on():
    call_command("generate_meetings", count=300, seed=4, verbosity=0)

    for meeting in Meeting.objects.filter(is_synthetic=True)[:60]:
        meeting.full_clean()
    links = list(BackToBack.objects.select_related("from_meeting", "to_meeting"))
    assert links
    for link in links:
        assert link.to_meeting.start_date == link.from_meeting.end_date + datetime.timedelta(days=1)
        assert link.to_meeting.venue_id == link.from_meeting.venue_id


@pytest.mark.django_db
def test_generated_venues_carry_their_city_time_zone():
    call_command("generate_meetings", count=50, seed=5, verbosity=0)

    zones = {venue.city: venue.timezone for venue in Venue.objects.filter(city__in=EXPECTED_ZONES)}
    assert zones == EXPECTED_ZONES


@pytest.mark.django_db
def test_generate_meetings_with_a_seed_is_deterministic():
    call_command("generate_meetings", count=40, seed=6, verbosity=0)
    first = snapshot()
    call_command("generate_meetings", delete=True, verbosity=0)

    call_command("generate_meetings", count=40, seed=6, verbosity=0)

    assert snapshot() == first
    assert len(first) == 40


@pytest.mark.django_db
def test_generate_meetings_run_twice_appends_new_meetings():
    call_command("generate_meetings", count=30, seed=7, verbosity=0)
    first_slugs = set(Meeting.objects.values_list("slug", flat=True))

    call_command("generate_meetings", count=30, seed=7, verbosity=0)

    slugs = set(Meeting.objects.values_list("slug", flat=True))
    assert len(slugs) == 60
    assert first_slugs < slugs


@pytest.mark.django_db
def test_generate_meetings_delete_removes_synthetic_meetings_and_their_rows_only():
    real = MeetingFactory(title="Real meeting")
    call_command("generate_meetings", count=80, seed=8, verbosity=0)

    call_command("generate_meetings", delete=True, verbosity=0)

    assert list(Meeting.objects.all()) == [real]
    assert MeetingOrganiser.objects.count() == 0
    assert Meeting.topics.through.objects.count() == 0
    assert Meeting.countries.through.objects.count() == 0
    assert BackToBack.objects.count() == 0


@pytest.mark.django_db
def test_generating_and_deleting_meetings_start_new_cache_versions_once(monkeypatch):
    # Bulk inserts and raw deletes send no signals: the command itself says everything changed.
    calls = []
    monkeypatch.setattr(generate_meetings_command, "invalidate_all", lambda: calls.append("invalidate_all"))

    call_command("generate_meetings", count=5, seed=9, verbosity=0)
    assert calls == ["invalidate_all"]

    call_command("generate_meetings", delete=True, verbosity=0)
    assert calls == ["invalidate_all", "invalidate_all"]


@pytest.mark.django_db
def test_the_planner_has_statistics_once_meetings_are_generated():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics (pg_class.reltuples) are PostgreSQL's")
    call_command("generate_meetings", count=300, seed=3, verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Meeting._meta.db_table])
        (estimated,) = cursor.fetchone()
    # Without ANALYZE the table would still be "never analysed" (-1) and plans would be guesses.
    assert estimated >= 300
