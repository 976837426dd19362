"""A meeting's history beyond its own row: its organisers, funders and links, as they were changed."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import BackToBack, Meeting, MeetingFunder, MeetingOrganiser
from organisations.models import Organisation

HISTORY_ACTIONS = {"+": _("added"), "~": _("changed"), "-": _("removed")}
LINK_HISTORY_LIMIT = 200


def link_history(meeting_id):
    """Changes to a meeting's organisers, funders and links, newest first, as rows for the history page."""
    try:
        meeting_id = int(meeting_id)
    except ValueError:
        return []
    sources = [
        (_("organiser"), MeetingOrganiser.history.filter(meeting_id=meeting_id).select_related("organisation")),
        (_("funder"), MeetingFunder.history.filter(meeting_id=meeting_id).select_related("organisation")),
        (
            _("linked meeting"),
            BackToBack.history.filter(Q(from_meeting_id=meeting_id) | Q(to_meeting_id=meeting_id)).select_related(
                "from_meeting", "to_meeting"
            ),
        ),
    ]
    rows = []
    for kind, records in sources:
        for record in records.select_related("history_user").order_by("-history_date")[:LINK_HISTORY_LIMIT]:
            rows.append(
                {
                    "when": record.history_date,
                    "who": record.history_user,
                    "kind": kind,
                    "action": HISTORY_ACTIONS.get(record.history_type, record.history_type),
                    "what": _describe_link_record(record),
                }
            )
    return sorted(rows, key=lambda row: row["when"], reverse=True)[:LINK_HISTORY_LIMIT]


def _describe_link_record(record):
    """The row as it read then; historical foreign keys may point at rows deleted since."""
    try:
        if hasattr(record, "role"):
            return f"{record.organisation.short_name} ({record.get_role_display()})"
        if hasattr(record, "instrument"):
            name = record.organisation.short_name
            return f"{name} – {record.instrument}" if record.instrument else name
        return f"{record.from_meeting} → {record.to_meeting} ({record.get_kind_display()})"
    except (Organisation.DoesNotExist, Meeting.DoesNotExist):
        return _("(since deleted)")
