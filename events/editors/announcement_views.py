"""The admin page "New meetings from an announcement": paste, review the drafts beside the text, save.

A mixin of MeetingAdmin (events.admin), like MeetingEditorViews. Three steps, all plain forms:
the source form (text, upload or address), the review (one DraftForm per meeting read, the text
in a hidden field, read again on every post), and the save, in one transaction, landing on the
meeting list showing just the meetings saved.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.announcements.extraction import extract
from events.announcements.saving import save_drafts
from events.calendar.fetching import CalendarImportError, fetch_calendar
from events.editors import announcement_forms as forms
from events.models import BackToBack

# What the review marks a phrase as, by the draft field it was read for.
EVIDENCE_LABELS = {
    "title": _("title"),
    "date": _("date"),
    "dates": _("dates"),
    "start_date": _("start date"),
    "end_date": _("end date"),
    "time": _("time"),
    "start_time": _("start time"),
    "end_time": _("end time"),
    "venue": _("venue"),
    "city": _("city"),
    "country": _("country"),
    "organisers": _("organisers"),
    "funders": _("funders"),
    "programmes": _("programmes"),
    "topics": _("topics"),
    "links": _("links"),
}
SAVE_DRAFTS, SAVE_AND_PUBLISH = "drafts", "publish"


def marked_text(text, drafts):
    """The text, escaped, with each phrase a field was read from in a <mark> naming the meeting and field.

    Phrases that overlap one already marked are left out of the marking (the first, earliest wins);
    every draft's form still lists what it read."""
    phrases = sorted(
        (
            (phrase.start, phrase.end, index, field)
            for index, draft in enumerate(drafts)
            for field, found in draft.evidence.items()
            for phrase in found
            if 0 <= phrase.start < phrase.end <= len(text)
        ),
        key=lambda item: (item[0], -item[1]),
    )
    parts, position = [], 0
    for start, end, index, field in phrases:
        if start < position:
            continue
        parts.append(conditional_escape(text[position:start]))
        parts.append(
            format_html(
                '<mark class="evidence draft-{}" data-draft="{}" title="{}">{}</mark>',
                index,
                index,
                _("Meeting %(number)s: %(field)s")
                % {"number": index + 1, "field": EVIDENCE_LABELS.get(field, field.replace("_", " "))},
                text[start:end],
            )
        )
        position = end
    parts.append(conditional_escape(text[position:]))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 -- every part is escaped above


class AnnouncementViews:
    def announcement_urls(self):
        return [
            path(
                "from-announcement/",
                self.admin_site.admin_view(self.announcement_view),
                name="events_meeting_announcement",
            ),
        ]

    def _may_read_announcements(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def announcement_view(self, request):
        self._may_read_announcements(request)
        if request.method == "POST" and request.POST.get("save") in (SAVE_DRAFTS, SAVE_AND_PUBLISH):
            return self._review_posted(request)
        form = forms.AnnouncementSourceForm(
            request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
        )
        if request.method == "POST" and form.is_valid():
            text = self._source_text(form)
            if text is not None:
                drafts = extract(text)
                if drafts:
                    return self._review_page(request, text, drafts, self._draft_forms(None, drafts), ())
                form.add_error(None, forms.NO_MEETING_FOUND)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("New meetings from an announcement"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/events/meeting/announcement.html", context)

    @staticmethod
    def _source_text(form):
        """The announcement's text from the source the editor gave; None, with an error on the form, if unreadable."""
        data = form.cleaned_data
        if data["text"] or data["file"]:
            return data["text"] or data["file"]
        try:
            text = forms.page_text(fetch_calendar(data["url"], max_bytes=forms.MAX_PAGE_BYTES))
            forms.check_length(text)
        except CalendarImportError as error:
            form.add_error("url", str(error))
        except ValidationError as error:
            form.add_error("url", error)
        else:
            return text
        return None

    @staticmethod
    def _draft_forms(data, drafts):
        return [
            forms.DraftForm(data, draft=draft, index=index, drafts=drafts, duplicates=forms.likely_duplicates(draft))
            for index, draft in enumerate(drafts)
        ]

    def _review_page(self, request, text, drafts, draft_forms, ticked, errors=()):
        # What each meeting still to be saved names: as corrected where the form is valid, else as read.
        proposals = forms.new_names(
            [
                form.corrected() if form.kept else form.draft
                for form in draft_forms
                if not form.is_bound or form.cleaned_data.get("keep", True)
            ]
        )
        media = self.media
        for form in draft_forms:
            media += form.media
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("New meetings from an announcement: review"),
            "text_form": forms.ReviewTextForm(initial={"text": text}),
            "marked_text": marked_text(text, drafts),
            "draft_forms": draft_forms,
            "proposals": [
                {
                    "value": forms.proposal_value(kind, name),
                    "label": forms.proposal_label(kind, name),
                    "ticked": forms.proposal_value(kind, name) in ticked,
                }
                for kind, name in proposals
            ],
            "errors": errors,
            "media": media,
            "save_drafts": SAVE_DRAFTS,
            "save_and_publish": SAVE_AND_PUBLISH,
        }
        return TemplateResponse(request, "admin/events/meeting/announcement_review.html", context)

    def _review_posted(self, request):
        text_form = forms.ReviewTextForm(request.POST)
        if not text_form.is_valid():
            # The hidden text was emptied or swollen on the way: start again from the paste.
            messages.error(request, " ".join(text_form.errors["text"]))
            return HttpResponseRedirect(reverse("admin:events_meeting_announcement"))
        text = text_form.cleaned_data["text"]
        drafts = extract(text)
        draft_forms = self._draft_forms(request.POST, drafts)
        ticked = set(request.POST.getlist("create"))
        valid = [form.is_valid() for form in draft_forms]  # every form checked, so each shows its errors
        if not all(valid):
            return self._review_page(request, text, drafts, draft_forms, ticked)
        kept = [form for form in draft_forms if form.cleaned_data["keep"]]
        if not kept:
            return self._review_page(request, text, drafts, draft_forms, ticked, errors=[forms.NOTHING_KEPT])
        corrected = {form.index: form.corrected() for form in kept}
        needed = forms.new_names(corrected.values())
        missing = [name for kind, name in needed if forms.proposal_value(kind, name) not in ticked]
        if missing:
            error = forms.NEW_NAMES_NOT_TICKED % {"names": get_text_list([f"“{name}”" for name in missing], _("and"))}
            return self._review_page(request, text, drafts, draft_forms, ticked, errors=[error])
        publish = request.POST["save"] == SAVE_AND_PUBLISH
        try:
            saved, merged = self._save_reviewed(request, draft_forms, corrected, needed, publish=publish)
        except ValidationError as error:
            return self._review_page(request, text, drafts, draft_forms, ticked, errors=error.messages)
        self._announce_saved(request, saved, merged, publish=publish)
        pks = ",".join(str(meeting.pk) for meeting in [*saved, *merged])
        return HttpResponseRedirect(f"{reverse('admin:events_meeting_changelist')}?when=all&id__in={pks}")

    def _save_reviewed(self, request, draft_forms, corrected, needed, *, publish):
        """Save the kept drafts, and link the ones merged into meetings already on the site, in one transaction.

        Links are renumbered to the drafts saved; a link to a dropped draft is dropped with it, and a
        link to a merged one is made to the meeting it was merged into."""
        by_index = {form.index: form for form in draft_forms}
        merged = {index: by_index[index].cleaned_data["merge_with"] for index in corrected}
        existing = {
            index: next(m for m in by_index[index].duplicates if m.pk == pk)
            for index, pk in merged.items()
            if pk is not None
        }
        new_indices = [index for index in corrected if index not in existing]
        position = {index: place for place, index in enumerate(new_indices)}
        to_save, later_links = [], []
        for index in new_indices:
            draft = corrected[index]
            links = []
            for kind, to in draft.links:
                if to in position:
                    links.append((kind, position[to]))
                elif to in existing:
                    later_links.append((index, kind, to))
            draft.links = links
            to_save.append(draft)
        for index in existing:
            later_links += [(index, kind, to) for kind, to in corrected[index].links if to in corrected]
        with transaction.atomic():
            saved = save_drafts(
                to_save, user=request.user, publish=publish, create_new_names=[name for _kind, name in needed]
            )
            meeting_of = {**dict(zip(new_indices, saved, strict=True)), **existing}
            for from_index, kind, to_index in later_links:
                first, second = meeting_of[from_index], meeting_of[to_index]
                if (
                    first.pk == second.pk
                    or BackToBack.objects.filter(
                        from_meeting__in=[first, second], to_meeting__in=[first, second]
                    ).exists()
                ):
                    continue
                BackToBack.objects.create(from_meeting=first, to_meeting=second, kind=kind)
            self._check_saved(request, [*saved, *existing.values()])
        return saved, list(existing.values())

    def _check_saved(self, request, meetings):
        """The one place the saved (and linked) meetings are checked against the editor's reach: any
        meeting they may not change undoes the whole save."""
        for meeting in meetings:
            if not self.has_change_permission(request, meeting):
                raise PermissionDenied

    @staticmethod
    def _announce_saved(request, saved, merged, *, publish):
        if publish:
            message = ngettext(
                "%(count)s meeting was saved and published.", "%(count)s meetings were saved and published.", len(saved)
            )
        else:
            message = ngettext(
                "%(count)s meeting was saved as a draft.", "%(count)s meetings were saved as drafts.", len(saved)
            )
        messages.success(request, message % {"count": len(saved)})
        if merged:
            messages.info(
                request,
                ngettext(
                    "%(count)s meeting was already on the site and was kept as it is.",
                    "%(count)s meetings were already on the site and were kept as they are.",
                    len(merged),
                )
                % {"count": len(merged)},
            )
