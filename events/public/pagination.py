"""A paginator whose exact count is computed once per query and data version.

At 100,000 meetings the exact ``COUNT(*)`` behind "page 3 of 812" was close to half
of a list page's time, and it is the same number for every visitor asking for the
same filters until the data changes. So it is kept in the cache under the query's
SQL and parameters plus the data version: an edit (or a scheduled publication
coming due, see events.versioning) starts a new version and so a new count.
"""

import datetime
import hashlib
import re

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property

from events.cache.version import data_version

COUNT_TIMEOUT = 600


# A timestamp as a backend passes it to the database (SQLite gets strings, PostgreSQL datetimes).
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def is_instant(param):
    return isinstance(param, datetime.datetime) or (isinstance(param, str) and TIMESTAMP.match(param) is not None)


class CachedCountPaginator(Paginator):
    """count_key, when given, names what the list holds (a view's path and filter values) and
    replaces the query's SQL in the cache key: compiling the SQL only to name it cost a list
    page about 3 ms, a tenth of its time."""

    def __init__(self, object_list, per_page, *, count_key=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self):
        key = self.count_cache_key()
        if key is None:
            return super().count
        value = cache.get(key)
        if value is None:
            value = super().count
            cache.set(key, value, COUNT_TIMEOUT)
        return value

    def count_cache_key(self):
        if self.count_key is not None:
            digest = hashlib.md5(self.count_key.encode(), usedforsecurity=False).hexdigest()
            return f"count:{data_version()}:{digest}"
        query = getattr(self.object_list, "query", None)
        if query is None:
            return None  # a list, not a QuerySet: counting is free
        try:
            sql, params = query.sql_with_params()
        except EmptyResultSet:
            return None  # .none(), e.g. for invalid filters: nothing to count
        # "Published, and past its publish-at time" compares with the current instant; the data
        # version already changes when a scheduled publication comes due, so the instant is left out.
        stable = [param for param in params if not is_instant(param)]
        digest = hashlib.md5(f"{sql}\n{stable!r}".encode(), usedforsecurity=False).hexdigest()
        return f"count:{data_version()}:{digest}"


class InListOrderPaginator(CachedCountPaginator):
    """Pages through the list order (upcoming soonest first, then date to be confirmed, then past
    newest first) as three segments, each read in an order an index can give.

    One ORDER BY over a CASE of "upcoming or past" cannot use an index: PostgreSQL sorts every
    published meeting (100,000) to return 20. Each segment here is a plain range with a plain
    ordering, so a page reads about 20 index entries, wherever it is in the list. The three
    counts come from one query (cached like CachedCountPaginator's); the rows of a page that
    straddles two segments take one query per segment, and their related objects are
    prefetched once for the whole page.
    """

    def __init__(self, object_list, per_page, *, today=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.today = today or timezone.localdate()
        self.prefetch_lookups = object_list._prefetch_related_lookups

    @cached_property
    def summary(self):
        """Size of each segment, and the dates where the upcoming and past segments begin.

        One aggregate query, cached per query and data version. The two dates are exact bounds
        (no meeting of the segment lies beyond them) that let an index range scan start where
        the segment starts, instead of walking past 80,000 past meetings to find the upcoming ones.
        """
        key = self.count_cache_key()
        summary = cache.get(key) if key else None
        if summary is None:
            today = self.today
            summary = self.object_list.order_by().aggregate(
                upcoming=Count("pk", filter=Q(end_date__gte=today)),
                to_be_confirmed=Count("pk", filter=Q(end_date__isnull=True)),
                past=Count("pk", filter=Q(end_date__lt=today)),
                first_upcoming_start=Min("start_date", filter=Q(end_date__gte=today)),
                last_past_start=Max("start_date", filter=Q(end_date__lt=today)),
            )
            if key:
                cache.set(key, summary, COUNT_TIMEOUT)
        return summary

    @cached_property
    def segments(self):
        today, summary = self.today, self.summary
        plain = self.object_list.prefetch_related(None)
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

    def count_cache_key(self):
        # The segments' sizes change at midnight, when today's meetings become past ones.
        key = super().count_cache_key()
        return key and f"{key}:segments:{self.today.isoformat()}"

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

    def rows(self, bottom, top):
        """The meetings at positions bottom to top (exclusive) of the whole list."""
        rows = []
        for segment, size in zip(self.segments, self.segment_counts, strict=True):
            if top > 0 and bottom < size:
                rows += segment[max(bottom, 0) : min(top, size)]
            bottom -= size
            top -= size
        if self.prefetch_lookups:
            prefetch_related_objects(rows, *self.prefetch_lookups)
        return rows


UPCOMING_ORDER = ("start_date", "start_time", "title", "pk")
PAST_ORDER = ("-start_date", "start_time", "title", "pk")
