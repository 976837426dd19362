"""CachedCountPaginator: the exact count once per query and data version."""

import pytest

from events.models import Meeting
from events.pagination import CachedCountPaginator

from .factories import MeetingFactory


@pytest.mark.django_db
def test_count_is_served_from_the_cache_for_the_same_query(django_assert_num_queries):
    MeetingFactory.create_batch(3)
    assert CachedCountPaginator(Meeting.objects.published(), 2).count == 3

    with django_assert_num_queries(0):
        count = CachedCountPaginator(Meeting.objects.published(), 2).count

    assert count == 3


@pytest.mark.django_db
def test_count_differs_per_filter(django_assert_num_queries):
    MeetingFactory(title="Border meeting")
    MeetingFactory(title="Other meeting")
    assert CachedCountPaginator(Meeting.objects.published(), 2).count == 2

    with django_assert_num_queries(1):
        count = CachedCountPaginator(Meeting.objects.published().filter(title__startswith="Border"), 2).count

    assert count == 1


@pytest.mark.django_db(transaction=True)
def test_count_is_recomputed_after_an_edit():
    MeetingFactory.create_batch(2)
    assert CachedCountPaginator(Meeting.objects.published(), 10).count == 2

    MeetingFactory()

    paginator = CachedCountPaginator(Meeting.objects.published(), 10)
    assert paginator.count == 3
    assert paginator.num_pages == 1
