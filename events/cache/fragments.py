"""Rendered pieces of public pages, cached per meeting, language and data version.

The page cache (meetings_site.page_cache) answers a URL it has seen before. A URL it
has not seen (a new combination of filters, a tracking parameter, page 7) is built
from these pieces: each meeting's list entry and the body of each meeting's page are
rendered once and reused by every page that shows them. That is most of a page's
cost: at 100,000 meetings, rendering 20 list entries with their organisers and
places was two thirds of a list page.

Keys carry the data version (events.versioning), so any public edit starts new
pieces everywhere, just as it starts new pages: nothing here can be staler than the
page cache. A cache that is down or full only costs a render.
"""

from django.core.cache import cache, caches
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from events.cache.version import data_version
from events.models import Meeting, MeetingOrganiser

FRAGMENT_TIMEOUT = 3600
# What a list entry shows beyond the meeting's own row and its venue (select_related).
LIST_ENTRY_PREFETCH = (Prefetch("organiser_roles", queryset=MeetingOrganiser.objects.select_related("organisation")),)


def fragment_key(kind, *parts):
    return ":".join(["fragment", data_version(), kind, get_language() or "", *map(str, parts)])


def meeting_list_entries(meetings):
    """The <li> of each meeting, in order, as one safe string. `meetings`: Meeting objects
    (read with MeetingQuerySet.for_listing()), or just their primary keys."""
    meetings = list(meetings)
    entries = list_entries_by_pk(meetings)
    # A meeting unpublished between the page's read and this one has no entry: it is left out.
    return mark_safe("".join(entries.get(getattr(meeting, "pk", meeting), "") for meeting in meetings))  # noqa: S308


def list_entries_by_pk(meetings):
    """{pk: the meeting's <li>} for Meeting objects or primary keys, in one cache read.

    Entries found in the cache cost nothing more; the others are read (when only keys were
    given) and get their organisers in one query for all of them, are rendered, and are stored
    for the next page that lists them.
    """
    meetings = list(meetings)
    if not meetings:
        return {}
    by_pk = {getattr(meeting, "pk", meeting): meeting for meeting in meetings}
    keys = {pk: fragment_key("list-entry", pk) for pk in by_pk}
    found = cache.get_many(keys.values())
    missing = {pk: meeting for pk, meeting in by_pk.items() if keys[pk] not in found}
    if missing:
        unread = [pk for pk, meeting in missing.items() if not isinstance(meeting, Meeting)]
        missing.update(Meeting.objects.published().for_listing().in_bulk(unread) if unread else {})
        objects = [meeting for meeting in missing.values() if isinstance(meeting, Meeting)]
        prefetch_related_objects(objects, *LIST_ENTRY_PREFETCH)
        rendered = {
            keys[meeting.pk]: render_to_string("includes/meeting_item.html", {"meeting": meeting})
            for meeting in objects
        }
        cache.set_many(rendered, FRAGMENT_TIMEOUT)
        found.update(rendered)
    return {pk: mark_safe(found[key]) for pk, key in keys.items() if key in found}  # noqa: S308 (escaped by the template)


def cached_fragment(key, build, cache_alias="default"):
    """build() once per key; build returns something the cache can store (strings, dicts of them).
    cache_alias "process" keeps it in this process only (settings.CACHES)."""
    store = caches[cache_alias]
    value = store.get(key)
    if value is None:
        value = build()
        store.set(key, value, FRAGMENT_TIMEOUT)
    return value
