"""May this user change this? The one place that answers it for the editors' admin.

An editor belongs to organisations (``Organisation.editors``) and changes the meetings those
organisations organise, in any role, and what those meetings need: a venue only their meetings
use, and new venues, organisations, programmes and topics. Changing a record others rely on (an
existing organisation, programme or topic, a venue another body's meeting uses) is for regional
editors, a group, and superusers, who change everything.

The admin asks these rules in its has_*_permission methods and bulk actions, so a write refused
here is refused on every path (change form, delete, actions, status pages, history revert), not
only hidden. Each rule also needs the model permission the "Editors" group grants.
"""

import rules
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from events.models import Meeting, MeetingOrganiser
from organisations.editors import editing_organisation_ids, is_regional_editor
from organisations.models import Organisation

__all__ = [
    "carries_own_organisation",
    "changeable_meetings",
    "editing_organisations",
    "is_regional_editor",
    "may_change_meeting",
    "may_change_shared",
    "may_change_venue",
]

# Shown when a meeting an organisation's editor saves would carry none of their organisations.
MUST_KEEP_OWN_ORGANISATION = _(
    "Keep one of your organisations (%(organisations)s) among the organisers, in any role: "
    "otherwise you could no longer change this meeting."
)


def editing_organisations(user):
    """The bodies ``user`` is an editor of (membership only: a regional editor may have none)."""
    return Organisation.objects.filter(pk__in=editing_organisation_ids(user))


def has_model_permission(codename):
    return rules.predicate(lambda user: user.is_active and user.has_perm(codename), name=f"has_perm:{codename}")


@rules.predicate
def organises(user, meeting):
    """One of the user's organisations organises ``meeting`` (read from the database, so a meeting
    built from an old version, as on the history's revert page, answers for its current organisers)."""
    ids = editing_organisation_ids(user)
    if meeting is None or meeting.pk is None or not ids:
        return False
    return MeetingOrganiser.objects.filter(meeting_id=meeting.pk, organisation_id__in=ids).exists()


@rules.predicate
def holds_only_their_meetings(user, venue):
    """Every meeting held at ``venue`` is one the user may change (a venue nobody uses yet, too)."""
    if venue is None or venue.pk is None:
        return True
    others = Meeting.objects.filter(venue_id=venue.pk).exclude(pk__in=changeable_meetings(user).values("pk"))
    return not others.exists()


editor_rules = rules.RuleSet()
for action in ("change", "delete"):
    editor_rules.add_rule(
        f"{action}_meeting", has_model_permission(f"events.{action}_meeting") & (is_regional_editor | organises)
    )
editor_rules.add_rule(
    "change_venue", has_model_permission("events.change_venue") & (is_regional_editor | holds_only_their_meetings)
)
editor_rules.add_rule("change_shared", is_regional_editor)


def may_change_meeting(user, meeting):
    return editor_rules.test_rule("change_meeting", user, meeting)


def may_delete_meeting(user, meeting):
    return editor_rules.test_rule("delete_meeting", user, meeting)


def may_change_venue(user, venue):
    return editor_rules.test_rule("change_venue", user, venue)


def may_change_shared(user):
    """May change records every organisation's meetings share: existing organisations, programmes, topics."""
    return editor_rules.test_rule("change_shared", user)


def changeable_meetings(user, queryset=None):
    """Those of ``queryset`` (every meeting) that ``user`` may change: what a bulk action acts on."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    if not user.has_perm("events.change_meeting"):
        return queryset.none()
    if is_regional_editor(user):
        return queryset
    return queryset.filter(
        Exists(
            MeetingOrganiser.objects.filter(meeting=OuterRef("pk"), organisation_id__in=editing_organisation_ids(user))
        )
    )


def carries_own_organisation(user, organisation_ids):
    """A meeting organised by ``organisation_ids`` stays one ``user`` may change: a regional
    editor's always does; an organisation's editor must keep one of theirs."""
    return is_regional_editor(user) or bool(set(organisation_ids) & editing_organisation_ids(user))


def own_organisations_in_words(user):
    """The user's organisations, for MUST_KEEP_OWN_ORGANISATION."""
    return ", ".join(org.short_name for org in editing_organisations(user).order_by("name_en"))
