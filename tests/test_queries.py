"""Queries per page stay constant as meetings grow: the same ceiling holds for 5 and for 60 meetings."""

import datetime

import pytest

from events.models import LinkKind
from tests.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TopicFactory,
)

# page: the most queries it may make, whatever the number of meetings.
CEILINGS = {
    "/": 8,  # upcoming + their 5 prefetches, date-to-be-confirmed (none here), designated country names
    "/meetings/": 13,  # count, page + 5 prefetches, 5 filter choice lists, the designation check
    "/meetings/?topic=topic-a&country=XK&q=meeting": 15,  # + validating the topic and country slugs
    "/meetings/2030/": 13,
    "/meetings/2030/5/": 13,
    "/calendar/2030/5/": 8,  # dated + 5 prefetches, month-only (none here), designated country names
    # meeting + 5 prefetches, 2 for links, at most MAX_CLUSTER_HOPS (6) for the cluster walk + its meetings,
    # designated country names (skipped here: the meeting's own countries already need the footnote)
    # + 1 for the public change log (its history; + 1 more only when the place changed)
    "/meetings/meeting-0/": 16,
    "/organisers/": 1,
    "/funders/": 1,
    # organisation, upcoming and past with 5 prefetches each, date to be confirmed, designated country names
    "/organisers/rcc/": 15,
    "/funders/eu/": 15,
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
        with django_assert_max_num_queries(ceiling, info=url):
            statuses[url] = client.get(url).status_code
    assert statuses == dict.fromkeys(CEILINGS, 200)
