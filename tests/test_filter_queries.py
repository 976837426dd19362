"""MeetingFilter's related filters (EXISTS, no join): each match once, non-matches never."""

import pytest

from events.cache import version
from events.cache.version import DATA
from events.filters import MeetingFilter
from events.models import Meeting, MeetingFunder, MeetingOrganiser
from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
)


def titles(params):
    queryset = Meeting.objects.published().order_by("title")
    return [meeting.title for meeting in MeetingFilter(params, queryset=queryset).qs]


@pytest.fixture
def region(db):
    albania = CountryFactory(code="AL", name="Albania")
    serbia = CountryFactory(code="RS", name="Serbia")
    border = TopicFactory(name="Border security", slug="border-security")
    salw = TopicFactory(name="SALW", slug="salw")
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    dcaf = OrganisationFactory(name="DCAF", acronym="DCAF", slug="dcaf")
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    tirana = VenueFactory(city="Tirana", country=albania)
    belgrade = VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade")

    both_topics = MeetingFactory(title="Both topics in Tirana", venue=tirana)
    both_topics.topics.add(border, salw)
    both_topics.countries.add(albania, serbia)
    MeetingOrganiserFactory(meeting=both_topics, organisation=rcc)
    MeetingOrganiserFactory(meeting=both_topics, organisation=dcaf, role="host")
    MeetingFunderFactory(meeting=both_topics, organisation=eu)

    salw_only = MeetingFactory(title="SALW in Belgrade with Albania", venue=belgrade)
    salw_only.topics.add(salw)
    salw_only.countries.add(albania)
    MeetingOrganiserFactory(meeting=salw_only, organisation=dcaf)

    MeetingFactory(title="Nothing linked in Belgrade", venue=belgrade)
    return {"rcc": rcc, "dcaf": dcaf, "eu": eu}


def test_topic_filter_lists_a_meeting_with_two_topics_once(region):
    assert titles({"topic": ["border-security", "salw"]}) == [
        "Both topics in Tirana",
        "SALW in Belgrade with Albania",
    ]
    assert titles({"topic": ["border-security"]}) == ["Both topics in Tirana"]


def test_country_filter_matches_venue_or_participants_once(region):
    assert titles({"country": ["AL"]}) == ["Both topics in Tirana", "SALW in Belgrade with Albania"]
    assert titles({"country": ["RS"]}) == [
        "Both topics in Tirana",
        "Nothing linked in Belgrade",
        "SALW in Belgrade with Albania",
    ]


def test_topic_and_country_together(region):
    assert titles({"topic": ["salw"], "country": ["AL"]}) == [
        "Both topics in Tirana",
        "SALW in Belgrade with Albania",
    ]
    assert titles({"topic": ["border-security"], "country": ["RS"]}) == ["Both topics in Tirana"]


def test_organiser_and_funder_filters(region):
    assert titles({"organiser": ["dcaf"]}) == ["Both topics in Tirana", "SALW in Belgrade with Albania"]
    assert titles({"organiser": ["rcc", "dcaf"]}) == ["Both topics in Tirana", "SALW in Belgrade with Albania"]
    assert titles({"funder": ["eu"]}) == ["Both topics in Tirana"]


def test_text_search_finds_organiser_acronyms_once(region):
    assert titles({"q": "DCAF"}) == ["Both topics in Tirana", "SALW in Belgrade with Albania"]
    assert titles({"q": "RCC tirana"}) == ["Both topics in Tirana"]
    assert titles({"q": "EU"}) == ["Both topics in Tirana"]


def test_organiser_and_funder_choices_are_the_bodies_that_acted_so(region):
    OrganisationFactory(name="Idle body", slug="idle")

    assert list(MeetingOrganiser.objects.organisations()) == [region["dcaf"], region["rcc"]]
    assert list(MeetingFunder.objects.organisations()) == [region["eu"]]


def rendered_form(response):
    html = response.content.decode()
    start = html.index('<form method="get"')
    return html[start : html.index("</form>", start)]


def test_filter_form_is_rendered_once_per_filter_values(client, region, django_assert_max_num_queries):
    version.publish({DATA})  # the version row exists, as on any site that has had an edit
    with django_assert_max_num_queries(100) as first_queries:
        first = client.get("/meetings/?topic=salw")
    first_count = len(first_queries.captured_queries)  # read now: the next request resets the log
    with django_assert_max_num_queries(100) as second_queries:
        # Conditional: past the page cache, so the page is built again from its cached parts.
        second = client.get("/meetings/?topic=salw", headers={"if-none-match": '"no-such-page"'})
    second_count = len(second_queries.captured_queries)
    other = client.get("/meetings/?topic=border-security")

    # Neither the facet index (the published meetings, five link tables and the five lists of choices:
    # events.facets), nor the count of results
    # (events.pagination), nor the list entries (their meetings, organisers and topics) and the
    # designated countries (events.fragments) are queried again for the same filters: what is left
    # is checking the chosen topic and reading the keys of the page's meetings. Nor the map's places and the
    # countries' names (events.public.maps).
    assert first_count - second_count == 18
    assert second_count == 2
    assert rendered_form(second) == rendered_form(first)
    assert 'value="salw" id="id_topic_1" checked' in rendered_form(second)
    assert 'value="border-security" id="id_topic_0" checked' in rendered_form(other)
    assert 'value="salw" id="id_topic_1" checked' not in rendered_form(other)


def test_filter_choices_leave_out_bodies_known_only_from_unpublished_meetings(client, db):
    import datetime

    from django.utils import timezone

    from events.models import Publication

    MeetingOrganiserFactory(organisation=OrganisationFactory(name="Public Body", slug="public-body"))
    draft = MeetingFactory(title="Draft", publication=Publication.DRAFT)
    MeetingOrganiserFactory(meeting=draft, organisation=OrganisationFactory(name="Secret Partner", slug="secret"))
    MeetingFunderFactory(meeting=draft, organisation=OrganisationFactory(name="Secret Donor", slug="donor"))
    scheduled = MeetingFactory(title="Later", publish_at=timezone.now() + datetime.timedelta(days=1))
    MeetingOrganiserFactory(meeting=scheduled, organisation=OrganisationFactory(name="Scheduled Partner"))

    form = rendered_form(client.get("/meetings/"))

    assert "Public Body" in form
    assert "Secret Partner" not in form
    assert "Secret Donor" not in form
    assert "Scheduled Partner" not in form
    # Asking for one by its slug is an invalid choice, as for a body that does not exist.
    assert client.get("/meetings/?organiser=secret").status_code == 400
    assert client.get("/calendar.ics?funder=donor").status_code == 400
    # Editors still filter the admin's list by every organiser.
    assert [org.name for org in MeetingOrganiser.objects.organisations().order_by("name")] == [
        "Public Body",
        "Scheduled Partner",
        "Secret Partner",
    ]


def test_a_new_filter_counts_its_form_from_the_facet_index_without_a_query_per_facet(
    client, region, django_assert_num_queries
):
    version.publish({DATA})
    client.get("/meetings/")  # the facet index is read with this page's form

    # Validating the topic and the country, the counts of results, the keys of the page's meetings,
    # and the map's places: no facet is counted in SQL.
    with django_assert_num_queries(5):
        response = client.get("/meetings/?topic=salw&country=RS")

    assert response.status_code == 200
    assert 'value="salw" id="id_topic_1" checked' in rendered_form(response)
