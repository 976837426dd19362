"""Calendar feeds and downloads: parsed with icalendar and with vobject, which must agree."""

import datetime
import gzip
import io
import zoneinfo

import icalendar
import pytest
import time_machine
from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from events.cache import version
from events.calendar import assembly as feeds
from events.calendar import links as calendar_links
from events.filters import MeetingFilter, MeetingQuery
from events.models import Access, DatePrecision, Meeting, OrganiserRole, Publication, Status
from tests.support.calendars import content_of, parse
from tests.support.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
)

D = datetime.date
T = datetime.time
UTC = datetime.UTC
TIRANE = zoneinfo.ZoneInfo("Europe/Tirane")
ARCHIVE = "/calendar.ics?date_from=2000-01-01"

pytestmark = pytest.mark.django_db


def calendar_of(content):
    return icalendar.Calendar.from_ical(content)


def get_feed(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response, parse(content_of(response))


def titles(events):
    return sorted(event["summary"] for event in events.values())


# --- The seed's meetings -------------------------------------------------------------------------------


def test_seed_meetings_dates_round_trip_exactly(client, seed):
    dated = Meeting.objects.published().dated()
    expected = {str(m.uid): (m.start_date, m.end_date + datetime.timedelta(days=1)) for m in dated}

    _, events = get_feed(client, ARCHIVE)

    assert {uid: (event["start"], event["end"]) for uid, event in events.items()} == expected
    assert len(expected) == 10
    cti = Meeting.objects.get(slug="meeting-counter-terrorism-initiative-cti-network")
    assert (events[str(cti.uid)]["start"], events[str(cti.uid)]["end"]) == (D(2018, 10, 23), D(2018, 10, 26))


def test_seed_meetings_without_exact_dates_are_left_out(client, seed):
    undated = list(Meeting.objects.exclude(date_precision=DatePrecision.DAY).values_list("uid", flat=True))

    _, events = get_feed(client, ARCHIVE)

    assert len(undated) == 2
    assert [uid for uid in map(str, undated) if uid in events] == []
    response = client.get("/meetings/meeting-heads-police-cooperation-centres.ics")
    assert response.status_code == 404


def test_seed_meeting_description_names_organisers_funders_and_back_to_back_meetings(client, seed):
    meeting = Meeting.objects.get(slug="3rd-meeting-regional-network-national-p-cve-coordinators")

    _, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    lines = events[str(meeting.uid)]["description"].split("\n")
    assert [line for line in lines if line.startswith(("Organisers:", "Funded by:", "Back-to-back"))] == [
        "Organisers: EUD/EUSR BiH (Organiser); IISG Support Group (Organiser)",
        "Funded by: EU",
        "Back-to-back with: 7th Meeting of the RCC Group of National Focal Points for Prevention and Countering "
        "Violent Extremism in South East Europe (NFP Group) (23 April 2019)",
        "Back-to-back with: 1st IISG National P-CVE Coordination Meeting – Albania (25 April 2019)",
    ]
    assert lines[-1] == f"http://127.0.0.1:8000/meetings/{meeting.slug}/"


def test_seed_cluster_feed_holds_the_meeting_week(client, seed):
    _, events = get_feed(client, "/meetings/3rd-meeting-regional-network-national-p-cve-coordinators/cluster.ics")

    expected = Meeting.objects.filter(
        slug__in=[
            "3rd-meeting-regional-network-national-p-cve-coordinators",
            "7th-meeting-rcc-nfp-group",
            "1st-iisg-national-p-cve-coordination-meeting-albania",
        ]
    )
    assert titles(events) == sorted(m.title for m in expected)
    assert sorted(e["start"] for e in events.values()) == [D(2019, 4, 23), D(2019, 4, 24), D(2019, 4, 25)]


# --- Every VCALENDAR and VEVENT ------------------------------------------------------------------------


def test_feed_calendar_properties_name_the_filter(client):
    topic = TopicFactory(name="P-CVE", slug="p-cve")
    albania = CountryFactory(code="AL", name="Albania")
    MeetingFactory(start_date=D(2030, 5, 14)).topics.add(topic)

    response, _ = get_feed(client, "/calendar.ics?topic=p-cve&country=AL")

    calendar = calendar_of(response.content)
    assert {key: str(calendar[key]) for key in ("VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME")} == {
        "VERSION": "2.0",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-WR-CALNAME": f"Security meetings — P-CVE, {albania.display_name}",
    }
    assert str(calendar["PRODID"]).startswith("-//Western Balkans security meetings//")
    assert calendar["X-WR-CALDESC"]
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=6)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT6H"


def test_event_properties_of_a_timed_meeting(client):
    venue = VenueFactory(name="Hotel Tirana", city="Tirana", latitude="41.327500", longitude="19.818900")
    meeting = MeetingFactory(
        title="Border police chiefs",
        venue=venue,
        start_date=D(2030, 6, 4),
        start_time=T(9, 30),
        end_time=T(17),
        access=Access.OPEN,
    )
    meeting.topics.add(TopicFactory(name="Border security"), TopicFactory(name="SALW"))

    response, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    event = calendar_of(response.content).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Tirane"
    assert events[str(meeting.uid)]["start"] == datetime.datetime(2030, 6, 4, 7, 30, tzinfo=UTC)
    assert events[str(meeting.uid)]["end"] == datetime.datetime(2030, 6, 4, 15, tzinfo=UTC)
    assert str(event["CLASS"]) == "PUBLIC"
    assert str(event["LOCATION"]) == "Hotel Tirana, Tirana, Albania"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (41.3275, 19.8189)
    assert str(event["URL"]) == f"http://127.0.0.1:8000/meetings/{meeting.slug}/"
    assert event["CATEGORIES"].cats == ["Border security", "SALW"]
    assert event.decoded("LAST-MODIFIED") == meeting.updated_at.replace(microsecond=0)
    assert event.decoded("DTSTAMP") == meeting.updated_at.replace(microsecond=0)
    assert event.decoded("CREATED") == meeting.created_at.replace(microsecond=0)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_timed_meeting_across_a_dst_change_keeps_its_local_times(client):
    # Summer time starts on 30 March 2025 at 02:00 in Tirana.
    meeting = MeetingFactory(start_date=D(2025, 3, 29), end_date=D(2025, 3, 31), start_time=T(9), end_time=T(17))

    _, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    assert events[str(meeting.uid)]["start"] == datetime.datetime(2025, 3, 29, 8, tzinfo=UTC)  # 09:00 CET
    assert events[str(meeting.uid)]["end"] == datetime.datetime(2025, 3, 31, 15, tzinfo=UTC)  # 17:00 CEST


def test_meeting_in_2040_is_placed_by_the_feeds_own_vtimezone(client):
    # A VTIMEZONE cut off at 2038 would leave 2040 on winter time: an hour off in Outlook and Thunderbird.
    meeting = MeetingFactory(start_date=D(2040, 7, 10), start_time=T(10), end_time=T(12))

    response, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    assert events[str(meeting.uid)]["start"] == datetime.datetime(2040, 7, 10, 8, tzinfo=UTC)
    assert events[str(meeting.uid)]["end"] == datetime.datetime(2040, 7, 10, 10, tzinfo=UTC)
    vtimezone = calendar_of(response.content).walk("VTIMEZONE")[0]
    assert str(vtimezone["TZID"]) == "Europe/Tirane"
    # Outlook ignores RDATE lists: one STANDARD (from the change before 2000) and one DAYLIGHT with
    # an open-ended yearly rule.
    assert [(c.name, c["RRULE"].to_ical().decode()) for c in vtimezone.subcomponents] == [
        ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
    ]


@pytest.mark.django_db(transaction=True)
def test_cancelled_meeting_stays_with_status_cancelled_and_a_higher_sequence(
    client, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(title="SALW Commission", start_date=D(2030, 9, 1))
    _, before = get_feed(client, "/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        meeting.status = Status.CANCELLED
        meeting.save()
    _, after = get_feed(client, "/calendar.ics")

    assert before[str(meeting.uid)]["summary"] == "SALW Commission"
    assert after[str(meeting.uid)]["summary"] == "Cancelled: SALW Commission"
    assert after[str(meeting.uid)]["status"] == "CANCELLED"
    assert after[str(meeting.uid)]["sequence"] > before[str(meeting.uid)]["sequence"]


def test_tentative_and_postponed_meetings_are_tentative(client):
    tentative = MeetingFactory(status=Status.TENTATIVE)
    postponed = MeetingFactory(status=Status.POSTPONED)
    confirmed = MeetingFactory(status=Status.CONFIRMED)

    _, events = get_feed(client, "/calendar.ics")

    assert {uid: e["status"] for uid, e in events.items()} == {
        str(tentative.uid): "TENTATIVE",
        str(postponed.uid): "TENTATIVE",
        str(confirmed.uid): "CONFIRMED",
    }


@pytest.mark.django_db(transaction=True)
def test_sequence_rises_on_a_date_change_but_not_on_a_typo_fix(client, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(start_date=D(2030, 5, 14))
    _, first = get_feed(client, "/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        meeting.summary = "A regional meeting (typo fixed)."
        meeting.save()
    _, after_typo = get_feed(client, "/calendar.ics")
    with django_capture_on_commit_callbacks(execute=True):
        meeting.start_date = meeting.end_date = D(2030, 5, 15)
        meeting.save()
    _, after_move = get_feed(client, "/calendar.ics")

    uid = str(meeting.uid)
    assert after_typo[uid]["sequence"] == first[uid]["sequence"]
    assert after_typo[uid]["description"].startswith("A regional meeting (typo fixed).")
    assert after_move[uid]["sequence"] == first[uid]["sequence"] + 1
    assert after_move[uid]["start"] == D(2030, 5, 15)


@pytest.mark.django_db(transaction=True)
def test_uid_survives_a_slug_change(client, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(slug="old-slug")
    _, before = get_feed(client, "/meetings/old-slug.ics")

    with django_capture_on_commit_callbacks(execute=True):
        meeting.slug = "new-slug"
        meeting.save()
    _, after = get_feed(client, "/meetings/new-slug.ics")

    assert list(before) == list(after) == [str(meeting.uid)]
    assert client.get("/meetings/old-slug.ics").status_code == 404


def test_closed_meeting_never_shows_the_withheld_venue(client):
    venue = VenueFactory(name="Secret Villa", address="1 Hidden Street", latitude="41.1", longitude="19.1")
    meeting = MeetingFactory(venue=venue, access=Access.CLOSED, withhold_venue=True)

    response, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    event = calendar_of(response.content).walk("VEVENT")[0]
    assert events[str(meeting.uid)]["location"] == "Tirana, Albania"
    assert "GEO" not in event
    assert str(event["CLASS"]) == "PRIVATE"
    assert b"Secret Villa" not in response.content
    assert b"Hidden Street" not in response.content


def test_kosovo_is_written_with_its_designation(client):
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    meeting = MeetingFactory(venue=VenueFactory(name="", city="Pristina", country=kosovo, timezone="Europe/Belgrade"))

    _, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    assert events[str(meeting.uid)]["location"] == "Pristina, Kosovo*"


def test_editor_text_cannot_break_the_format(client):
    hostile = "Rule of law, borders; and back\\slashes " + "very long " * 25
    meeting = MeetingFactory(
        title=hostile,
        slug="hostile",
        summary="First line\r\nEND:VEVENT\r\nBEGIN:VEVENT\nSUMMARY:injected",
        venue=VenueFactory(name="Hall A, Floor 2; East\\Wing", city="Tirana"),
    )

    response, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    assert list(events) == [str(meeting.uid)]
    event = events[str(meeting.uid)]
    assert event["summary"] == hostile
    assert event["description"].split("\n")[:4] == ["First line", "END:VEVENT", "BEGIN:VEVENT", "SUMMARY:injected"]
    assert event["location"] == "Hall A, Floor 2; East\\Wing, Tirana, Albania"
    assert max(len(line) for line in response.content.split(b"\r\n")) <= 75


# --- Which meetings --------------------------------------------------------------------------------------


def test_default_feed_holds_every_published_meeting_newest_first(client):
    today = timezone.localdate()
    MeetingFactory(title="Recent", start_date=today - datetime.timedelta(days=300))
    MeetingFactory(title="Old", start_date=today - datetime.timedelta(days=4000))
    MeetingFactory(title="Upcoming", start_date=today + datetime.timedelta(days=30))

    response, default = get_feed(client, "/calendar.ics")
    _, archive = get_feed(client, ARCHIVE)

    in_file_order = [str(event["SUMMARY"]) for event in calendar_of(response.content).walk("VEVENT")]
    assert in_file_order == ["Upcoming", "Recent", "Old"]
    assert archive == default


def test_unpublished_and_scheduled_meetings_stay_out(client):
    MeetingFactory(title="Published")
    MeetingFactory(title="Draft", publication=Publication.DRAFT)
    later = MeetingFactory(title="Later", publish_at=timezone.now() + datetime.timedelta(days=1))

    _, events = get_feed(client, "/calendar.ics")

    assert titles(events) == ["Published"]
    assert client.get(f"/meetings/{later.slug}.ics").status_code == 404


def test_filtered_feed_holds_exactly_the_filtered_meetings(client):
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    salw = TopicFactory(name="SALW", slug="salw")
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    serbia = CountryFactory(code="RS", name="Serbia")
    belgrade = VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade")
    wanted = MeetingFactory(title="P-CVE in Tirana")
    wanted.topics.add(pcve)
    MeetingOrganiserFactory(meeting=wanted, organisation=rcc)
    other_topic = MeetingFactory(title="SALW in Tirana")
    other_topic.topics.add(salw)
    MeetingOrganiserFactory(meeting=other_topic, organisation=rcc)
    other_country = MeetingFactory(title="P-CVE in Belgrade", venue=belgrade)
    other_country.topics.add(pcve)
    MeetingOrganiserFactory(meeting=other_country, organisation=rcc)
    other_organiser = MeetingFactory(title="P-CVE by someone else")
    other_organiser.topics.add(pcve)

    _, events = get_feed(client, "/calendar.ics?topic=p-cve&country=AL&organiser=rcc")
    _, by_city = get_feed(client, "/calendar.ics?city=belgrade")

    assert titles(events) == ["P-CVE in Tirana"]
    assert titles(by_city) == ["P-CVE in Belgrade"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("topic=no-such-topic", "topic: Select a valid choice. no-such-topic is not one of the available choices."),
        ("date_from=yesterday", "date_from: Enter a valid date."),
        ("status=postponed&status=bogus", "status: Select a valid choice. bogus is not one of the available choices."),
    ],
)
def test_invalid_filter_is_a_400_with_the_reason(client, query, reason):
    MeetingFactory()

    response = client.get(f"/calendar.ics?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == reason


# --- HTTP ----------------------------------------------------------------------------------------------


def test_unchanged_feed_answers_304_without_touching_the_database(client, django_assert_num_queries):
    MeetingFactory()
    first = client.get("/calendar.ics")

    with django_assert_num_queries(0):
        again = client.get("/calendar.ics", headers={"if-none-match": first["ETag"]})
        since = client.get("/calendar.ics", headers={"if-modified-since": first["Last-Modified"]})

    assert (again.status_code, since.status_code) == (304, 304)
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert first["Cache-Control"] == "public, max-age=300, s-maxage=2"
    assert first["Content-Disposition"] == 'inline; filename="security-meetings.ics"'


@pytest.mark.django_db(transaction=True)
def test_an_edit_gives_a_new_etag_and_the_new_text(client, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(title="Before")
    first = client.get("/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        meeting.title = "After"
        meeting.save()
    response = client.get("/calendar.ics", headers={"if-none-match": first["ETag"]})

    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert titles(parse(response.content)) == ["After"]


@pytest.mark.django_db(transaction=True)
def test_editing_an_organisation_changes_the_feed(client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Old Name", acronym="")
    meeting = MeetingFactory()
    MeetingOrganiserFactory(meeting=meeting, organisation=organisation, role=OrganiserRole.HOST)
    get_feed(client, "/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        organisation.name = "New Name"
        organisation.save()
    _, events = get_feed(client, "/calendar.ics")

    assert "Organisers: New Name (Host)" in events[str(meeting.uid)]["description"].split("\n")


def test_head_gives_the_headers_and_no_body(client):
    meeting = MeetingFactory()

    response = client.head(f"/meetings/{meeting.slug}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{meeting.slug}.ics"'
    assert response["ETag"]
    assert "Content-Length" not in response
    assert content_of(response) == b""


def test_feed_is_gzipped_for_clients_that_ask(client):
    meeting = MeetingFactory(summary="A regional meeting. " * 20)

    response = client.get("/calendar.ics", headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert list(parse(gzip.decompress(response.content))) == [str(meeting.uid)]


def test_post_is_not_allowed(client):
    assert client.post("/calendar.ics").status_code == 405


def make_meetings(count):
    topic = TopicFactory(name="P-CVE", slug="p-cve")
    funder = OrganisationFactory(slug="eu", name="European Union", acronym="EU")
    previous = None
    for number in range(count):
        meeting = MeetingFactory(start_date=D(2030, 1, 1) + datetime.timedelta(days=number), start_time=T(9))
        meeting.topics.add(topic)
        MeetingOrganiserFactory(meeting=meeting)
        MeetingFunderFactory(meeting=meeting, organisation=funder, instrument="IPA II")
        if previous:
            BackToBackFactory(from_meeting=previous, to_meeting=meeting)
        previous = meeting


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.django_db(transaction=True)
def test_feed_queries_do_not_grow_with_the_number_of_meetings(client, django_assert_num_queries, count):
    make_meetings(count)

    # Scheduled publications (once per data version), two filter checks, the rows, and nine for the pieces:
    # the meetings, their links both ways, then venues, organiser and funder rows, organisations, topic
    # rows and topics, each read once for the chunk.
    with django_assert_num_queries(12):
        _, events = get_feed(client, "/calendar.ics?topic=p-cve&funder=eu")

    assert len(events) == count


def test_cached_pieces_serve_another_filter_with_one_query(client, django_assert_num_queries):
    make_meetings(5)
    _, first = get_feed(client, "/calendar.ics?date_from=2030-01-01")

    # Another query string misses the whole-feed cache but finds every VEVENT cached: only the rows are read.
    with django_assert_num_queries(1):
        _, second = get_feed(client, "/calendar.ics?date_from=2030-01-02")

    assert len(first) == 5
    assert sorted(second) == sorted(uid for uid, e in first.items() if e["start"] >= D(2030, 1, 2))


def test_large_feed_is_built_whole_before_it_is_sent(client, monkeypatch):
    monkeypatch.setattr(feeds, "CHUNK_SIZE", 2)
    make_meetings(5)

    response = client.get("/calendar.ics")

    assert not response.streaming
    assert len(parse(content_of(response))) == 5


def test_large_feed_once_built_is_served_from_cache(client, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(feeds, "CHUNK_SIZE", 2)
    make_meetings(5)
    first = content_of(client.get("/calendar.ics"))

    with django_assert_num_queries(0):
        second = client.get("/calendar.ics")

    assert content_of(second) == first
    assert len(parse(first)) == 5


def test_large_feed_is_kept_gzipped_and_served_to_both_kinds_of_client(client, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(feeds, "CHUNK_SIZE", 2)
    make_meetings(5)
    first = client.get("/calendar.ics", headers={"accept-encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"
    built = gzip.decompress(content_of(first))

    with django_assert_num_queries(0):
        again = client.get("/calendar.ics", headers={"accept-encoding": "gzip"})
        plain = client.get("/calendar.ics")

    assert again["Content-Encoding"] == "gzip"
    assert gzip.decompress(again.content) == built
    assert not plain.has_header("Content-Encoding")
    assert plain.content == built
    assert len(parse(built)) == 5
    # One validator per representation: weak for the gzip'd body, strong for the plain one.
    assert again["ETag"] == f"W/{plain['ETag']}"


def test_large_feed_over_the_cache_cap_is_still_served_whole(client, monkeypatch, settings):
    monkeypatch.setattr(feeds, "CHUNK_SIZE", 2)
    settings.FEED_BODY_CACHE_MAX_BYTES = 100
    make_meetings(5)
    content_of(client.get("/calendar.ics"))

    second = client.get("/calendar.ics")

    assert len(parse(content_of(second))) == 5


# --- Links and partials ----------------------------------------------------------------------------------


def test_add_to_calendar_links_of_an_all_day_meeting_carry_the_exclusive_end():
    meeting = MeetingFactory(slug="cti", start_date=D(2018, 10, 23), end_date=D(2018, 10, 25))

    links = calendar_links.add_to_calendar_links(meeting)

    assert links.ics == "/meetings/cti.ics"
    assert calendar_links.google_dates(meeting) == "20181023/20181026"
    assert "dates=20181023%2F20181026" in links.google
    assert "ctz" not in links.google
    assert calendar_links.outlook_dates(meeting) == {"startdt": "2018-10-23", "enddt": "2018-10-26", "allday": "true"}
    assert "startdt=2018-10-23&enddt=2018-10-26&allday=true" in links.outlook


def test_add_to_calendar_links_of_a_timed_meeting_are_in_utc():
    meeting = MeetingFactory(start_date=D(2030, 7, 1), start_time=T(9), end_time=T(13, 30))

    assert calendar_links.google_dates(meeting) == "20300701T070000Z/20300701T113000Z"
    assert calendar_links.outlook_dates(meeting) == {"startdt": "2030-07-01T07:00:00Z", "enddt": "2030-07-01T11:30:00Z"}


def test_add_to_calendar_partial_offers_download_google_outlook_and_the_cluster():
    first, second = MeetingFactory(slug="first"), MeetingFactory(slug="second")
    BackToBackFactory(from_meeting=first, to_meeting=second)
    undated = MeetingFactory(date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None)

    html = render_to_string("includes/add_to_calendar.html", {"meeting": first})

    assert 'href="/meetings/first.ics"' in html
    assert 'href="https://calendar.google.com/calendar/render?action=TEMPLATE' in html
    assert 'href="https://outlook.live.com/calendar/0/deeplink/compose?' in html
    assert 'href="/meetings/first/cluster.ics"' in html
    assert render_to_string("includes/add_to_calendar.html", {"meeting": undated}).strip() == ""


@pytest.mark.django_db(transaction=True)
def test_subscribe_partial_links_the_current_filter():
    request = RequestFactory().get("/meetings/", {"topic": "p-cve", "country": "AL", "page": "2", "sort": "x"})

    query = MeetingQuery.from_request(request)

    links = calendar_links.feed_links(request, query)
    html = render_to_string("includes/subscribe.html", {"request": request, "query": query})

    assert links == calendar_links.FeedLinks(
        webcal="webcal://testserver/calendar.ics?country=AL&topic=p-cve",
        https="http://testserver/calendar.ics?country=AL&topic=p-cve",
        instructions="/subscribe/?country=AL&topic=p-cve",
    )
    assert 'href="webcal://testserver/calendar.ics?country=AL&amp;topic=p-cve"' in html
    assert 'value="http://testserver/calendar.ics?country=AL&amp;topic=p-cve"' in html


def test_subscribe_page_explains_each_program_and_what_is_left_out(client, settings):
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}

    MeetingFactory().topics.add(TopicFactory(name="P-CVE", slug="p-cve"))

    response = client.get("/subscribe/?topic=p-cve")

    assert response.status_code == 200
    programs = ["Outlook", "Google Calendar", "Apple Calendar", "Thunderbird"]
    assert [name for name in programs if f"<h2>{name}" in response.text] == programs
    assert "exact dates are not yet known are left out" in response.text
    assert "newest first and at most 1,000 of them" in response.text
    assert 'value="http://testserver/calendar.ics?topic=p-cve"' in response.text


# --- Pieces survive what does not concern them ----------------------------------------------------------


def cached_piece(meeting):
    dates = {"calendar_start": feeds.calendar_date("start_date"), "calendar_end": feeds.calendar_date("end_date")}
    row = feeds.feed_rows(Meeting.objects.filter(pk=meeting.pk).annotate(**dates))[0]
    return cache.get(feeds.piece_key(row, version.current()))


@pytest.mark.django_db(transaction=True)
def test_editing_one_meeting_keeps_the_other_meetings_pieces(client, django_capture_on_commit_callbacks):
    edited, untouched = MeetingFactory(title="Edited"), MeetingFactory(title="Untouched")
    get_feed(client, "/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        edited.summary = "New summary."
        edited.save()

    assert cached_piece(untouched) is not None
    assert cached_piece(edited) is None
    _, events = get_feed(client, "/calendar.ics")
    assert events[str(edited.uid)]["description"].startswith("New summary.")


@pytest.mark.django_db(transaction=True)
def test_adding_an_organiser_updates_that_meetings_last_modified_and_description(
    client, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory()
    first, _ = get_feed(client, f"/meetings/{meeting.slug}.ics")

    with django_capture_on_commit_callbacks(execute=True):
        MeetingOrganiserFactory(
            meeting=meeting, organisation=OrganisationFactory(acronym="RCC"), role=OrganiserRole.CO_CHAIR
        )
    second, events = get_feed(client, f"/meetings/{meeting.slug}.ics")

    before = calendar_of(first.content).walk("VEVENT")[0].decoded("LAST-MODIFIED")
    after = calendar_of(second.content).walk("VEVENT")[0].decoded("LAST-MODIFIED")
    assert after >= before
    assert "Organisers: RCC (Co-chair)" in events[str(meeting.uid)]["description"].split("\n")


@pytest.mark.django_db(transaction=True)
def test_renaming_a_linked_meeting_updates_the_description_of_its_partner(client, django_capture_on_commit_callbacks):
    first, second = MeetingFactory(title="First"), MeetingFactory(title="Second", start_date=D(2030, 5, 15))
    BackToBackFactory(from_meeting=first, to_meeting=second)
    get_feed(client, "/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        second.title = "Second, renamed"
        second.save()
    _, events = get_feed(client, "/calendar.ics")

    assert "Back-to-back with: Second, renamed (15 May 2030)" in events[str(first.uid)]["description"].split("\n")


@pytest.mark.django_db(transaction=True)
def test_unpublishing_a_meeting_removes_it_from_the_feed(client, django_capture_on_commit_callbacks):
    staying, leaving = MeetingFactory(title="Staying"), MeetingFactory(title="Leaving")
    get_feed(client, "/calendar.ics")

    with django_capture_on_commit_callbacks(execute=True):
        leaving.publication = Publication.DRAFT
        leaving.save()
    _, events = get_feed(client, "/calendar.ics")

    assert titles(events) == [staying.title]
    assert client.get(f"/meetings/{leaving.slug}.ics").status_code == 404


@pytest.mark.parametrize(
    "query", ["topic=p-cve", "country=RS", "q=tirana", "status=cancelled", "topic=p-cve&country=AL"]
)
def test_filtered_feed_is_the_filtered_list(client, settings, query):
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    serbia = CountryFactory(code="RS", name="Serbia")
    belgrade = VenueFactory(name="Sava Centar", city="Belgrade", country=serbia, timezone="Europe/Belgrade")
    MeetingFactory(title="Tirana P-CVE").topics.add(pcve)
    MeetingFactory(title="Belgrade P-CVE", venue=belgrade).topics.add(pcve)
    MeetingFactory(title="Belgrade cancelled", venue=belgrade, status=Status.CANCELLED)
    MeetingFactory(title="Tirana other")
    MeetingFactory(title="Tirana undated", date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None)

    _, events = get_feed(client, f"/calendar.ics?{query}")
    page = client.get(f"/meetings/?{query}")

    # The list also shows meetings without exact dates; the feed leaves exactly those out.
    listed = [
        m for m in Meeting.objects.filter(pk__in=page.context["meetings"]) if m.date_precision == DatePrecision.DAY
    ]
    expected = [f"Cancelled: {m.title}" if m.is_cancelled else m.title for m in listed]
    assert titles(events) == sorted(expected)
    assert expected
    filtered = MeetingFilter(QueryDict(query), queryset=Meeting.objects.published().dated()).qs
    assert sorted(m.title for m in filtered) == sorted(m.title for m in listed)


def test_gzipped_feed_revalidates_with_its_weak_etag(client):
    MeetingFactory(summary="A regional meeting. " * 20)
    first = client.get("/calendar.ics", headers={"accept-encoding": "gzip"})

    again = client.get("/calendar.ics", headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]})

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304


def test_warm_feeds_command_caches_every_published_dated_meeting():
    from django.core.management import call_command

    dated = MeetingFactory()
    draft = MeetingFactory(publication=Publication.DRAFT)

    output = io.StringIO()
    call_command("warm_feeds", stdout=output)

    assert cached_piece(dated) is not None
    assert cached_piece(draft) is None
    assert output.getvalue().startswith("1 calendar entries cached in ")


@pytest.mark.django_db(transaction=True)  # the data version learns the next publication time on commit
def test_a_scheduled_meeting_appears_when_its_time_comes_without_any_edit(client):
    now = timezone.now()
    MeetingFactory(title="Now")
    MeetingFactory(title="Scheduled", publish_at=now + datetime.timedelta(hours=1))
    first, events = get_feed(client, "/calendar.ics")

    with time_machine.travel(now + datetime.timedelta(hours=1, seconds=1), tick=False):
        response = client.get("/calendar.ics", headers={"if-none-match": first["ETag"]})

    assert titles(events) == ["Now"]
    assert response.status_code == 200
    assert titles(parse(response.content)) == ["Now", "Scheduled"]


def test_subscribe_links_on_a_month_archive_carry_the_month(client, settings):
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}
    MeetingFactory(start_date=D(2019, 4, 24))

    response = client.get("/meetings/2019/4/")

    assert response.status_code == 200
    assert 'href="webcal://testserver/calendar.ics?date_from=2019-04-01&amp;date_to=2019-04-30"' in response.text


def test_meeting_page_offers_the_cluster_feed_without_an_extra_query(client, seed, settings):
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": static}

    response = client.get("/meetings/3rd-meeting-regional-network-national-p-cve-coordinators/")

    assert response.status_code == 200
    assert 'href="/meetings/3rd-meeting-regional-network-national-p-cve-coordinators/cluster.ics"' in response.text
    assert 'href="/meetings/3rd-meeting-regional-network-national-p-cve-coordinators.ics"' in response.text
