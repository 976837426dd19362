"""Every filter of the meeting list, through the real view: what must appear, what must not, bad values."""

import datetime

import pytest
from django.utils import timezone, translation

from events.filters import parse_date_input
from events.models import DatePrecision, Publication, Status
from meetings_site.languages import OFFERED
from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TopicFactory,
    VenueFactory,
)
from tests.support.html import elements, meeting_titles, texts

D = datetime.date


@pytest.fixture
def meetings(db):
    albania = CountryFactory(code="AL", name="Albania")
    serbia = CountryFactory(code="RS", name="Serbia")
    macedonia = CountryFactory(code="MK", name="North Macedonia")
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    salw = TopicFactory(name="Small arms", slug="salw")
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    dcaf = OrganisationFactory(name="Geneva Centre for Security Sector Governance", acronym="DCAF", slug="dcaf")
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    norway = OrganisationFactory(name="Norwegian Ministry of Foreign Affairs", acronym="", slug="norway")
    iisg = ProgrammeFactory(name="Integrative Internal Security Governance", slug="iisg")

    tirana = MeetingFactory(
        title="Tirana P-CVE network",
        start_date=D(2019, 4, 24),
        venue=VenueFactory(city="Tirana", country=albania),
    )
    tirana.topics.add(pcve)
    tirana.countries.add(kosovo, albania)
    tirana.programmes.add(iisg)
    MeetingOrganiserFactory(meeting=tirana, organisation=rcc)
    MeetingFunderFactory(meeting=tirana, organisation=eu)

    belgrade = MeetingFactory(
        title="Belgrade steering group",
        start_date=D(2019, 3, 5),
        venue=VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade"),
        status=Status.CANCELLED,
    )
    belgrade.topics.add(salw)
    MeetingOrganiserFactory(meeting=belgrade, organisation=dcaf)
    MeetingFunderFactory(meeting=belgrade, organisation=norway)

    skopje = MeetingFactory(
        title="Skopje board",
        start_date=D(2019, 2, 26),
        venue=VenueFactory(city="Skopje", country=macedonia, timezone="Europe/Skopje"),
        status=Status.POSTPONED,
    )
    skopje.topics.add(pcve, salw)
    MeetingOrganiserFactory(meeting=skopje, organisation=rcc)

    draft = MeetingFactory(
        title="Tirana draft P-CVE meeting",
        start_date=D(2019, 4, 1),
        venue=VenueFactory(city="Tirana", country=albania),
        publication=Publication.DRAFT,
    )
    draft.topics.add(pcve)
    MeetingOrganiserFactory(meeting=draft, organisation=rcc)


def listed(client, query):
    response = client.get("/meetings/", query)
    assert response.status_code == 200, response.content.decode()
    return meeting_titles(response)


def test_no_filter_lists_every_published_meeting_newest_past_first(client, meetings):
    assert listed(client, {}) == ["Tirana P-CVE network", "Belgrade steering group", "Skopje board"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steering", ["Belgrade steering group"]),  # title
        ("dcaf", ["Belgrade steering group"]),  # organiser acronym
        ("cooperation council", ["Tirana P-CVE network", "Skopje board"]),  # organiser name, two words
        ("norwegian", ["Belgrade steering group"]),  # funder name
        ("EU", ["Tirana P-CVE network"]),  # funder acronym
        ("skopje", ["Skopje board"]),  # city
        ("nothing-like-this", []),
    ],
)
def test_text_search(client, meetings, text, expected):
    assert listed(client, {"q": text}) == expected


def test_text_search_never_finds_drafts(client, meetings):
    assert listed(client, {"q": "draft"}) == []


def test_organiser(client, meetings):
    assert listed(client, {"organiser": "rcc"}) == ["Tirana P-CVE network", "Skopje board"]


def test_funder(client, meetings):
    assert listed(client, {"funder": "norway"}) == ["Belgrade steering group"]


def test_programme(client, meetings):
    assert listed(client, {"programme": "iisg"}) == ["Tirana P-CVE network"]


def test_topic(client, meetings):
    assert listed(client, {"topic": "salw"}) == ["Belgrade steering group", "Skopje board"]


def test_topic_repeated_means_either(client, meetings):
    assert listed(client, {"topic": ["p-cve", "salw"]}) == [
        "Tirana P-CVE network",
        "Belgrade steering group",
        "Skopje board",
    ]


def test_country_matches_participants(client, meetings):
    assert listed(client, {"country": "XK"}) == ["Tirana P-CVE network"]


def test_country_matches_the_venue(client, meetings):
    assert listed(client, {"country": "RS"}) == ["Belgrade steering group"]


def test_city_ignores_case(client, meetings):
    assert listed(client, {"city": "belgrade"}) == ["Belgrade steering group"]


def test_date_from(client, meetings):
    assert listed(client, {"date_from": "2019-03-01"}) == ["Tirana P-CVE network", "Belgrade steering group"]


def test_date_to(client, meetings):
    assert listed(client, {"date_to": "2019-03-01"}) == ["Skopje board"]


def test_date_range(client, meetings):
    assert listed(client, {"date_from": "2019-03-01", "date_to": "2019-03-31"}) == ["Belgrade steering group"]


def test_status(client, meetings):
    assert listed(client, {"status": ["postponed", "cancelled"]}) == ["Belgrade steering group", "Skopje board"]


def test_filters_combine(client, meetings):
    assert listed(client, {"topic": "p-cve", "country": "XK", "organiser": "rcc"}) == ["Tirana P-CVE network"]


@pytest.mark.parametrize(
    ("query", "label", "message"),
    [
        ({"date_from": "2019-02-30"}, "From", "Enter a valid date."),
        ({"date_to": "tomorrow"}, "To", "Enter a valid date."),
        (
            {"topic": "no-such-topic"},
            "Topic",
            "Select a valid choice. no-such-topic is not one of the available choices.",
        ),
        ({"organiser": "nobody"}, "Organiser", "Select a valid choice. nobody is not one of the available choices."),
        ({"funder": "nobody"}, "Funder", "Select a valid choice. nobody is not one of the available choices."),
        ({"programme": "none"}, "Programme", "Select a valid choice. none is not one of the available choices."),
        ({"country": "ZZ"}, "Country", "Select a valid choice. ZZ is not one of the available choices."),
        ({"status": "maybe"}, "Status", "Select a valid choice. maybe is not one of the available choices."),
        ({"q": "x" * 201}, "Search", "Ensure this value has at most 200 characters (it has 201)."),
        ({"city": "y" * 101}, "City", "Ensure this value has at most 100 characters (it has 101)."),
    ],
)
def test_invalid_value_is_a_visible_error_with_status_400(client, meetings, query, label, message):
    response = client.get("/meetings/", query)
    assert response.status_code == 400
    assert texts(response.content, "div", "form-errors") == [
        f"Some filters could not be used. Please correct them: {label}: {message}"
    ]
    assert meeting_titles(response) == []
    assert texts(response.content, "p", "result-count") == []


def test_unknown_slug_next_to_a_valid_one_is_still_an_error(client, meetings):
    response = client.get("/meetings/", {"topic": ["p-cve", "nope"]})
    assert response.status_code == 400
    assert meeting_titles(response) == []


def test_active_filters_show_as_chips_that_remove_themselves(client, meetings):
    response = client.get("/meetings/", {"topic": ["p-cve", "salw"], "country": "XK", "page": "1"})
    chips = elements(response.content, "a", "chip")
    assert [(chip["text"], chip["attrs"]["href"]) for chip in chips] == [
        ("Remove filter Topic: P-CVE ×", "/meetings/?topic=salw&country=XK"),
        ("Remove filter Topic: Small arms ×", "/meetings/?topic=p-cve&country=XK"),
        ("Remove filter Country: Kosovo* ×", "/meetings/?topic=p-cve&topic=salw"),
    ]
    assert texts(response.content, "p", "result-count") == ["1 meeting found"]


def test_date_chip_reads_in_words(client, meetings):
    response = client.get("/meetings/", {"date_from": "2019-03-01", "q": "steering"})
    chips = elements(response.content, "a", "chip")
    assert [(chip["text"], chip["attrs"]["href"]) for chip in chips] == [
        ("Remove filter Search: steering ×", "/meetings/?date_from=2019-03-01"),
        ("Remove filter From: 1 March 2019 ×", "/meetings/?q=steering"),
    ]


def test_result_count_without_filters(client, meetings):
    response = client.get("/meetings/")
    assert texts(response.content, "p", "result-count") == ["3 meetings found"]
    assert elements(response.content, "a", "chip") == []


def test_upcoming_come_soonest_first_then_date_to_be_confirmed_then_past_newest_first(client, db):
    today = timezone.localdate()
    MeetingFactory(title="Later", start_date=today + datetime.timedelta(days=40))
    MeetingFactory(title="Sooner", start_date=today + datetime.timedelta(days=3))
    MeetingFactory(title="Ongoing", start_date=today - datetime.timedelta(days=1), end_date=today)
    MeetingFactory(title="Unknown date", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)
    MeetingFactory(title="Last year", start_date=today - datetime.timedelta(days=365))
    MeetingFactory(title="Last month", start_date=today - datetime.timedelta(days=30))
    assert listed(client, {}) == ["Ongoing", "Sooner", "Later", "Unknown date", "Last month", "Last year"]


def test_pagination_keeps_filters_and_pages_through_all_results(client, db):
    topic = TopicFactory(name="Borders", slug="borders")
    for day in range(1, 26):
        MeetingFactory(title=f"Border meeting {day:02d}", start_date=D(2019, 1, day)).topics.add(topic)
    MeetingFactory(title="Other", start_date=D(2019, 1, 1))
    first = client.get("/meetings/", {"topic": "borders"})
    second = client.get("/meetings/", {"topic": "borders", "page": "2"})
    assert meeting_titles(first) == [f"Border meeting {day:02d}" for day in range(25, 5, -1)]
    assert meeting_titles(second) == [f"Border meeting {day:02d}" for day in range(5, 0, -1)]
    assert [link["attrs"]["href"] for link in elements(first.content, "a", rel="next")] == ["?topic=borders&page=2"]
    assert texts(first.content, "p", "result-count") == ["25 meetings found"]


@pytest.mark.parametrize("page", ["3", "abc", "0"])
def test_a_page_out_of_range_is_not_found(client, db, page):
    MeetingFactory()
    assert client.get("/meetings/", {"page": page}).status_code == 404


def test_archive_pages_take_the_same_filters(client, meetings):
    response = client.get("/meetings/2019/", {"topic": "salw"})
    assert meeting_titles(response) == ["Skopje board", "Belgrade steering group"]
    assert client.get("/meetings/2019/", {"topic": "nope"}).status_code == 400


# --- Addresses without empty parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("?q=&city=&topic=p-cve", "/meetings/?topic=p-cve"),
        ("?q=+&date_from=&date_to=", "/meetings/"),
        ("?topic=p-cve&q=&topic=salw&utm_source=x&page=", "/meetings/?topic=p-cve&topic=salw&utm_source=x"),
    ],
)
def test_empty_parameters_redirect_to_the_same_filter_without_them(client, meetings, query, location):
    response = client.get(f"/meetings/{query}")

    assert (response.status_code, response["Location"]) == (302, location)


def test_empty_parameters_redirect_even_when_the_filter_is_cached(client, meetings):
    first = client.get("/meetings/?topic=p-cve")
    again = client.get("/meetings/?topic=p-cve")
    with_empty = client.get("/meetings/?q=&topic=p-cve")
    archive = client.get("/meetings/2019/?city=&topic=p-cve")

    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert (with_empty.status_code, with_empty["Location"]) == (302, "/meetings/?topic=p-cve")
    assert "X-Page-Cache" not in with_empty
    assert (archive.status_code, archive["Location"]) == (302, "/meetings/2019/?topic=p-cve")
    assert client.get("/meetings/?topic=p-cve").status_code == 200


# --- Dates in the site's format ----------------------------------------------------------------------------


def date_box(response, name):
    [box] = elements(response.content, "input", id=f"id_{name}")
    return box["attrs"]


@pytest.mark.parametrize(
    ("path", "typed", "shown", "example"),
    [
        ("/meetings/", "2019-03-01", "01/03/2019", "23/04/2019"),
        ("/meetings/", "01/03/2019", "01/03/2019", "23/04/2019"),
        ("/sq/meetings/", "01.03.2019", "01.03.2019", "23.04.2019"),
        ("/bs/meetings/", "01.03.2019.", "01.03.2019.", "23.04.2019."),
        ("/cnr/meetings/", "1.3.2019", "01.03.2019.", "23.04.2019."),
        ("/hr/meetings/", "01.03.2019.", "01.03.2019.", "23.04.2019."),
        ("/hr/meetings/", "01.03.2019", "01.03.2019.", "23.04.2019."),
        ("/hr/meetings/", "2019-03-01", "01.03.2019.", "23.04.2019."),
        ("/mk/meetings/", "1.3.2019", "01.03.2019", "23.04.2019"),
    ],
)
def test_dates_are_read_in_the_language_s_format_and_in_iso(client, meetings, path, typed, shown, example):
    response = client.get(path, {"date_from": typed, "date_to": "2019-03-31"})

    assert response.status_code == 200
    assert meeting_titles(response) == ["Belgrade steering group"]
    box = date_box(response, "date_from")
    assert (box["type"], box["value"], box["aria-describedby"]) == ("text", shown, "id_date_from_hint")
    [hint] = texts(response.content, "p", "field-hint", id="id_date_from_hint")
    # "Example: …" in the language once translated (locale/ is translated apart).
    assert hint.endswith(f": {example}")
    # The chips and the feed address hold the date as ISO, whatever the language.
    assert [chip["attrs"]["href"].split("?")[1] for chip in elements(response.content, "a", "chip")] == [
        "date_to=2019-03-31",
        "date_from=2019-03-01",
    ]
    assert "date_from=2019-03-01&amp;date_to=2019-03-31" in response.content.decode()


@pytest.mark.parametrize("language", [language.code for language in OFFERED])
def test_no_language_reads_a_date_month_first(language):
    # Django's fallback input formats are American (%m/%d/%Y): "04/05/2019" would be 5 April.
    with translation.override(language):
        assert parse_date_input("04/05/2019") in (None, datetime.date(2019, 5, 4))
        assert parse_date_input("2019-05-04") == datetime.date(2019, 5, 4)


def test_a_regional_date_and_its_iso_form_are_one_cached_page(client, meetings):
    regional = client.get("/hr/meetings/?date_from=23.04.2019")
    iso = client.get("/hr/meetings/?date_from=2019-04-23")

    assert (regional["X-Page-Cache"], iso["X-Page-Cache"]) == ("miss", "hit")
    assert meeting_titles(iso) == ["Tirana P-CVE network"]


@pytest.mark.parametrize(
    ("path", "typed"),
    [
        ("/meetings/", "04/23/2019"),
        ("/meetings/", "2019-13-01"),
        ("/hr/meetings/", "32.04.2019."),
        ("/hr/meetings/", "04/23/2019"),
    ],
)
def test_a_date_the_language_does_not_write_is_a_400_with_the_form_and_what_was_typed(client, meetings, path, typed):
    response = client.get(path, {"date_from": typed})

    assert response.status_code == 400
    [errors] = elements(response.content, "div", "form-errors")
    expected = "Od: Unesite ispravan datum." if path.startswith("/hr/") else "From: Enter a valid date."
    assert errors["text"].endswith(expected)
    box = date_box(response, "date_from")
    assert (box["value"], box["aria-describedby"]) == (typed, "id_date_from_hint id_date_from_error")
    assert meeting_titles(response) == []
