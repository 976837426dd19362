"""The moderation queue: proposals from the public page (events/public/proposals.py), pending first.

An editor opens a proposal, reads what was sent and the drafted meetings (each a link to its own
change form), and decides: publish (every drafted meeting is published through ``publish()``)
or decline with a reason (the drafts stay drafts, for the record, and can be deleted from the
meeting list). Either way the proposer is e-mailed in the language they wrote in, once the
decision has committed.

Who moderates: whoever may change meetings (the model permission); a decision on a proposal
also needs the right to change each of its meetings (events.editors.permissions), so an
organisation's editor decides only on proposals of their own organisations' meetings, and a
proposal no body's editor can reach yet is for regional editors.
"""

import logging

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from events.editors import actions, permissions
from events.editors.actions import locked
from events.models import Proposal, proposal_queue_order

logger = logging.getLogger("events.proposals")

LEAVE_PENDING, PUBLISH, DECLINE = "", "publish", "decline"

REASON_NEEDED = _("Give the reason for declining: the proposer is told it.")
NOT_YOURS = _("You may not change every meeting of this proposal, so you cannot decide on it; ask a regional editor.")
ALREADY_DECIDED = _("This proposal has already been decided.")
NO_MEETINGS = _("This proposal has no drafted meeting left to publish; decline it instead.")
PUBLISHED_AND_MAILED = _("The proposal's meetings are published; the proposer is being e-mailed.")
DECLINED_AND_MAILED = _("The proposal is declined; the proposer is being e-mailed the reason.")

MAIL_TEMPLATES = {
    Proposal.State.PUBLISHED: ("events/email/proposal_published_subject.txt", "events/email/proposal_published.txt"),
    Proposal.State.DECLINED: ("events/email/proposal_declined_subject.txt", "events/email/proposal_declined.txt"),
}


def send_decision(proposal):
    """E-mail the proposer the decision, in their language, with links to what was published."""
    subject_template, body_template = MAIL_TEMPLATES[proposal.state]
    with translation.override(proposal.language):
        meetings = [
            {"title": meeting.title, "url": settings.SITE_URL + meeting.get_absolute_url()}
            for meeting in proposal.meetings.order_by("start_date", "pk")
        ]
        context = {"proposal": proposal, "meetings": meetings, "site_url": settings.SITE_URL}
        subject = "".join(loader.render_to_string(subject_template, context).splitlines())
        body = loader.render_to_string(body_template, context)
    EmailMultiAlternatives(subject, body, None, [proposal.proposer_email]).send()
    logger.info("proposal mail sent proposal=%s state=%s", proposal.pk, proposal.state)


def _send_after_commit(proposal):
    def send():
        try:
            send_decision(proposal)
        except Exception:
            # The decision stands; the editor can write to the proposer from the address shown.
            logger.exception("proposal mail failed proposal=%s", proposal.pk)

    transaction.on_commit(send)


@transaction.atomic
def publish_proposal(proposal, *, user):
    """Publish every drafted meeting of the proposal and record who decided. The caller has checked the rights."""
    for meeting in locked(proposal.meetings.all()):
        meeting._history_user = user
        actions.publish(meeting)
    proposal.state = Proposal.State.PUBLISHED
    proposal.decided_at, proposal.decided_by = timezone.now(), user
    proposal.save()
    _send_after_commit(proposal)


@transaction.atomic
def decline_proposal(proposal, *, user, reason):
    """Decline with a reason sent to the proposer; the drafts stay drafts."""
    proposal.state = Proposal.State.DECLINED
    proposal.decline_reason = reason
    proposal.decided_at, proposal.decided_by = timezone.now(), user
    proposal.save()
    _send_after_commit(proposal)


def may_decide(user, proposal):
    return user.has_perm("events.change_meeting") and all(
        permissions.may_change_meeting(user, meeting) for meeting in proposal.meetings.all()
    )


class ProposalDecisionForm(forms.ModelForm):
    """The change form is the decision: everything sent is read-only, only the decision and its reason are asked."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[(LEAVE_PENDING, _("Leave it waiting")), (PUBLISH, _("Publish")), (DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
        help_text=_("Publishing publishes every drafted meeting. Either way the proposer is e-mailed."),
    )

    class Meta:
        model = Proposal
        fields = ["decline_reason"]
        widgets = {"decline_reason": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision and self.instance.state != Proposal.State.PENDING:
            raise forms.ValidationError(ALREADY_DECIDED)
        if decision == DECLINE and not (data.get("decline_reason") or "").strip():
            self.add_error("decline_reason", REASON_NEEDED)
        if decision == PUBLISH and not self.instance.meetings.exists():
            self.add_error("decision", NO_MEETINGS)
        if decision and not may_decide(self.user, self.instance):
            raise forms.ValidationError(NOT_YOURS)
        return data


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    form = ProposalDecisionForm
    list_display = ("created_at", "state", "proposed_titles", "kind", "proposer_name")
    list_display_links = ("created_at", "proposed_titles")
    list_filter = ("state", "kind")
    search_fields = ("proposer_name", "proposer_email", "meetings__title_en")
    readonly_fields = (
        "state",
        "created_at",
        "kind",
        "drafted_meetings",
        "proposer_name",
        "proposer_email",
        "message",
        "announcement",
        "language",
        "decided_at",
        "decided_by",
    )
    fieldsets = (
        (None, {"fields": ("state", "created_at", "kind", "drafted_meetings", "announcement")}),
        (_("Proposer (never public)"), {"fields": ("proposer_name", "proposer_email", "language", "message")}),
        (_("Decision"), {"fields": ("decision", "decline_reason", "decided_at", "decided_by")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("meetings")

    def get_ordering(self, request):
        return proposal_queue_order()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class FormWithUser(form):
            user = request.user

        return FormWithUser

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != Proposal.State.PENDING:
            return (*self.readonly_fields, "decline_reason")
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.state != Proposal.State.PENDING:
            return tuple(
                (name, {"fields": tuple(field for field in options["fields"] if field != "decision")})
                for name, options in self.fieldsets
            )
        return self.fieldsets

    # Whoever may change meetings moderates; proposals come only from the public page.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.has_perm("events.change_meeting")

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("meetings proposed"))
    def proposed_titles(self, proposal):
        return "; ".join(meeting.title for meeting in proposal.meetings.all()) or "—"

    @admin.display(description=_("drafted meetings"))
    def drafted_meetings(self, proposal):
        meetings = proposal.meetings.all()
        if not meetings:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({})</li>',
                (
                    (
                        reverse("admin:events_meeting_change", args=[meeting.pk]),
                        meeting.title,
                        meeting.get_publication_display(),
                    )
                    for meeting in meetings
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        decision = form.cleaned_data.get("decision")
        if decision == PUBLISH:
            publish_proposal(obj, user=request.user)
            self.message_user(request, PUBLISHED_AND_MAILED, messages.SUCCESS)
        elif decision == DECLINE:
            decline_proposal(obj, user=request.user, reason=form.cleaned_data["decline_reason"].strip())
            self.message_user(request, DECLINED_AND_MAILED, messages.SUCCESS)
        else:
            obj.save()
