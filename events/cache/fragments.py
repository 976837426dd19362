"""Rendered fragments shared by every visitor: each meeting's list entry, the filter form, small process-local values.

A page the page cache has not seen (another filter, another page number) is built from the
list entries of its meetings, each rendered once per meeting, language and data version and
read for a whole page in one get_many. Fragments are rendered without the request: they are
shown to everyone, so nothing that depends on who asks may enter them.
"""

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from events.cache import budget
from events.cache.keys import key
from events.models import Meeting, MeetingOrganiser

FRAGMENT_TIMEOUT = 3600
# What a list entry shows beyond the meeting's own row and its venue (select_related).
LIST_ENTRY_PREFETCH = (
    Prefetch("organiser_roles", queryset=MeetingOrganiser.objects.select_related("organisation")),
    "topics",
)


def list_entries(meetings):
    """{pk: the meeting's <li>} for Meeting objects (read with for_listing()) or primary keys, in one cache read.

    The entries not cached are read (when only keys were given), get their organisers and their
    topics in one query each for all of them, are rendered and stored for the next page that lists them. A meeting
    unpublished since the page read its keys has no entry.
    """
    by_pk = {getattr(meeting, "pk", meeting): meeting for meeting in meetings}
    if not by_pk:
        return {}
    # Keyed on the day: an entry says "Took place" once the meeting's last day is over
    # (Meeting.status_today), with no edit to move the version.
    keys = {pk: key("list-entry", pk, daily=True) for pk in by_pk}
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
    return {pk: mark_safe(found[k]) for pk, k in keys.items() if k in found}  # noqa: S308 (escaped by the template)


def joined(entries, meetings):
    """The entries (from list_entries) of these meetings, in their order, as one safe string."""
    return mark_safe("".join(entries.get(getattr(m, "pk", m), "") for m in meetings))  # noqa: S308 (rendered, escaped)


def rendered_once(kind, parts, build):
    """HTML that depends only on its key's parts and the data (the filter form): build() once per
    version and parts, charged to the client's storage budget (events.cache.budget)."""
    fragment_key = key(kind, *parts)
    html = cache.get(fragment_key)
    if html is None:
        html = build()
        budget.store(fragment_key, html, len(html), settings.PAGE_CACHE_TIMEOUT)
    return mark_safe(html)  # noqa: S308 (rendered by a template, escaped)


def process_local(kind, build):
    """build() once per data version in this process: small values every process can as well
    compute for itself, where a read costs no round trip to a shared cache."""
    store = caches["process"]
    fragment_key = key(kind, language=False)
    value = store.get(fragment_key)
    if value is None:
        value = build()
        store.set(fragment_key, value, FRAGMENT_TIMEOUT)
    return value


# held(): one value per kind, the newest version's.
_held = {}


def held(kind, build):
    """build() once per data version, kept in each process as the object itself: for what is too
    large to unpickle on every request (the facet index, a few megabytes at 100,000 meetings).

    A process that lacks the newest version's value takes it from the shared cache, where the first
    process to build it put it: one build per version for the whole site, where each worker of each
    app server built it again (seconds at 100,000 meetings) on its first list after every edit.
    Only the newest version's value is kept; the key carries the cache's prefix, so test runs and
    sites sharing a process never see each other's."""
    shared_key = key(kind, language=False)
    held_key = cache.make_key(shared_key)
    found = _held.get(kind)
    if found is None or found[0] != held_key:
        value = cache.get(shared_key)
        if value is None:
            value = build()
            cache.set(shared_key, value, FRAGMENT_TIMEOUT)
        found = _held[kind] = (held_key, value)
    return found[1]
