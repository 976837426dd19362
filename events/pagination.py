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
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from .versioning import data_version

COUNT_TIMEOUT = 600


# A timestamp as a backend passes it to the database (SQLite gets strings, PostgreSQL datetimes).
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def is_instant(param):
    return isinstance(param, datetime.datetime) or (isinstance(param, str) and TIMESTAMP.match(param) is not None)


class CachedCountPaginator(Paginator):
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
        query = getattr(self.object_list, "query", None)
        if query is None:
            return None  # a list, not a QuerySet: counting is free
        sql, params = query.sql_with_params()
        # "Published, and past its publish-at time" compares with the current instant; the data
        # version already changes when a scheduled publication comes due, so the instant is left out.
        stable = [param for param in params if not is_instant(param)]
        digest = hashlib.md5(f"{sql}\n{stable!r}".encode(), usedforsecurity=False).hexdigest()
        return f"count:{data_version()}:{digest}"
