"""Keep cached VEVENT pieces right without throwing them all away on every edit.

A piece's cache key holds the meeting's UID, SEQUENCE and ``updated_at`` and the
*pieces version* below. So that editing one meeting rebuilds one piece:

- a change to a meeting's organisers or funders touches the meeting's ``updated_at``,
  which is also its LAST-MODIFIED;
- a change to something many pieces show (an organisation's or topic's name, a venue,
  a country, a back-to-back link, or the title or dates of a meeting that other
  meetings name as linked), or to a meeting's topics, moves the pieces version, and
  every piece is rebuilt once.

The site-wide data version (events.versioning) still moves on every write and
drives ETags and whole-feed caches; this only decides which pieces survive it.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from events.models import BackToBack, Country, Meeting, MeetingFunder, MeetingOrganiser, Topic, Venue
from organisations.models import Organisation

PIECES_VERSION_KEY = "ical:pieces-version"
SHARED_MODELS = [Organisation, Venue, Country, Topic, BackToBack]


def pieces_version():
    version = cache.get(PIECES_VERSION_KEY)
    if version is None:
        cache.add(PIECES_VERSION_KEY, format(time.time_ns(), "x"), timeout=None)
        version = cache.get(PIECES_VERSION_KEY)
    return version


def bump_pieces_version():
    transaction.on_commit(lambda: cache.set(PIECES_VERSION_KEY, format(time.time_ns(), "x"), timeout=None))


def touch_meetings(pks):
    Meeting.objects.filter(pk__in=pks).update(updated_at=timezone.now())


def shared_data_changed(sender, **kwargs):
    bump_pieces_version()


def meeting_part_changed(sender, instance, raw=False, **kwargs):
    if raw:
        # loaddata: keep the fixture's updated_at; rebuild every piece instead.
        bump_pieces_version()
        return
    touch_meetings([instance.meeting_id])


def meeting_topics_changed(sender, action, pk_set, **kwargs):
    """A meeting's topics changed. m2m_changed says nothing of loaddata, so touching updated_at here
    would rewrite restored data; topics change rarely, so every piece is rebuilt instead."""
    if (action in ("post_add", "post_remove") and pk_set) or action == "post_clear":
        bump_pieces_version()


def meeting_saved(sender, instance, raw=False, **kwargs):
    """A linked meeting's title and dates show in the pieces of the meetings it is linked to."""
    if raw or BackToBack.objects.filter(Q(from_meeting=instance) | Q(to_meeting=instance)).exists():
        bump_pieces_version()


def connect():
    for model in SHARED_MODELS:
        post_save.connect(shared_data_changed, sender=model, dispatch_uid=f"ical-pieces-save-{model.__name__}")
        post_delete.connect(shared_data_changed, sender=model, dispatch_uid=f"ical-pieces-delete-{model.__name__}")
    for model in (MeetingOrganiser, MeetingFunder):
        post_save.connect(meeting_part_changed, sender=model, dispatch_uid=f"ical-part-save-{model.__name__}")
        post_delete.connect(meeting_part_changed, sender=model, dispatch_uid=f"ical-part-delete-{model.__name__}")
    m2m_changed.connect(meeting_topics_changed, sender=Meeting.topics.through, dispatch_uid="ical-meeting-topics")
    post_save.connect(meeting_saved, sender=Meeting, dispatch_uid="ical-meeting-save")
