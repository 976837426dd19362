"""A meeting's history beyond its own row: its organisers, funders and links, as they were changed."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import BackToBack, Meeting, MeetingFunder, MeetingOrganiser
from organisations.models import Organisation

# Whole phrases, one for each kind of row and change, rather than "kind" + "action": in the
# site's languages the participle agrees with the noun's gender.
CHANGES = {
    # Translators: a row of a meeting's history page; %(what)s is the organiser and its role, e.g. "RCC (Host)".
    ("organiser", "+"): _("Organiser added: %(what)s"),
    ("organiser", "~"): _("Organiser changed: %(what)s"),
    ("organiser", "-"): _("Organiser removed: %(what)s"),
    # Translators: a row of a meeting's history page; %(what)s is the funder, with its funding instrument if any.
    ("funder", "+"): _("Funder added: %(what)s"),
    ("funder", "~"): _("Funder changed: %(what)s"),
    ("funder", "-"): _("Funder removed: %(what)s"),
    # Translators: a row of a meeting's history page; %(what)s reads "Meeting A → Meeting B (kind of link)".
    ("link", "+"): _("Linked meeting added: %(what)s"),
    ("link", "~"): _("Linked meeting changed: %(what)s"),
    ("link", "-"): _("Linked meeting removed: %(what)s"),
}
LINK_HISTORY_LIMIT = 200


def link_history(meeting_id):
    """Changes to a meeting's organisers, funders and links, newest first, as rows for the history page."""
    try:
        meeting_id = int(meeting_id)
    except ValueError:
        return []
    sources = [
        ("organiser", MeetingOrganiser.history.filter(meeting_id=meeting_id).select_related("organisation")),
        ("funder", MeetingFunder.history.filter(meeting_id=meeting_id).select_related("organisation")),
        (
            "link",
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
                    "change": CHANGES[kind, record.history_type] % {"what": _describe_link_record(record)},
                }
            )
    return sorted(rows, key=lambda row: row["when"], reverse=True)[:LINK_HISTORY_LIMIT]


def _describe_link_record(record):
    """The row as it read then; historical foreign keys may point at rows deleted since."""
    try:
        if hasattr(record, "role"):
            # Translators: an organiser in a meeting's history, e.g. "RCC (Host)".
            return _("%(organisation)s (%(role)s)") % {
                "organisation": record.organisation.short_name,
                "role": record.get_role_display(),
            }
        if hasattr(record, "instrument"):
            name = record.organisation.short_name
            if not record.instrument:
                return name
            # Translators: a funder in a meeting's history and the programme or grant it funds through.
            return _("%(organisation)s – %(instrument)s") % {"organisation": name, "instrument": record.instrument}
        # Translators: a link between two meetings in a meeting's history; %(kind)s is e.g. "Back-to-back with".
        return _("%(from_meeting)s → %(to_meeting)s (%(kind)s)") % {
            "from_meeting": record.from_meeting,
            "to_meeting": record.to_meeting,
            "kind": record.get_kind_display(),
        }
    except (Organisation.DoesNotExist, Meeting.DoesNotExist):
        return _("(since deleted)")
