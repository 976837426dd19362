"""Queries per page stay constant as meetings grow: exact counts for 5 and for 60 meetings."""

import datetime

import pytest

from events.cache import fragments, version
from events.cache.fragments import held
from events.cache.version import DATA, PIECES
from events.facets import FacetIndex
from events.models import LinkKind
from tests.support.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TopicFactory,
)

# Exact queries per page with nothing cached, for 5 and for 60 meetings: the same but where the data
# differs in shape (named below). "entries": the list entries not cached yet (events.cache.fragments),
# one read of those meetings (list pages have only their keys), one of their organisers, one of their topics.
QUERIES = {
    # upcoming, date to be confirmed, the most recent past, designated countries, entries' organisers and topics;
    # the map of the meetings on it: the places, the countries' names
    "/": (8, 8),
    # segment counts, the keys of the page's meetings (with 5 meetings page 1 straddles upcoming and past:
    # one read per segment, events.public.pagination), designated countries, the facet index (events.facets:
    # the published meetings, 5 link tables, 5 filter choice lists; once per data version and process, after
    # which a form's counts read nothing), entries; the map: places, countries' names
    "/meetings/": (20, 19),
    # + validating the topic and country slugs, the meetings the search keeps
    "/meetings/?topic=topic-a&country=XK&q=meeting": (23, 22),
    # counts (all, upcoming), keys, designated countries, the facet index (11), entries, the year's month
    # counts, its nearest earlier and later days with meetings (the year only), the map (2)
    "/meetings/2030/": (22, 22),
    "/meetings/2030/5/": (19, 19),
    # the dated meetings' layout columns, the rows of those shown, month-only, designated countries (the grid
    # and its phone view draw bars, not list entries; with month-only meetings, their entries' 2 more)
    "/calendar/2030/5/": (4, 4),
    "/calendar/2030/week/19/": (3, 3),  # layout columns, the rows shown, designated countries
    # layout columns (the month's days only), the rows of the first few of each day, month-only, designated
    # countries, entries' organisers and topics
    "/calendar/2030/5/agenda/": (6, 6),
    # the meeting + 5 prefetches, 2 for links, the cluster walk (one query per hop, at most MAX_CLUSTER_HOPS,
    # so the 5-meeting chain ends sooner) and its meetings, the public change log
    "/meetings/meeting-0/": (15, 16),
    "/organisers/": (1, 1),
    "/funders/": (1, 1),
    # organisation, upcoming, date to be confirmed, past, designated countries, entries' organisers
    # (entries' topics too, read once per list of its upcoming and its past meetings); the map of its meetings:
    # its filter's organisation, the places, the countries' names
    "/organisers/rcc/": (12, 12),
    "/funders/eu/": (12, 12),
    "/feeds/meetings.rss": (1, 1),
    "/sitemap.xml": (2, 2),  # the index: how many meetings (its pages), their latest change
    "/sitemap-meetings.xml": (2, 2),  # how many meetings, one page of them
    "/sitemap-pages.xml": (0, 0),
}


def make_meetings(count):
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    topics = [TopicFactory(name="Topic A", slug="topic-a"), TopicFactory(name="Topic B", slug="topic-b")]
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    programme = ProgrammeFactory(name="IISG", slug="iisg")
    previous = None
    for index in range(count):
        # Half in May 2030 (upcoming, dense in the month grid), half in May 2019 (past).
        year = 2030 if index % 2 == 0 else 2019
        start = datetime.date(year, 5, 1 + index % 28)
        meeting = MeetingFactory(
            title=f"Meeting {index}",
            slug=f"meeting-{index}",
            start_date=start,
            end_date=start + datetime.timedelta(days=index % 3),
            description="Some **Markdown**.",
        )
        meeting.topics.add(*topics)
        meeting.countries.add(kosovo)
        meeting.programmes.add(programme)
        MeetingOrganiserFactory(meeting=meeting, organisation=rcc)
        MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory())
        MeetingFunderFactory(meeting=meeting, organisation=eu, instrument="IPA")
        if previous is not None:
            # One long chain of back-to-back links: the cluster walk must stay bounded anyway.
            BackToBackFactory(from_meeting=previous, to_meeting=meeting, kind=LinkKind.BACK_TO_BACK)
        previous = meeting


@pytest.mark.parametrize("count", [5, 60])
def test_queries_per_page_do_not_grow_with_meetings(client, db, django_assert_num_queries, count):
    # One data set per count, every page measured on it: building 60 linked meetings is the slow part.
    make_meetings(count)
    statuses = {}
    for url, expected in QUERIES.items():
        # New versions before each page: nothing cached by the pages before it (entries, counts, the form).
        version.publish({DATA, PIECES})
        with django_assert_num_queries(expected[0 if count == 5 else 1], info=url):
            statuses[url] = client.get(url).status_code
    assert statuses == dict.fromkeys(QUERIES, 200)


def test_home_reads_its_entries_once_however_many_months_it_shows(client, db, django_assert_num_queries):
    for month in range(1, 13):
        meeting = MeetingFactory(title=f"Meeting in month {month}", start_date=datetime.date(2030, month, 10))
        MeetingOrganiserFactory(meeting=meeting)

    version.publish({DATA, PIECES})
    with django_assert_num_queries(QUERIES["/"][0]):
        response = client.get("/")

    assert response.content.decode().count('class="meeting-link"') == 12


def test_a_process_without_the_facet_index_takes_the_one_another_process_built(db, django_assert_num_queries):
    make_meetings(5)
    version.publish({DATA, PIECES})
    built = held("facet-index", FacetIndex.read)
    fragments._held.clear()  # another worker: the index is only in the shared cache

    with django_assert_num_queries(0):
        taken = held("facet-index", FacetIndex.read)

    assert (taken.masks, taken.position) == (built.masks, built.position)
    assert taken is not built
    # After an edit (a new version) the first process to need it reads it again: the 11 queries of
    # the pages above (the published meetings, 5 link tables, 5 filter choice lists).
    version.publish({DATA, PIECES})
    with django_assert_num_queries(11):
        held("facet-index", FacetIndex.read)
