"""Queries per page stay constant as meetings grow: the same ceiling holds for 5 and for 60 meetings."""

import datetime

import pytest

from events.cache import version
from events.cache.version import DATA, PIECES
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

# page: the most queries it may make, whatever the number of meetings, with nothing cached.
# "entries": the list entries not cached yet (events.fragments), one read of those meetings
# (list pages have only their keys) and one of their organisers, for all of a page's entries.
CEILINGS = {
    "/": 4,  # upcoming, date to be confirmed (recent past only when nothing is upcoming), designated countries, entries
    # segment counts, the keys of the page's meetings (a page that straddles upcoming and past reads each
    # part: events.pagination.InListOrderPaginator), designated countries, 5 filter choice lists, entries
    "/meetings/": 11,
    "/meetings/?topic=topic-a&country=XK&q=meeting": 13,  # + validating the topic and country slugs
    "/meetings/2030/": 10,  # count, keys, designated countries, 5 filter choice lists, entries
    "/meetings/2030/5/": 10,
    "/calendar/2030/5/": 4,  # dated, month-only, designated countries, entries' organisers
    # the meeting's row (who may see it), then for its parts: the meeting + 5 prefetches, 2 for links, at most
    # MAX_CLUSTER_HOPS (6) for the cluster walk + its meetings, designated countries (skipped here: the
    # meeting's own countries already need the footnote), the public change log (+ 1 when the place changed)
    "/meetings/meeting-0/": 17,
    "/organisers/": 1,
    "/funders/": 1,
    # organisation, upcoming, date to be confirmed, past, designated countries, entries' organisers (per list)
    "/organisers/rcc/": 8,
    "/funders/eu/": 8,
    "/feeds/meetings.rss": 1,
    "/sitemap.xml": 2,
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
def test_queries_per_page_do_not_grow_with_meetings(client, db, django_assert_max_num_queries, count):
    # One data set per count, every page measured on it: building 60 linked meetings is the slow part.
    make_meetings(count)
    statuses = {}
    for url, ceiling in CEILINGS.items():
        # A new data version for each page: nothing cached by the pages before it (entries, counts,
        # the meeting page's parts), so each is measured at its worst.
        version.publish({DATA, PIECES})
        with django_assert_max_num_queries(ceiling, info=url):
            statuses[url] = client.get(url).status_code
    assert statuses == dict.fromkeys(CEILINGS, 200)


def test_home_reads_its_entries_once_however_many_months_it_shows(client, db, django_assert_max_num_queries):
    for month in range(1, 13):
        meeting = MeetingFactory(title=f"Meeting in month {month}", start_date=datetime.date(2030, month, 10))
        MeetingOrganiserFactory(meeting=meeting)

    version.publish({DATA, PIECES})
    with django_assert_max_num_queries(CEILINGS["/"]):
        response = client.get("/")

    assert response.content.decode().count('class="meeting-link"') == 12
