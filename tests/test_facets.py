"""Counts beside the filter options (events.facets): exact, by the faceting rule, bounded, renewed by edits."""

import datetime
import re

import pytest
from django.utils.http import urlencode

from events.cache import version
from events.cache.version import DATA, PIECES
from events.models import Publication, Status
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
OPTION = re.compile(
    r'<input type="checkbox" name="(?P<name>\w+)" value="(?P<value>[^"]*)" id="[^"]+"(?: checked)?>'
    r'<label for="[^"]+">[^<]*?'
    r'(?: <span class="facet-count" aria-hidden="true">\((?P<count>\d+)\)</span>|</label>)'
)


def counts(response):
    """{(filter, value): count} of the page's filter form; None where no count is shown."""
    html = response.content.decode()
    return {
        (match["name"], match["value"]): None if match["count"] is None else int(match["count"])
        for match in OPTION.finditer(html)
    }


def result_count(client, pairs):
    response = client.get(f"/meetings/?{urlencode(pairs)}")
    assert response.status_code == 200
    [text] = texts(response.content, "p", "result-count")
    return int(text.split()[0])


@pytest.fixture
def region(db):
    albania = CountryFactory(code="AL", name="Albania")
    serbia = CountryFactory(code="RS", name="Serbia")
    macedonia = CountryFactory(code="MK", name="North Macedonia")
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    salw = TopicFactory(name="Small arms", slug="salw")
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    dcaf = OrganisationFactory(name="DCAF", acronym="DCAF", slug="dcaf")
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    iisg = ProgrammeFactory(name="IISG", slug="iisg")

    tirana = MeetingFactory(
        title="Tirana P-CVE network",
        start_date=D(2019, 4, 24),
        venue=VenueFactory(city="Tirana", country=albania),
        working_languages="en sq",
    )
    tirana.topics.add(pcve)
    tirana.countries.add(kosovo, albania)  # held in Albania too: counted once there
    tirana.programmes.add(iisg)
    MeetingOrganiserFactory(meeting=tirana, organisation=rcc)
    MeetingOrganiserFactory(meeting=tirana, organisation=rcc, role="host")  # two roles, one meeting
    MeetingFunderFactory(meeting=tirana, organisation=eu)

    belgrade = MeetingFactory(
        title="Belgrade steering group",
        start_date=D(2019, 3, 5),
        venue=VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade"),
        status=Status.CANCELLED,
        working_languages="en",
        interpretation_into="sr",
    )
    belgrade.topics.add(salw)
    MeetingOrganiserFactory(meeting=belgrade, organisation=dcaf)

    skopje = MeetingFactory(
        title="Skopje board",
        start_date=D(2019, 2, 26),
        venue=VenueFactory(city="Skopje", country=macedonia, timezone="Europe/Skopje"),
        status=Status.POSTPONED,
        working_languages="mk",
    )
    skopje.topics.add(pcve, salw)
    skopje.countries.add(kosovo)
    MeetingOrganiserFactory(meeting=skopje, organisation=rcc)

    draft = MeetingFactory(
        title="Tirana draft P-CVE meeting",
        start_date=D(2019, 4, 1),
        venue=VenueFactory(city="Tirana", country=albania),
        publication=Publication.DRAFT,
        working_languages="en",
    )
    draft.topics.add(pcve, salw)
    MeetingOrganiserFactory(meeting=draft, organisation=rcc)
    MeetingOrganiserFactory(meeting=draft, organisation=dcaf)
    return {"tirana": tirana, "belgrade": belgrade, "skopje": skopje, "draft": draft, "salw": salw}


def test_counts_without_filters_are_the_published_meetings_with_each_option(client, region):
    found = counts(client.get("/meetings/"))

    assert {key: value for key, value in found.items() if key[0] == "topic"} == {
        ("topic", "p-cve"): 2,
        ("topic", "salw"): 2,
    }
    assert found[("organiser", "rcc")] == 2  # two roles in one meeting count once; the draft not at all
    assert found[("organiser", "dcaf")] == 1
    assert found[("funder", "eu")] == 1
    assert found[("programme", "iisg")] == 1
    # Held there or with participants from there, each meeting once.
    assert [found[("country", code)] for code in ("AL", "XK", "MK", "RS")] == [1, 2, 1, 1]
    assert [found[("status", status)] for status in ("tentative", "confirmed", "postponed", "cancelled")] == [
        0,
        1,
        1,
        1,
    ]
    assert [found[("language", code)] for code in ("en", "sq", "mk", "sr", "fr")] == [2, 1, 1, 1, 0]


def test_counts_apply_every_other_filter_but_not_their_own(client, region):
    found = counts(client.get("/meetings/?topic=p-cve&country=XK"))

    # The topic's own choices ignore the chosen topic (either topic may be added), not the country.
    assert [found[("topic", "p-cve")], found[("topic", "salw")]] == [2, 1]
    # The countries ignore the chosen country, not the topic.
    assert [found[("country", code)] for code in ("AL", "XK", "MK", "RS")] == [1, 2, 1, 0]
    assert [found[("organiser", "rcc")], found[("organiser", "dcaf")]] == [2, 0]
    assert [found[("status", "confirmed")], found[("status", "postponed")], found[("status", "cancelled")]] == [1, 1, 0]


def test_every_count_is_what_the_list_shows_with_that_option(client, region):
    active = [("status", "postponed"), ("status", "cancelled"), ("country", "XK")]
    found = counts(client.get(f"/meetings/?{urlencode(active)}"))
    assert len(found) > 20

    for (name, value), count in found.items():
        others = [(other, chosen) for other, chosen in active if other != name]
        assert result_count(client, [*others, (name, value)]) == count, (name, value)


def test_text_search_and_dates_narrow_every_count(client, region):
    found = counts(client.get("/meetings/?q=skopje&date_from=2019-01-01"))

    assert found[("topic", "p-cve")] == 1
    assert found[("topic", "salw")] == 1
    assert found[("organiser", "dcaf")] == 0
    assert found[("language", "mk")] == 1


def test_an_option_without_meetings_stays_listed_and_muted(client, region):
    response = client.get("/meetings/?topic=salw")
    [dcaf] = [li for li in elements(response.content, "li", "option") if li["text"].startswith("DCAF")]
    [tentative] = [li for li in elements(response.content, "li", "option") if li["text"].startswith("Tentative")]

    assert "option-empty" not in dcaf["attrs"]["class"]
    assert tentative["attrs"]["class"] == "option option-empty"
    assert tentative["text"] == "Tentative (0)0 meetings"
    assert dcaf["text"] == "DCAF (1)1 meeting"


def test_a_form_with_errors_shows_no_counts(client, region):
    response = client.get("/meetings/?date_from=2019-02-30&topic=p-cve")

    assert response.status_code == 400
    found = counts(response)
    assert found[("topic", "p-cve")] is None
    assert set(found.values()) == {None}
    assert 'value="p-cve" id="id_topic_0" checked' in response.content.decode()


def test_counts_change_when_a_meeting_is_published_or_edited(transactional_db, client, region):
    # Committed writes (transactional_db): the versions move when an edit commits (events.cache.invalidation),
    # so the page and its form are new.
    before = counts(client.get("/meetings/?country=AL"))

    region["draft"].publication = Publication.PUBLISHED
    region["draft"].save()
    published = counts(client.get("/meetings/?country=AL"))
    unfiltered = counts(client.get("/meetings/"))
    region["belgrade"].topics.remove(region["salw"])
    edited = counts(client.get("/meetings/"))

    assert (before[("topic", "salw")], published[("topic", "salw")]) == (0, 1)
    assert (before[("organiser", "dcaf")], published[("organiser", "dcaf")]) == (0, 1)
    # Belgrade, Skopje and the meeting just published; then no longer Belgrade.
    assert (unfiltered[("topic", "salw")], edited[("topic", "salw")]) == (3, 2)


def test_archive_counts_only_the_meetings_of_its_period(client, region):
    found = counts(client.get("/meetings/2019/3/"))

    assert [found[("topic", "p-cve")], found[("topic", "salw")]] == [0, 1]
    assert found[("country", "RS")] == 1


def test_long_option_lists_show_their_first_options_and_the_rest_behind_show_all(client, db):
    serbia = CountryFactory(code="RS", name="Serbia")
    for index in range(12):
        meeting = MeetingFactory(title=f"Meeting {index}", venue=VenueFactory(country=serbia))
        MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory(name=f"Body {index:02d}"))

    response = client.get("/meetings/")
    [organisers] = elements(response.content, "fieldset", "facet", id="id_organiser")
    [disclosure] = [text for text in texts(response.content, "details", "more-options") if "Body" in text]

    assert organisers["attrs"]["data-option-search"] == "Find an option"
    assert disclosure.startswith("Show all 12 Body 08")
    assert '<details class="more-options">' in response.content.decode()  # closed: nothing chosen in it


def test_a_chosen_option_behind_show_all_is_shown(client, db):
    slugs = []
    for index in range(12):
        meeting = MeetingFactory(title=f"Meeting {index}")
        body = OrganisationFactory(name=f"Body {index:02d}", slug=f"body-{index:02d}")
        MeetingOrganiserFactory(meeting=meeting, organisation=body)
        slugs.append(body.slug)

    html = client.get(f"/meetings/?organiser={slugs[-1]}").content.decode()

    assert '<details class="more-options" open>' in html


def make_meetings(count):
    countries = [CountryFactory(code=code, name=code) for code in ("AL", "RS", "MK", "XK")]
    topics = [TopicFactory(name=f"Topic {index}", slug=f"topic-{index}") for index in range(3)]
    for index in range(count):
        meeting = MeetingFactory(
            title=f"Meeting {index}",
            start_date=D(2019 + index % 3, 1 + index % 12, 1 + index % 28),
            venue=VenueFactory(country=countries[index % 4]),
            status=[Status.CONFIRMED, Status.POSTPONED][index % 2],
            working_languages=["en", "sq mk"][index % 2],
        )
        meeting.topics.add(topics[index % 3])
        meeting.countries.add(countries[(index + 1) % 4])
        MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory())
        MeetingFunderFactory(meeting=meeting, organisation=OrganisationFactory())


@pytest.mark.parametrize("count", [4, 40])
def test_list_page_with_counts_reads_a_constant_number_of_queries(client, db, django_assert_num_queries, count):
    make_meetings(count)
    version.publish({DATA, PIECES})
    # All past (one segment of the list): the segment counts, the keys, designated countries, validating
    # the topic and the country, the facet index (the published meetings, five link tables, five choice
    # lists), the meetings the search keeps, the entries (meetings, organisers, topics).
    # (+2: the map of the meetings in view, its places and the countries' names)
    with django_assert_num_queries(22):
        response = client.get("/meetings/?topic=topic-0&country=AL&q=meeting")
    assert response.status_code == 200
    assert len(counts(response)) >= 3 + 4 + 2 + 16


def test_past_the_counting_limit_the_options_are_listed_without_counts(client, region, settings):
    # Three published meetings, one more than the index may hold: building it per data version
    # would take longer than a request (at 1,000,000 meetings, 37 s), so nothing is counted.
    settings.FACET_COUNTS_MAX_MEETINGS = 2
    version.publish({DATA, PIECES})

    response = client.get("/meetings/?topic=p-cve")

    assert response.status_code == 200
    found = counts(response)
    assert ("topic", "p-cve") in found and ("organiser", "rcc") in found and ("status", "confirmed") in found
    assert set(found.values()) == {None}
    # The filter itself still works: the two published P-CVE meetings.
    assert len(meeting_titles(response)) == 2
