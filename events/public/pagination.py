"""Paginators whose exact count is computed once per filter and data version.

The exact COUNT(*) behind "page 3 of 812" is a large part of a list page at scale, and it is
the same number for every visitor asking for the same filters until the data changes: it is
kept in the cache under the canonical filter (events.filters.MeetingQuery) and the version.
"""

import math

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.functional import cached_property

from events.cache import budget
from events.cache.keys import key
from events.models import PAST_ORDER, UPCOMING_ORDER

COUNT_TIMEOUT = 600
# What a cached count is charged to its client's storage budget (about its size in the cache).
COUNT_ENTRY_BYTES = 256
# From this position on, a page's rows come from the list's order kept as primary keys (ListOrder)
# instead of OFFSET, which reads and throws away every row before the page: the upcoming pages
# near the start stay one short index read each.
ORDER_FROM_POSITION = 200
# Primary keys per cached piece of a list's order: a deep page reads one piece (two when it
# straddles them), never the whole order.
ORDER_CHUNK = 1000
# What a cached piece of order is charged per key (a pickled int is about this size).
ORDER_BYTES_PER_KEY = 5


class CachedCountPaginator(Paginator):
    """count_key names what the list holds: the view's path and canonical filter."""

    def __init__(self, object_list, per_page, *, count_key, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    def count_cache_key(self):
        return key("count", self.count_key, language=False)

    @cached_property
    def count(self):
        cache_key = self.count_cache_key()
        value = cache.get(cache_key)
        if value is None:
            value = super().count
            budget.store(cache_key, value, COUNT_ENTRY_BYTES, COUNT_TIMEOUT)
        return value


class DailyCountPaginator(CachedCountPaginator):
    """Counts that split upcoming from past: they change at midnight, when today's meetings become
    past ones, so their cache key carries the day."""

    def __init__(self, object_list, per_page, *, today=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.today = today or timezone.localdate()

    def count_cache_key(self):
        return key("count", self.count_key, self.today.isoformat(), language=False)


class ListOrder:
    """A paginated list's whole order as primary keys, read once per list, data version and day,
    kept in pieces of ORDER_CHUNK keys: a deep page is a slice of one piece, where OFFSET read
    every row before it (page 4,000 of the list: 80,000 rows).

    ``paginator``: a DailyCountPaginator whose ``ordered_keys()`` reads the order and whose count
    is the list's length; its count_key names the list.
    """

    def __init__(self, paginator):
        self.paginator = paginator

    def piece_key(self, index):
        return key("list-order", self.paginator.count_key, self.paginator.today.isoformat(), index, language=False)

    def keys(self, bottom, top):
        """The primary keys at positions bottom to top (exclusive) of the list."""
        first, last = bottom // ORDER_CHUNK, (top - 1) // ORDER_CHUNK
        wanted = {index: self.piece_key(index) for index in range(first, last + 1)}
        found = cache.get_many(wanted.values())
        if len(found) == len(wanted):
            pieces = [found[wanted[index]] for index in range(first, last + 1)]
            joined = [pk for piece in pieces for pk in piece]
            return joined[bottom - first * ORDER_CHUNK : top - first * ORDER_CHUNK]
        order = self.store(list(self.paginator.ordered_keys()))
        return order[bottom:top]

    def store(self, order):
        """Keep the order's pieces, charged to the client's storage budget (events.cache.budget)."""
        pieces = {
            self.piece_key(index): order[index * ORDER_CHUNK : (index + 1) * ORDER_CHUNK]
            for index in range(max(1, math.ceil(len(order) / ORDER_CHUNK)))
        }
        size = ORDER_BYTES_PER_KEY * len(order) + COUNT_ENTRY_BYTES * len(pieces)
        if budget.allows(size):
            cache.set_many(pieces, COUNT_TIMEOUT)
            budget.spend(size)
        return order


class KeyedPages:
    """Deep pages read through ListOrder. ``keys_only``: the list is of primary keys (a
    values_list), so a page is the keys themselves; otherwise its objects in one query."""

    def __init__(self, *args, keys_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys_only = keys_only

    def deep_rows(self, bottom, top):
        pks = ListOrder(self).keys(bottom, top)
        if self.keys_only:
            return pks
        by_pk = self.object_list.order_by().in_bulk(pks)
        return [by_pk[pk] for pk in pks if pk in by_pk]


class InListOrderPaginator(KeyedPages, DailyCountPaginator):
    """Pages through the list order (upcoming soonest first, then date to be confirmed, then past
    newest first) as three segments, each read in an order an index can give.

    One ORDER BY over a CASE of "upcoming or past" cannot use an index: PostgreSQL sorts every
    published meeting to return 20. Each segment here is a plain range with a plain
    ordering, so a page reads about 20 index entries, wherever it is in the list. The three
    counts come from one query (cached like CachedCountPaginator's); the rows of a page that
    straddles two segments take one query per segment.
    """

    @cached_property
    def summary(self):
        """Size of each segment, and the dates where the upcoming and past segments begin.

        One aggregate query, cached per query and data version. The two dates are exact bounds
        (no meeting of the segment lies beyond them) that let an index range scan start where
        the segment starts, instead of walking past 80,000 past meetings to find the upcoming ones.
        """
        summary_key = self.count_cache_key()
        summary = cache.get(summary_key)
        if summary is None:
            today = self.today
            summary = self.object_list.order_by().aggregate(
                upcoming=Count("pk", filter=Q(end_date__gte=today)),
                to_be_confirmed=Count("pk", filter=Q(end_date__isnull=True)),
                past=Count("pk", filter=Q(end_date__lt=today)),
                first_upcoming_start=Min("start_date", filter=Q(end_date__gte=today)),
                last_past_start=Max("start_date", filter=Q(end_date__lt=today)),
            )
            budget.store(summary_key, summary, COUNT_ENTRY_BYTES, COUNT_TIMEOUT)
        return summary

    @cached_property
    def segments(self):
        today, summary = self.today, self.summary
        plain = self.object_list
        upcoming = plain.filter(end_date__gte=today)
        if summary["first_upcoming_start"]:
            upcoming = upcoming.filter(start_date__gte=summary["first_upcoming_start"])
        past = plain.filter(end_date__lt=today)
        if summary["last_past_start"]:
            past = past.filter(start_date__lte=summary["last_past_start"])
        return [
            upcoming.order_by(*UPCOMING_ORDER),
            plain.filter(end_date__isnull=True).order_by("title", "pk"),
            past.order_by(*PAST_ORDER),
        ]

    @cached_property
    def segment_counts(self):
        return [self.summary[name] for name in ("upcoming", "to_be_confirmed", "past")]

    @cached_property
    def count(self):
        return sum(self.segment_counts)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

    def ordered_keys(self):
        """Every primary key of the list, in list order: one read per segment."""
        for segment in self.segments:
            yield from segment.values_list("pk", flat=True)

    def rows(self, bottom, top):
        """The meetings at positions bottom to top (exclusive) of the whole list."""
        if bottom >= ORDER_FROM_POSITION:
            return self.deep_rows(bottom, top)
        rows = []
        for segment, size in zip(self.segments, self.segment_counts, strict=True):
            if top > 0 and bottom < size:
                rows += segment[max(bottom, 0) : min(top, size)]
            bottom -= size
            top -= size
        return rows


class ArchivePaginator(KeyedPages, DailyCountPaginator):
    """A period's meetings, upcoming first, then past, each part in calendar order: the archive's
    two sections. The size of the list and of its upcoming part come from one query, cached per
    filter, data version and day (today's meetings become past ones at midnight)."""

    @cached_property
    def summary(self):
        summary_key = self.count_cache_key()
        summary = cache.get(summary_key)
        if summary is None:
            summary = self.object_list.order_by().aggregate(
                total=Count("pk"), upcoming=Count("pk", filter=Q(end_date__gte=self.today))
            )
            budget.store(summary_key, summary, COUNT_ENTRY_BYTES, COUNT_TIMEOUT)
        return summary

    @cached_property
    def count(self):
        return self.summary["total"]

    def ordered_keys(self):
        return self.object_list.values_list("pk", flat=True)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < ORDER_FROM_POSITION:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.deep_rows(bottom, top), number, self)

    @cached_property
    def section_sizes(self):
        return [("upcoming", self.summary["upcoming"]), ("past", self.summary["total"] - self.summary["upcoming"])]
