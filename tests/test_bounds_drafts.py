"""Topics and programmes named only by drafts (or by meetings not yet due) stay out of public filters
and feed names, as organisers and funders already do."""

import datetime
import re

import icalendar
import pytest
from django.utils import timezone

from events.models import Meeting, Publication
from tests.support.calendars import content_of
from tests.support.factories import MeetingFactory, ProgrammeFactory, TopicFactory

pytestmark = pytest.mark.django_db

INVALID = "Select a valid choice. {} is not one of the available choices."


@pytest.fixture
def meetings(db):
    start = datetime.date(2030, 5, 14)
    public = MeetingFactory(title="Public meeting", slug="public", start_date=start)
    public.topics.add(TopicFactory(name="Border security", slug="border-security"))
    public.programmes.add(ProgrammeFactory(name="IISG", slug="iisg"))
    draft = MeetingFactory(title="Draft", slug="draft", start_date=start, publication=Publication.DRAFT)
    draft.topics.add(TopicFactory(name="Secret talks", slug="secret-talks"))
    draft.programmes.add(ProgrammeFactory(name="Unannounced programme", slug="unannounced"))
    scheduled = MeetingFactory(
        title="Scheduled", slug="scheduled", start_date=start, publish_at=timezone.now() + datetime.timedelta(days=3)
    )
    scheduled.topics.add(TopicFactory(name="Embargoed topic", slug="embargoed"))
    scheduled.programmes.add(ProgrammeFactory(name="Embargoed programme", slug="embargoed-programme"))


def choices(response, name):
    return re.findall(rf'name="{name}" value="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("path", ["/meetings/", "/meetings/2030/", "/meetings/2030/5/"])
def test_list_filters_offer_only_topics_and_programmes_of_published_meetings(client, meetings, path):
    response = client.get(path)

    assert response.status_code == 200
    assert choices(response, "topic") == ["border-security"]
    assert choices(response, "programme") == ["iisg"]
    page = response.content.decode()
    for hidden in ("Secret talks", "Unannounced programme", "Embargoed topic", "Embargoed programme"):
        assert hidden not in page


@pytest.mark.parametrize(
    ("name", "slug"),
    [("topic", "secret-talks"), ("programme", "unannounced"), ("topic", "embargoed")],
)
def test_a_draft_only_topic_or_programme_cannot_name_a_feed(client, meetings, name, slug):
    on_the_list = client.get("/meetings/", {name: slug})
    on_the_feed = client.get("/calendar.ics", {name: slug})

    assert on_the_list.status_code == 400
    assert on_the_list.context["filter"].errors[name] == [INVALID.format(slug)]
    assert on_the_feed.status_code == 400
    assert "Secret talks" not in on_the_feed.content.decode()
    assert "Unannounced" not in on_the_feed.content.decode()


def test_a_feed_is_named_after_a_public_topic_and_programme(client, meetings):
    response = client.get("/calendar.ics", {"topic": "border-security", "programme": "iisg"})

    calendar = icalendar.Calendar.from_ical(content_of(response))
    assert response.status_code == 200
    name = str(calendar["X-WR-CALNAME"])
    assert "Border security" in name
    assert "IISG" in name
    assert [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")] == ["Public meeting"]


# Committed for real: the data version (and with it the cached filter form) moves when a save commits.
@pytest.mark.django_db(transaction=True)
def test_a_topic_appears_once_its_meeting_is_published(client, meetings):
    assert choices(client.get("/meetings/"), "topic") == ["border-security"]
    draft = Meeting.objects.get(slug="draft")

    draft.publication = Publication.PUBLISHED
    draft.save()

    assert choices(client.get("/meetings/"), "topic") == ["border-security", "secret-talks"]
