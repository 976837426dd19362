"""The public pages through the Django test client: what a visitor reads on each of them."""

import datetime
import itertools
import json

import pytest
from django.conf import settings
from django.utils import timezone

from events.models import KOSOVO_FOOTNOTE, Access, DatePrecision, LinkKind, OrganiserRole, Publication, Status
from meetings_site import identity
from tests.support.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TopicFactory,
    VenueFactory,
)
from tests.support.html import elements, meeting_titles, parse_xml, texts

D = datetime.date
DAY = datetime.timedelta(days=1)


def footnotes(response):
    return texts(response.content, "p", "designation-footnote")


# --- Home ------------------------------------------------------------------


def test_home_groups_upcoming_meetings_by_month_next_first(client, db):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=10)
    MeetingFactory(title="Next month", start_date=next_month)
    MeetingFactory(title="Soon", start_date=today + DAY)
    MeetingFactory(title="Month only", start_date=next_month, date_precision=DatePrecision.MONTH)
    MeetingFactory(title="Unknown", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)
    MeetingFactory(title="Past", start_date=today - 10 * DAY)
    MeetingFactory(title="Draft", start_date=today + DAY, publication=Publication.DRAFT)

    response = client.get("/")

    months = [next_month.replace(day=1)]
    if (today + DAY).month != next_month.month:
        months.insert(0, (today + DAY).replace(day=1))
    assert texts(response.content, "h2") == ["Upcoming meetings", "Date to be confirmed", "Past meetings"]
    assert meeting_titles(response) == ["Soon", "Month only", "Next month", "Unknown", "Past"]
    month_headings = texts(response.content, "h3")
    assert month_headings[-1] == next_month.strftime("%B %Y")
    assert texts(response.content, "span", "tbc") == ["(exact dates to be confirmed)", "Date to be confirmed"]


def test_home_without_upcoming_meetings_says_so_and_shows_recent_past(client, db):
    today = timezone.localdate()
    for days in range(1, 14):
        MeetingFactory(title=f"{days} days ago", start_date=today - days * DAY)

    response = client.get("/")

    assert texts(response.content, "p", "notice") == ["No upcoming meetings have been announced at the moment."]
    assert meeting_titles(response) == [f"{days} days ago" for days in range(1, 11)]
    assert [link["attrs"]["href"] for link in elements(response.content, "a") if "archive" in link["text"]] == [
        "/meetings/"
    ]


def test_home_lists_at_most_twenty_date_to_be_confirmed_meetings_and_links_to_the_rest(client, db):
    for number in range(25):
        MeetingFactory(title=f"TBC {number:02d}", date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None)

    response = client.get("/")

    assert meeting_titles(response) == [f"TBC {number:02d}" for number in range(20)]
    assert [link["attrs"]["href"] for link in elements(response.content, "a") if "to be confirmed" in link["text"]] == [
        "/meetings/"
    ]


def test_home_with_the_seed_is_never_empty(client, seed):
    response = client.get("/")
    assert response.status_code == 200
    titles = meeting_titles(response)
    # The two whose date is to be confirmed, then the ten most recent past meetings.
    assert titles[2] == "1st IISG National P-CVE Coordination Meeting – Albania"
    assert len(titles) == 12


# --- Archives --------------------------------------------------------------


def test_month_archive_lists_meetings_overlapping_the_month_in_calendar_order(client, db):
    MeetingFactory(title="Crosses into October", start_date=D(2018, 9, 30), end_date=D(2018, 10, 2))
    MeetingFactory(title="Late October", start_date=D(2018, 10, 23), end_date=D(2018, 10, 25))
    MeetingFactory(title="November", start_date=D(2018, 11, 1))
    MeetingFactory(title="Draft October", start_date=D(2018, 10, 5), publication=Publication.DRAFT)

    response = client.get("/meetings/2018/10/")

    assert texts(response.content, "h1") == ["Meetings in October 2018"]
    assert meeting_titles(response) == ["Crosses into October", "Late October"]
    navigation = {link["text"]: link["attrs"]["href"] for link in elements(response.content, "a") if link["text"]}
    assert navigation["← September 2018"] == "/meetings/2018/9/"
    assert navigation["November 2018 →"] == "/meetings/2018/11/"
    assert navigation["This month as a calendar"] == "/calendar/2018/10/"


def test_year_archive(client, db):
    MeetingFactory(title="2018 meeting", start_date=D(2018, 7, 18))
    MeetingFactory(title="2019 meeting", start_date=D(2019, 4, 24))
    response = client.get("/meetings/2019/")
    assert texts(response.content, "h1") == ["Meetings in 2019"]
    assert meeting_titles(response) == ["2019 meeting"]


@pytest.mark.parametrize("url", ["/meetings/2019/13/", "/meetings/2019/0/", "/meetings/99999/", "/calendar/2019/13/"])
def test_impossible_archive_dates_are_not_found(client, db, url):
    assert client.get(url).status_code == 404


# --- Month grid ------------------------------------------------------------


def test_calendar_places_a_meeting_on_every_day_it_spans(client, db):
    MeetingFactory(title="CTI Network", start_date=D(2018, 10, 23), end_date=D(2018, 10, 25))
    MeetingFactory(title="Month only", start_date=D(2018, 10, 1), date_precision=DatePrecision.MONTH)

    response = client.get("/calendar/2018/10/")

    # One bar across the three days (tests/test_calendar_pages.py reads the grid's columns), not one per day.
    bar_cells = [cell for cell in elements(response.content, "td", "bar-cell") if "CTI Network" in cell["text"]]
    assert [(cell["attrs"]["colspan"], cell["text"]) for cell in bar_cells] == [
        ("3", "All day CTI Network, 23–25 October 2018 Tirana Took place")
    ]
    # Weeks start on Monday in every language of the site, English included.
    assert texts(response.content, "th", "weekday") == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert texts(response.content, "h2", id="month-only-heading") == [
        "Also in October 2018, exact dates to be confirmed"
    ]


def test_a_busy_day_in_the_grid_shows_four_meetings_and_links_to_the_rest(client, db):
    for number in range(6):
        MeetingFactory(title=f"Busy day meeting {number}", start_date=D(2018, 10, 23))

    response = client.get("/calendar/2018/10/")

    grid = response.content.decode().split('<section class="agenda"')[0]
    assert texts(grid, "span", "bar-title") == [f"Busy day meeting {number}" for number in range(4)]
    assert texts(grid, "a", "more-link") == ["2 more on Tuesday 23 October 2018"]
    more = next(link for link in elements(response.content, "a") if link["text"].startswith("2 more"))
    day_list = client.get(more["attrs"]["href"])
    assert meeting_titles(day_list) == [f"Busy day meeting {number}" for number in range(6)]
    # The agenda (what a phone shows) lists the first four too, then links to the day's list.
    agenda = response.content.decode().split('id="agenda-heading"')[1]
    assert agenda.count("Busy day meeting") == 4
    assert "2 more on Tuesday 23 October 2018" in " ".join(link["text"] for link in elements(agenda, "a"))


def test_calendar_links_to_neighbouring_months_and_the_list(client, db):
    response = client.get("/calendar/2019/1/")
    navigation = {link["text"]: link["attrs"]["href"] for link in elements(response.content, "a") if link["text"]}
    assert navigation["← December 2018"] == "/calendar/2018/12/"
    assert navigation["February 2019 →"] == "/calendar/2019/2/"
    assert navigation["Meetings in January 2019 as a list"] == "/meetings/2019/1/"


def test_calendar_marks_today(client, db):
    today = timezone.localdate()
    response = client.get(f"/calendar/{today.year}/{today.month}/")
    today_cells = elements(response.content, "th", aria_current="date")
    assert len(today_cells) == 1
    assert today_cells[0]["text"].endswith("Today")


def test_calendar_without_date_redirects_to_this_month(client, db):
    today = timezone.localdate()
    response = client.get("/calendar/")
    assert (response.status_code, response["Location"]) == (302, f"/calendar/{today.year}/{today.month}/")


# --- Meeting page ----------------------------------------------------------


@pytest.fixture
def full_meeting(db):
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    slovenia = CountryFactory(code="SI", name="Slovenia")
    venue = VenueFactory(
        name="Grand Hotel Bernardin",
        address="Obala 2",
        city="Portorož",
        country=slovenia,
        timezone="Europe/Ljubljana",
    )
    meeting = MeetingFactory(
        title="Meeting of the CTI Network",
        slug="cti-network",
        summary="Exchange on P-CVE cases.",
        description="The focus will be on **operational response**.\n\n<script>alert(1)</script>",
        start_date=D(2018, 10, 23),
        end_date=D(2018, 10, 25),
        venue=venue,
        external_url="https://example.org/cti",
    )
    meeting.countries.add(kosovo, slovenia)
    meeting.topics.add(TopicFactory(name="Counter-terrorism", slug="ct"))
    meeting.programmes.add(ProgrammeFactory(name="Western Balkan Counter-Terrorism Initiative", slug="wbcti"))
    police = OrganisationFactory(name="Slovenian Police", acronym="", slug="slovenian-police")
    iisg = OrganisationFactory(name="IISG Support Group", acronym="IISG", slug="iisg")
    MeetingOrganiserFactory(meeting=meeting, organisation=police, role=OrganiserRole.ORGANISER)
    MeetingOrganiserFactory(meeting=meeting, organisation=iisg, role=OrganiserRole.CO_ORGANISER, position=1)
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu", website="https://europa.eu")
    MeetingFunderFactory(meeting=meeting, organisation=eu, instrument="IPA II 2016")
    return meeting


def facts(response):
    terms = texts(response.content, "dt")
    details = texts(response.content, "dd")
    return dict(zip(terms, details, strict=True))


def test_meeting_page_shows_every_fact(client, full_meeting):
    response = client.get("/meetings/cti-network/")
    assert response.status_code == 200
    assert texts(response.content, "h1") == ["Meeting of the CTI Network"]
    assert texts(response.content, "p", "meeting-when") == ["23–25 October 2018"]
    assert facts(response) == {
        "Where": "Grand Hotel Bernardin Obala 2 Portorož, Slovenia",
        "Status": "Took place",
        "Organised by": "Slovenian Police (Organiser) IISG Support Group (IISG) (Co-organiser)",
        "Funded by": "European Union (EU) – IPA II 2016",
        "Programmes and frameworks": "Western Balkan Counter-Terrorism Initiative",
        "Topics": "Counter-terrorism",
        "Participating countries": "Kosovo* Slovenia",
    }
    assert texts(response.content, "section", "description") == [
        "About the meeting The focus will be on operational response."
    ]
    assert "<script>alert" not in response.content.decode()
    assert [link["attrs"]["href"] for link in elements(response.content, "a", rel="external noopener noreferrer")] == [
        "https://example.org/cti"
    ]
    assert footnotes(response) == [str(KOSOVO_FOOTNOTE)]


def test_meeting_page_links_to_organisers_funders_and_filtered_lists(client, full_meeting):
    response = client.get("/meetings/cti-network/")
    hrefs = [link["attrs"]["href"] for link in elements(response.content, "a")]
    for href in [
        "/organisers/slovenian-police/",
        "/organisers/iisg/",
        "/funders/eu/",
        "/meetings/?topic=ct",
        "/meetings/?country=XK",
        "/meetings/?programme=wbcti",
    ]:
        assert href in hrefs


def test_meeting_page_without_designated_country_has_no_footnote(client, db):
    MeetingFactory(slug="plain")
    assert footnotes(client.get("/meetings/plain/")) == []


def test_machine_readable_event(client, full_meeting):
    response = client.get("/meetings/cti-network/")
    scripts = elements(response.content, "script", type="application/ld+json")
    data = json.loads(scripts[0]["text"])
    assert data == {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": "Meeting of the CTI Network",
        "url": "http://127.0.0.1:8000/meetings/cti-network/",
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "description": "Exchange on P-CVE cases.",
        "startDate": "2018-10-23",
        "endDate": "2018-10-25",
        "location": {
            "@type": "Place",
            "name": "Grand Hotel Bernardin",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Portorož",
                "addressCountry": "SI",
                "streetAddress": "Obala 2",
            },
        },
        "organizer": [
            {"@type": "Organization", "name": "Slovenian Police"},
            {"@type": "Organization", "name": "IISG Support Group"},
        ],
        "funder": [{"@type": "Organization", "name": "European Union", "url": "https://europa.eu"}],
    }
    canonical = elements(response.content, "link", rel="canonical")
    assert [link["attrs"]["href"] for link in canonical] == ["http://127.0.0.1:8000/meetings/cti-network/"]
    og = {
        meta["attrs"]["property"]: meta["attrs"]["content"]
        for meta in elements(response.content, "meta")
        if "property" in meta["attrs"]
    }
    assert og["og:title"] == "Meeting of the CTI Network"
    assert og["og:url"] == "http://127.0.0.1:8000/meetings/cti-network/"


def test_json_ld_cannot_be_closed_by_a_title(client, db):
    MeetingFactory(slug="tricky", title="</script><script>alert(1)</script>")
    response = client.get("/meetings/tricky/")
    scripts = elements(response.content, "script", type="application/ld+json")
    assert json.loads(scripts[0]["text"])["name"] == "</script><script>alert(1)</script>"
    assert "\\u003C/script\\u003E" in scripts[0]["text"]


def test_timed_meeting_shows_times_with_their_zone_and_an_offset_in_json_ld(client, db):
    MeetingFactory(
        slug="timed",
        start_date=D(2019, 4, 24),
        start_time=datetime.time(9, 30),
        end_time=datetime.time(17, 0),
    )
    response = client.get("/meetings/timed/")
    assert texts(response.content, "p", "meeting-when") == ["24 April 2019, 09:30–17:00 CEST"]
    data = json.loads(elements(response.content, "script", type="application/ld+json")[0]["text"])
    assert (data["startDate"], data["endDate"]) == ("2019-04-24T09:30:00+02:00", "2019-04-24T17:00:00+02:00")


@pytest.mark.parametrize(
    ("status", "banner", "schema_status"),
    [
        (Status.CANCELLED, "This meeting has been cancelled. Lack of quorum.", "https://schema.org/EventCancelled"),
        (Status.POSTPONED, "This meeting has been postponed. Lack of quorum.", "https://schema.org/EventPostponed"),
    ],
)
def test_cancelled_or_postponed_status_is_prominent(client, db, status, banner, schema_status):
    MeetingFactory(slug="changed", status=status, status_note="Lack of quorum.")
    response = client.get("/meetings/changed/")
    assert texts(response.content, "div", "status-banner") == [banner]
    assert json.loads(elements(response.content, "script", type="application/ld+json")[0]["text"])["eventStatus"] == (
        schema_status
    )


def test_withheld_venue_shows_only_city_and_country(client, db):
    venue = VenueFactory(name="Secret Barracks", address="Hidden Street 1", city="Tirana")
    MeetingFactory(slug="closed", venue=venue, access=Access.CLOSED, withhold_venue=True)
    response = client.get("/meetings/closed/")
    assert facts(response)["Where"] == "Tirana, Albania The exact venue is not made public."
    assert "Secret Barracks" not in response.content.decode()
    assert "Hidden Street" not in response.content.decode()


def test_unknown_date_reads_date_to_be_confirmed(client, db):
    MeetingFactory(slug="tbc", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)
    assert texts(client.get("/meetings/tbc/").content, "p", "meeting-when") == ["Date to be confirmed"]


def test_linked_meetings_show_from_both_sides_without_drafts(client, db):
    main = MeetingFactory(title="Main", slug="main", start_date=D(2019, 4, 24))
    visit = MeetingFactory(title="Visit", slug="visit", start_date=D(2019, 4, 26))
    draft = MeetingFactory(title="Draft side event", start_date=D(2019, 4, 25), publication=Publication.DRAFT)
    BackToBackFactory(from_meeting=main, to_meeting=visit, kind=LinkKind.STUDY_VISIT)
    BackToBackFactory(from_meeting=draft, to_meeting=main, kind=LinkKind.SIDE_EVENT)

    assert texts(client.get("/meetings/main/").content, "section", "linked") == [
        "Linked meetings Study visit Visit (26 April 2019)"
    ]
    assert texts(client.get("/meetings/visit/").content, "section", "linked") == [
        "Linked meetings Study visit during Main (24 April 2019)"
    ]


def test_back_to_back_meetings_form_one_cluster_seen_from_any_member(client, db):
    first = MeetingFactory(title="NFP Group", slug="nfp", start_date=D(2019, 4, 23))
    second = MeetingFactory(title="RNNC", slug="rnnc", start_date=D(2019, 4, 24))
    third = MeetingFactory(title="Albania coordination", slug="albania", start_date=D(2019, 4, 25))
    BackToBackFactory(from_meeting=second, to_meeting=first)
    BackToBackFactory(from_meeting=second, to_meeting=third)

    for slug, current in [("nfp", "NFP Group"), ("albania", "Albania coordination")]:
        response = client.get(f"/meetings/{slug}/")
        items = texts(response.content, "ol", "timeline")
        assert items == [
            "23 April 2019 NFP Group "
            + ("(this meeting) " if current == "NFP Group" else "")
            + "· Tirana 24 April 2019 RNNC · Tirana 25 April 2019 Albania coordination "
            + ("(this meeting) " if current == "Albania coordination" else "")
            + "· Tirana"
        ]
        assert texts(response.content, "strong", aria_current="page") == [current]
        assert texts(response.content, "section", "linked") == []  # all of them already in the timeline


def test_a_single_back_to_back_partner_is_a_plain_link(client, db):
    one = MeetingFactory(title="One", slug="one", start_date=D(2019, 4, 23))
    two = MeetingFactory(title="Two", slug="two", start_date=D(2019, 4, 24))
    BackToBackFactory(from_meeting=one, to_meeting=two)
    response = client.get("/meetings/two/")
    assert texts(response.content, "ol", "timeline") == []
    assert texts(response.content, "section", "linked") == ["Linked meetings Back-to-back with One (23 April 2019)"]


def test_draft_meeting_is_not_found(client, db):
    MeetingFactory(slug="draft", publication=Publication.DRAFT)
    MeetingFactory(slug="scheduled", publish_at=timezone.now() + datetime.timedelta(hours=1))
    assert client.get("/meetings/draft/").status_code == 404
    assert client.get("/meetings/scheduled/").status_code == 404
    assert client.get("/meetings/no-such-meeting/").status_code == 404


# --- Organisers and funders --------------------------------------------------


def test_organiser_index_counts_published_meetings_only(client, db):
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    dcaf = OrganisationFactory(name="DCAF", acronym="", slug="dcaf")
    hidden = OrganisationFactory(name="Only drafts", acronym="", slug="drafts")
    for _ in range(2):
        MeetingOrganiserFactory(organisation=rcc)
    MeetingOrganiserFactory(organisation=dcaf)
    MeetingOrganiserFactory(organisation=hidden, meeting=MeetingFactory(publication=Publication.DRAFT))
    response = client.get("/organisers/")
    assert texts(response.content, "ul", "organisation-list") == [
        "DCAF 1 meeting Regional Cooperation Council (RCC) 2 meetings"
    ]


def test_funder_index_and_page(client, db):
    today = timezone.localdate()
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    MeetingFunderFactory(organisation=eu, meeting=MeetingFactory(title="Coming", start_date=today + 5 * DAY))
    MeetingFunderFactory(organisation=eu, meeting=MeetingFactory(title="Gone", start_date=today - 5 * DAY))
    MeetingOrganiserFactory(organisation=eu, meeting=MeetingFactory(title="Organised, not funded"))
    assert texts(client.get("/funders/").content, "ul", "organisation-list") == ["European Union (EU) 2 meetings"]
    response = client.get("/funders/eu/")
    assert texts(response.content, "h1") == ["European Union (EU)"]
    assert meeting_titles(response) == ["Coming", "Gone"]
    assert [a["attrs"]["href"] for a in elements(response.content, "a") if a["text"].startswith("All its")] == [
        "/meetings/?funder=eu"
    ]


def test_organiser_page_lists_upcoming_and_past_without_drafts(client, db):
    today = timezone.localdate()
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    MeetingOrganiserFactory(organisation=rcc, meeting=MeetingFactory(title="Next", start_date=today + DAY))
    MeetingOrganiserFactory(organisation=rcc, meeting=MeetingFactory(title="Before", start_date=today - DAY))
    MeetingOrganiserFactory(
        organisation=rcc, meeting=MeetingFactory(title="Draft", start_date=today + DAY, publication=Publication.DRAFT)
    )
    response = client.get("/organisers/rcc/")
    assert texts(response.content, "h2") == [
        "Upcoming meetings it organises",
        "Past meetings",
        "Subscribe to this view",
    ]
    assert meeting_titles(response) == ["Next", "Before"]


def test_unknown_organiser_is_not_found(client, db):
    assert client.get("/organisers/nobody/").status_code == 404
    assert client.get("/funders/nobody/").status_code == 404


# --- Feeds and sitemap -----------------------------------------------------


def test_rss_feed_lists_upcoming_and_date_to_be_confirmed_newest_announced_first(client, db):
    today = timezone.localdate()
    MeetingFactory(title="Announced first", start_date=today + 30 * DAY)
    MeetingFactory(title="Announced second", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)
    MeetingFactory(title="Over", start_date=today - DAY)
    MeetingFactory(title="Draft", start_date=today + DAY, publication=Publication.DRAFT)
    response = client.get("/feeds/meetings.rss")
    channel = parse_xml(response.content).find("channel")
    assert [item.findtext("title") for item in channel.findall("item")] == ["Announced second", "Announced first"]
    assert (
        channel.findall("item")[0].findtext("description")
        == "<p>Date to be confirmed · Tirana, Albania</p><p>A regional meeting.</p>"
    )


def test_atom_feed(client, db):
    MeetingFactory(title="Coming", slug="coming", start_date=timezone.localdate() + DAY)
    response = client.get("/feeds/meetings.atom")
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = parse_xml(response.content).findall("atom:entry", ns)
    assert [entry.findtext("atom:title", namespaces=ns) for entry in entries] == ["Coming"]
    assert entries[0].find("atom:link", ns).get("href") == "http://testserver/meetings/coming/"


LANGUAGE_PREFIXES = {code for code, _name in settings.LANGUAGES if code != "en"}


def test_sitemap_lists_pages_and_published_meetings_only(client, db):
    MeetingFactory(slug="public")
    MeetingFactory(slug="hidden", publication=Publication.DRAFT)
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    # /sitemap.xml is an index of sections (tests/test_sitemap.py); follow it.
    sections = [loc.text for loc in parse_xml(client.get("/sitemap.xml").content).findall("sm:sitemap/sm:loc", ns)]
    locations = [
        loc.text for section in sections for loc in parse_xml(client.get(section).content).findall("sm:url/sm:loc", ns)
    ]
    english = [
        "http://testserver/",
        "http://testserver/meetings/",
        "http://testserver/organisers/",
        "http://testserver/funders/",
        "http://testserver/meetings/public/",
    ]
    # Each page once per language (tests/test_sitemap.py): the English addresses, then the same in every other.
    assert [location for location in locations if location.split("/")[3] not in LANGUAGE_PREFIXES] == english
    assert len(locations) == len(english) * len(settings.LANGUAGES)
    assert not any("hidden" in location for location in locations)


# --- Layout ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lists_carry_the_footnote_only_when_a_listed_meeting_is_held_in_kosovo(client, db):
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    today = timezone.localdate()
    elsewhere = MeetingFactory(title="Elsewhere", start_date=today + DAY)
    elsewhere.countries.add(kosovo)  # participants are not named in lists
    # The month grid lists meetings and nothing else (the home page's map names Kosovo* on its own).
    day = today + DAY
    assert footnotes(client.get(f"/calendar/{day.year}/{day.month}/")) == []
    MeetingFactory(title="Pristina", start_date=today + DAY, venue=VenueFactory(city="Pristina", country=kosovo))
    response = client.get("/")
    assert "Pristina, Kosovo*" in texts(response.content, "p", "meeting-meta")[1]
    assert footnotes(response) == [str(KOSOVO_FOOTNOTE)]


def test_every_page_has_a_skip_link_navigation_stylesheets_and_feeds(client, db):
    response = client.get("/meetings/")
    assert [a["attrs"]["href"] for a in elements(response.content, "a", "skip-link")] == ["#main"]
    assert [main["attrs"]["id"] for main in elements(response.content, "main")] == ["main"]
    assert [
        (link["attrs"]["href"], link["attrs"].get("media"))
        for link in elements(response.content, "link", rel="stylesheet")
    ] == [
        ("/static/css/site.css", None),
        (identity.current().theme_url, None),  # the accent's colours, right after the base sheet
        ("/static/css/lists.css", None),
        ("/static/css/filters.css", None),
        ("/static/css/calendar.css", None),
        ("/static/css/pictures.css", None),
        ("/static/css/charts.css", None),
        ("/static/css/print.css", "print"),
    ]
    assert [
        link["attrs"]["href"] for link in elements(response.content, "link", rel="alternate") if "type" in link["attrs"]
    ] == [
        "/feeds/meetings.rss",
        "/feeds/meetings.atom",
    ]
    assert texts(response.content, "a", aria_current="page") == ["All meetings"]
    assert elements(response.content, "style") == []
    # Scripts only as deferred files of the site's own (progressive enhancement), never inline.
    scripts = [s for s in elements(response.content, "script") if s["attrs"].get("type") != "application/ld+json"]
    assert [s for s in scripts if not s["attrs"].get("src", "").startswith("/static/js/") or s["text"].strip()] == []
    assert all("defer" in s["attrs"] for s in scripts)
    assert "/static/js/copy-address.js" in [s["attrs"]["src"] for s in scripts]


def test_a_body_with_only_draft_meetings_has_no_public_page(client, db):
    body = OrganisationFactory(slug="quiet")
    MeetingOrganiserFactory(organisation=body, meeting=MeetingFactory(publication=Publication.DRAFT))
    MeetingFunderFactory(organisation=body, meeting=MeetingFactory(publication=Publication.DRAFT))
    assert client.get("/organisers/quiet/").status_code == 404
    assert client.get("/funders/quiet/").status_code == 404


def test_an_organiser_that_never_funded_has_no_funder_page(client, db):
    MeetingOrganiserFactory(organisation=OrganisationFactory(slug="rcc"))
    assert client.get("/organisers/rcc/").status_code == 200
    assert client.get("/funders/rcc/").status_code == 404


# --- With the seed's real meetings ------------------------------------------


def test_seed_rnnc_page_shows_its_back_to_back_cluster(client, seed):
    response = client.get("/meetings/3rd-meeting-regional-network-national-p-cve-coordinators/")
    assert texts(response.content, "span", "timeline-dates") == ["23 April 2019", "24 April 2019", "25 April 2019"]
    assert texts(response.content, "strong", aria_current="page") == [
        "3rd Meeting of the Regional Network of the National P-CVE Coordinators (RNNC) of the Western Balkans"
    ]


def test_seed_pccc_meeting_names_kosovo_with_its_footnote_and_its_study_visit(client, seed):
    response = client.get("/meetings/meeting-heads-police-cooperation-centres/")
    assert texts(response.content, "p", "meeting-when") == ["Date to be confirmed"]
    assert "Kosovo*" in facts(response)["Participating countries"]
    assert footnotes(response) == [str(KOSOVO_FOOTNOTE)]
    assert texts(response.content, "section", "linked") == [
        "Linked meetings Study visit Study visit to the PCCC Thörl-Maglern (Date to be confirmed)"
    ]


def test_seed_april_2019_grid(client, seed):
    response = client.get("/calendar/2019/4/")
    grid = response.content.decode().split('<section class="agenda"')[0]
    # One bar per meeting: its time (none announced), title, days, city (where public) and status.
    assert texts(grid, "a", "bar") == [
        "All day Informal Coordination Meeting of the IPAII 2017 Regional Programme, 12 April 2019 Vienna Took place",
        "All day 7th Meeting of the RCC Group of National Focal Points for Prevention and Countering Violent "
        "Extremism in South East Europe (NFP Group), 23 April 2019 Took place",
        "All day 3rd Meeting of the Regional Network of the National P-CVE Coordinators (RNNC) of the Western "
        "Balkans, 24 April 2019 Tirana Took place",
        "All day 1st IISG National P-CVE Coordination Meeting – Albania, 25 April 2019 Took place",
    ]


def test_a_draft_neither_shows_in_nor_carries_a_cluster(client, db):
    first = MeetingFactory(title="First", slug="first", start_date=D(2019, 4, 23))
    hidden = MeetingFactory(title="Hidden", start_date=D(2019, 4, 24), publication=Publication.DRAFT)
    last = MeetingFactory(title="Last", slug="last", start_date=D(2019, 4, 25))
    BackToBackFactory(from_meeting=first, to_meeting=hidden)
    BackToBackFactory(from_meeting=hidden, to_meeting=last)
    response = client.get("/meetings/first/")
    assert texts(response.content, "ol", "timeline") == []
    assert "Hidden" not in response.content.decode()


def test_the_cluster_walk_stops_after_six_hops(db):
    chain = [MeetingFactory(title=f"Day {day}", start_date=D(2019, 4, day)) for day in range(1, 11)]
    for earlier, later in itertools.pairwise(chain):
        BackToBackFactory(from_meeting=earlier, to_meeting=later)
    assert [meeting.title for meeting in chain[0].back_to_back_cluster()] == [f"Day {day}" for day in range(1, 8)]


def test_the_footnote_follows_kosovo_named_in_a_description_or_a_title(client, db):
    CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    MeetingFactory(slug="described", description="Representatives from Albania and Kosovo* take part.")
    MeetingFactory(title="Kosovo* coordination meeting", start_date=timezone.localdate() + DAY)
    assert footnotes(client.get("/meetings/described/")) == [str(KOSOVO_FOOTNOTE)]
    assert footnotes(client.get("/")) == [str(KOSOVO_FOOTNOTE)]


def test_organiser_page_subscription_selects_the_same_meetings(client, db):
    MeetingOrganiserFactory(organisation=OrganisationFactory(slug="rcc"))
    response = client.get("/organisers/rcc/")
    addresses = [field["attrs"]["value"] for field in elements(response.content, "input", id="subscribe-url")]
    assert addresses == ["http://testserver/calendar.ics?organiser=rcc"]


def test_meeting_page_offers_the_back_to_back_cluster_as_a_calendar(client, db):
    one = MeetingFactory(slug="one", start_date=D(2019, 4, 23))
    two = MeetingFactory(slug="two", start_date=D(2019, 4, 24))
    MeetingFactory(slug="alone")
    BackToBackFactory(from_meeting=one, to_meeting=two)
    with_partner = [a["attrs"]["href"] for a in elements(client.get("/meetings/one/").content, "a")]
    alone = [a["attrs"]["href"] for a in elements(client.get("/meetings/alone/").content, "a")]
    assert [href for href in with_partner if href.endswith("cluster.ics")] == ["/meetings/one/cluster.ics"]
    assert [href for href in alone if href.endswith("cluster.ics")] == []
