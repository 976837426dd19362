"""Which change moves what: the one table of invalidation rules, and its receivers.

A change moves the ``data`` axis (pages, list entries, counts, forms, ETags: everything public
is keyed on it) and, where many cached VEVENTs show what changed, the ``pieces`` axis. A change
to one meeting's organisers or funders instead ``touches`` that meeting (its ``updated_at``,
part of its VEVENT's key and its LAST-MODIFIED), so one VEVENT is rebuilt, not all of them.

Whatever a transaction changes, the versions move once, after it commits (a rolled-back
transaction moves nothing). Adding a model or a field to a page or a VEVENT? Add it here.
"""

from django.db import connections, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from events.cache import version
from events.cache.version import DATA, PIECES
from events.models import BackToBack, Country, Meeting, MeetingFunder, MeetingOrganiser, Topic, Venue
from organisations.models import Organisation, Programme

TOUCH = "touch"

RULES = {
    # A meeting's own VEVENT key carries its SEQUENCE and updated_at; the VEVENTs of the meetings
    # linked to it show its title and dates (see meeting_axes).
    Meeting: {DATA},
    MeetingOrganiser: {DATA, TOUCH},
    MeetingFunder: {DATA, TOUCH},
    BackToBack: {DATA, PIECES},
    Venue: {DATA, PIECES},
    Country: {DATA, PIECES},
    Topic: {DATA, PIECES},
    Organisation: {DATA, PIECES},
    Programme: {DATA},
    Meeting.topics.through: {DATA, PIECES},
    Meeting.countries.through: {DATA},
    Meeting.programmes.through: {DATA},
}


def meeting_axes(meeting):
    if BackToBack.objects.filter(Q(from_meeting=meeting) | Q(to_meeting=meeting)).exists():
        return {DATA, PIECES}
    return RULES[Meeting]


class PendingChange:
    """What one transaction changed, published once when it commits."""

    def __init__(self):
        self.axes = set()
        # meeting pk -> the savepoints open when it was touched: a touch inside a savepoint that
        # was rolled back since is undone, so the meeting is touched again.
        self.touched = {}

    def already_touched(self, meeting_pk, connection):
        savepoints = self.touched.get(meeting_pk)
        return savepoints is not None and tuple(connection.savepoint_ids[: len(savepoints)]) == savepoints

    def __call__(self):
        version.publish(self.axes)


def changed(axes, *, using="default", meeting_pk=None):
    """Record a change; the versions move once the transaction commits (at once outside one)."""
    connection = connections[using]
    pending = None
    if connection.in_atomic_block:
        pending = next((call for _, call, _ in connection.run_on_commit if isinstance(call, PendingChange)), None)
        if pending is None:
            pending = PendingChange()
            transaction.on_commit(pending, using=using, robust=True)
    if TOUCH in axes and meeting_pk is not None and not (pending and pending.already_touched(meeting_pk, connection)):
        # In the same transaction as the change, so the meeting's new VEVENT key commits with it.
        Meeting.objects.using(using).filter(pk=meeting_pk).update(updated_at=timezone.now())
        if pending is not None:
            pending.touched[meeting_pk] = tuple(connection.savepoint_ids)
    axes = (axes - {TOUCH}) | {DATA}
    if pending is None:
        version.publish(axes)
    else:
        pending.axes |= axes


def everything_changed(using="default"):
    """A bulk load or a restore: every axis moves once the transaction commits."""
    changed({DATA, PIECES}, using=using)


def row_saved_or_deleted(sender, instance, raw=False, using="default", **kwargs):
    axes = meeting_axes(instance) if sender is Meeting and not raw else RULES[sender]
    if raw:
        # loaddata: keep the rows' own updated_at; rebuild every VEVENT instead.
        axes = {DATA, PIECES}
    changed(axes, using=using, meeting_pk=getattr(instance, "meeting_id", None))


def links_changed(sender, action, using="default", **kwargs):
    if action.startswith("post_"):
        changed(RULES[sender], using=using)


def connect():
    for model, _axes in RULES.items():
        if model._meta.auto_created:
            m2m_changed.connect(links_changed, sender=model, dispatch_uid=f"calendar-m2m-{model._meta.label}")
        else:
            post_save.connect(row_saved_or_deleted, sender=model, dispatch_uid=f"calendar-save-{model._meta.label}")
            post_delete.connect(row_saved_or_deleted, sender=model, dispatch_uid=f"calendar-delete-{model._meta.label}")
