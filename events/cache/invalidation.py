"""Which change moves what: the one table of invalidation rules, and its receivers.

A change moves the ``data`` axis (pages, list entries, counts, forms, ETags: everything public
is keyed on it) and, where many cached VEVENTs show what changed, the ``pieces`` axis. A change
to one meeting's organisers or funders instead ``touches`` that meeting (its ``updated_at``,
part of its VEVENT's key and its LAST-MODIFIED), so one VEVENT is rebuilt, not all of them.

Only a change the public can see moves the versions (``PUBLIC_IF``): a draft's saves leave every
public ETag as it was, or subscribers would re-download every feed and outsiders could tell when
editors work. Such a write still keeps the next scheduled publication right (``reschedule``).
When in doubt a write counts as public: a stale public answer is far worse than an extra bump.

Whatever a transaction changes, the versions move once, after it commits (a rolled-back
transaction moves nothing). Adding a model or a field to a page or a VEVENT? Add it here.
"""

from django.db import connections, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from events.cache import version
from events.cache.version import DATA, PIECES
from events.models import (
    BackToBack,
    Country,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Publication,
    Topic,
    Venue,
)
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

# A meeting as the public sees it.
PUBLIC, SCHEDULED, HIDDEN = "public", "scheduled", "hidden"


def visibility(publication, publish_at, now):
    """PUBLIC (events.models.publicly_visible), SCHEDULED (published for later) or HIDDEN (a draft)."""
    if publication != Publication.PUBLISHED:
        return HIDDEN
    return PUBLIC if publish_at is None or publish_at <= now else SCHEDULED


def meeting_axes(meeting):
    if BackToBack.objects.filter(Q(from_meeting=meeting) | Q(to_meeting=meeting)).exists():
        return {DATA, PIECES}
    return RULES[Meeting]


class PendingChange:
    """What one transaction changed, published once when it commits."""

    def __init__(self):
        self.axes = set()
        self.public = False
        self.reschedule = False
        # Meetings hidden before and after their writes in this transaction, so their links need no query.
        self.hidden = set()
        # meeting pk -> the savepoints open when it was touched: a touch inside a savepoint that
        # was rolled back since is undone, so the meeting is touched again.
        self.touched = {}

    def already_touched(self, meeting_pk, connection):
        savepoints = self.touched.get(meeting_pk)
        return savepoints is not None and tuple(connection.savepoint_ids[: len(savepoints)]) == savepoints

    def __call__(self):
        if self.public:
            version.publish(self.axes)  # also recomputes the next scheduled publication
        elif self.reschedule:
            version.reschedule()


def pending_change(using="default"):
    """This transaction's PendingChange, registered on first use; None outside a transaction."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return None
    pending = next((call for _, call, _ in connection.run_on_commit if isinstance(call, PendingChange)), None)
    if pending is None:
        pending = PendingChange()
        transaction.on_commit(pending, using=using, robust=True)
    return pending


def changed(axes, *, using="default", meeting_pk=None, public=True, reschedule=False):
    """Record a change; the versions move once the transaction commits (at once outside one).

    public=False: nothing the public sees changed, so no stamp moves; with reschedule, the next
    scheduled publication is read again. A TOUCH is made either way (an editor's preview shows it).
    """
    connection = connections[using]
    pending = pending_change(using)
    if TOUCH in axes and meeting_pk is not None and not (pending and pending.already_touched(meeting_pk, connection)):
        # In the same transaction as the change, so the meeting's new VEVENT key commits with it.
        Meeting.objects.using(using).filter(pk=meeting_pk).update(updated_at=timezone.now())
        if pending is not None:
            pending.touched[meeting_pk] = tuple(connection.savepoint_ids)
    axes = (axes - {TOUCH}) | {DATA}
    if pending is None:
        if public:
            version.publish(axes)
        elif reschedule:
            version.reschedule()
        return
    if public:
        pending.public = True
        pending.axes |= axes
    pending.reschedule |= reschedule


def everything_changed(using="default"):
    """A bulk load or a restore: every axis moves once the transaction commits."""
    changed({DATA, PIECES}, using=using)


# --- Is a write public? -------------------------------------------------------------------------


def any_public(meeting_pks, using="default"):
    """Whether any of these meetings is publicly visible (those this transaction only kept hidden need no query)."""
    meeting_pks = {pk for pk in meeting_pks if pk is not None}
    pending = pending_change(using)
    if pending is not None:
        meeting_pks -= pending.hidden
    return bool(meeting_pks) and Meeting.objects.using(using).published().filter(pk__in=meeting_pks).exists()


def _link_meetings(instance):
    if isinstance(instance, BackToBack):
        return {instance.from_meeting_id, instance.to_meeting_id}
    return {instance.meeting_id}


def _stored_link_meetings(instance, using):
    """The meetings the stored row of this link belongs to: an update may move it from a public meeting."""
    rows = type(instance)._base_manager.using(using).filter(pk=instance.pk)
    if isinstance(instance, BackToBack):
        return Q(pk__in=rows.values("from_meeting")) | Q(pk__in=rows.values("to_meeting"))
    return Q(pk__in=rows.values("meeting"))


def link_public(instance, using, *, stored):
    """A link is public when a meeting at either end is public, before (stored) or after the write."""
    meetings = _link_meetings(instance)
    if not stored or instance.pk is None:
        return any_public(meetings, using)
    condition = Q(pk__in={pk for pk in meetings if pk is not None}) | _stored_link_meetings(instance, using)
    return Meeting.objects.using(using).published().filter(condition).exists()


def venue_public(instance, using):
    return Meeting.objects.using(using).published().filter(venue=instance.pk).exists()


def organisation_public(instance, using):
    """Named by a public meeting as organiser or funder (the only places the public sees a body)."""
    named = Q(pk__in=MeetingOrganiser.objects.using(using).filter(organisation=instance.pk).values("meeting")) | Q(
        pk__in=MeetingFunder.objects.using(using).filter(organisation=instance.pk).values("meeting")
    )
    return Meeting.objects.using(using).published().filter(named).exists()


def always(instance, using):
    # The public filter form lists every country, topic and programme, used or not.
    return True


# Shared data: whether a row's write can change what the public sees (meetings and their links are
# decided by their own receivers).
PUBLIC_IF = {
    Venue: venue_public,
    Organisation: organisation_public,
    Country: always,
    Topic: always,
    Programme: always,
}

LINKS = (MeetingOrganiser, MeetingFunder, BackToBack)


# --- Receivers ------------------------------------------------------------------------------------


def meeting_saved_or_deleted(instance, *, deleted, using):
    now = timezone.now()
    after = HIDDEN if deleted else visibility(instance.publication, instance.publish_at, now)
    if deleted:
        before = visibility(instance.publication, instance.publish_at, now)
    else:
        # Set by Meeting.save() from the row as stored; a save that bypassed it may have been public.
        stored = getattr(instance, "stored_publication", (Publication.PUBLISHED, None))
        before = HIDDEN if stored is None else visibility(*stored, now)
    states = {before, after}
    if PUBLIC in states:
        pending = pending_change(using)
        if pending is not None:
            pending.hidden.discard(instance.pk)
        changed(RULES[Meeting] if deleted else meeting_axes(instance), using=using)
        return
    pending = pending_change(using)
    if pending is not None and not deleted:
        pending.hidden.add(instance.pk)
    changed(RULES[Meeting], using=using, public=False, reschedule=SCHEDULED in states)


def link_about_to_be_saved(sender, instance, raw=False, using="default", **kwargs):
    """Whether the stored row (an update) or the row to be written is public, read before the write."""
    if raw or instance.pk is None:
        return
    pending = pending_change(using)
    if pending is not None and pending.public:
        return  # the transaction moves the versions anyway
    instance._stored_link_public = link_public(instance, using, stored=True)


def row_saved_or_deleted(sender, instance, raw=False, using="default", **kwargs):
    deleted = "created" not in kwargs
    if sender is Meeting and not raw:
        meeting_saved_or_deleted(instance, deleted=deleted, using=using)
        return
    meeting_pk = getattr(instance, "meeting_id", None)
    if raw:
        # loaddata: keep the rows' own updated_at; rebuild every VEVENT instead.
        changed({DATA, PIECES}, using=using)
        return
    pending = pending_change(using)
    if pending is not None and pending.public:
        changed(RULES[sender], using=using, meeting_pk=meeting_pk)
        return
    if sender in LINKS:
        stored = getattr(instance, "_stored_link_public", None)
        public = stored if stored is not None else link_public(instance, using, stored=False)
        instance._stored_link_public = None
    else:
        public = PUBLIC_IF[sender](instance, using)
    changed(RULES[sender], using=using, meeting_pk=meeting_pk, public=public)


def links_changed(sender, instance, action, reverse, pk_set, using="default", **kwargs):
    if not action.startswith("post_"):
        return
    pending = pending_change(using)
    if pending is not None and pending.public:
        public = True  # the transaction moves the versions anyway
    elif not reverse:
        public = any_public({instance.pk}, using)
    elif pk_set is None:
        public = True  # a reverse clear: which meetings lost the row is no longer known
    else:
        public = any_public(pk_set, using)
    changed(RULES[sender], using=using, public=public)


def connect():
    for model, _axes in RULES.items():
        if model._meta.auto_created:
            m2m_changed.connect(links_changed, sender=model, dispatch_uid=f"calendar-m2m-{model._meta.label}")
        else:
            post_save.connect(row_saved_or_deleted, sender=model, dispatch_uid=f"calendar-save-{model._meta.label}")
            post_delete.connect(row_saved_or_deleted, sender=model, dispatch_uid=f"calendar-delete-{model._meta.label}")
    for model in LINKS:
        pre_save.connect(link_about_to_be_saved, sender=model, dispatch_uid=f"calendar-pre-save-{model._meta.label}")
