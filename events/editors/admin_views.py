"""The editors' pages beyond the change form: postpone, cancel, duplicate, import, preview, export.

A mixin of MeetingAdmin (events.admin), so each page has the admin's permissions and look.
"""

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from events.calendar import import_jobs
from events.calendar.fetching import CalendarImportError, fetch_calendar
from events.calendar.importer import import_summary
from events.editors import actions as editing
from events.editors.announcement_views import AnnouncementViews
from events.editors.export import csv_response
from events.editors.forms import CancelForm, DuplicateForm, ImportCalendarForm, PostponeForm
from events.markdown import render_markdown, validate_description_length
from events.models import CalendarImport


class MeetingEditorViews(AnnouncementViews):
    def get_urls(self):
        own = [
            path("import-ics/", self.admin_site.admin_view(self.import_view), name="events_meeting_import"),
            path(
                "import-ics/<int:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name="events_meeting_import_job",
            ),
            path("export-csv/", self.admin_site.admin_view(self.export_csv_view), name="events_meeting_export"),
            path(
                "preview-markdown/",
                self.admin_site.admin_view(self.preview_markdown_view),
                name="events_meeting_preview_markdown",
            ),
            path(
                "<path:object_id>/postpone/",
                self.admin_site.admin_view(self.postpone_view),
                name="events_meeting_postpone",
            ),
            path(
                "<path:object_id>/cancel/", self.admin_site.admin_view(self.cancel_view), name="events_meeting_cancel"
            ),
            path(
                "<path:object_id>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="events_meeting_duplicate",
            ),
        ]
        return own + self.announcement_urls() + super().get_urls()

    def _meeting(self, request, object_id):
        meeting = self.get_object(request, unquote(object_id))
        if meeting is None:
            raise Http404(_("No meeting with this ID."))
        return meeting

    def _meeting_for_change(self, request, object_id):
        meeting = self._meeting(request, object_id)
        if not self.has_change_permission(request, meeting):
            raise PermissionDenied
        return meeting

    def _form_page(self, request, *, meeting, form, title, submit_label, intro=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": meeting,
            "title": title,
            "form": form,
            "media": self.media + form.media,
            "submit_label": submit_label,
            "intro": intro,
        }
        return TemplateResponse(request, "admin/events/meeting/small_form.html", context)

    @staticmethod
    def _posted(request, *, files=False):
        """Data to bind a form to: the POST (even an empty one), else None for an unbound form."""
        if request.method != "POST":
            return None
        return request.FILES if files else request.POST

    def _back_to_meeting(self, meeting):
        return HttpResponseRedirect(reverse("admin:events_meeting_change", args=[meeting.pk]))

    def postpone_view(self, request, object_id):
        meeting = self._meeting_for_change(request, object_id)
        form = PostponeForm(
            self._posted(request),
            initial={"note": meeting.status_note, "start_time": meeting.start_time, "end_time": meeting.end_time},
        )
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    editing.postpone(
                        meeting,
                        start_date=form.cleaned_data["start_date"],
                        end_date=form.cleaned_data["end_date"],
                        note=form.cleaned_data["note"],
                        times=(form.cleaned_data["start_time"], form.cleaned_data["end_time"]),
                    )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("“%(title)s” is now postponed.") % {"title": meeting.title})
                return self._back_to_meeting(meeting)
        return self._form_page(
            request,
            meeting=meeting,
            form=form,
            title=_("Postpone “%(title)s”") % {"title": meeting.title},
            submit_label=pgettext_lazy("postpone a meeting", "Postpone"),
            intro=_("The meeting page and the calendar feeds will show it as postponed."),
        )

    def cancel_view(self, request, object_id):
        meeting = self._meeting_for_change(request, object_id)
        form = CancelForm(self._posted(request))
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                editing.cancel(meeting, reason=form.cleaned_data["reason"])
            messages.success(request, _("“%(title)s” is now cancelled.") % {"title": meeting.title})
            return self._back_to_meeting(meeting)
        return self._form_page(
            request,
            meeting=meeting,
            form=form,
            title=_("Cancel “%(title)s”") % {"title": meeting.title},
            submit_label=_("Cancel the meeting"),
            intro=_("The meeting stays on the calendar, marked cancelled with your reason, so nobody travels for it."),
        )

    def duplicate_view(self, request, object_id):
        meeting = self._meeting(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DuplicateForm(
            self._posted(request),
            # The English title (the one every meeting has), whatever the editor's admin language:
            # duplicate_as_next_edition copies every language's text and takes this one as English.
            initial={"title": editing.next_edition_title(meeting.title_en)},
        )
        if request.method == "POST" and form.is_valid():
            copy = editing.duplicate_as_next_edition(meeting, title=form.cleaned_data["title"])
            messages.success(
                request,
                _("“%(title)s” was created as a draft; give it its dates.") % {"title": copy.title},
            )
            return self._back_to_meeting(copy)
        return self._form_page(
            request,
            meeting=meeting,
            form=form,
            title=_("Duplicate “%(title)s” as its next edition") % {"title": meeting.title},
            submit_label=_("Create the draft"),
            intro=_(
                "Organisers and their roles, funders, venue, topics, programmes and countries are copied; "
                "the dates are left to be confirmed."
            ),
        )

    def _may_import(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied

    def import_view(self, request):
        """The import form. A small calendar is imported in the request, a large one in the background
        (events.calendar.import_jobs); either way the editor lands on the import's own page."""
        self._may_import(request)
        form = ImportCalendarForm(self._posted(request), self._posted(request, files=True))
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = upload.read() if upload else fetch_calendar(form.cleaned_data["url"])
            except CalendarImportError as error:
                form.add_error(None, str(error))
            else:
                job = import_jobs.create(
                    data=data, source=upload.name if upload else form.cleaned_data["url"], user=request.user
                )
                if import_jobs.runs_in_background(data):
                    import_jobs.run_in_background(job.pk)
                    messages.info(
                        request,
                        _("The calendar is large, so it is imported in the background; this page shows the result."),
                    )
                    return self._import_job_page(job)
                job = import_jobs.run(job.pk)
                if job.state == CalendarImport.State.FAILED:
                    form.add_error(None, job.result["error"])
                else:
                    messages.success(request, import_summary(job.result))
                    return self._import_job_page(job)
        return self._form_page(
            request,
            meeting=None,
            form=form,
            title=_("Import meetings from a calendar"),
            # Translators: the button that imports a calendar's events as draft meetings.
            submit_label=_("Import"),
            intro=_(
                "Each event becomes a draft meeting, and each occurrence of a repeating event one meeting. "
                "Importing the same calendar again updates those meetings instead of adding them twice."
            ),
        )

    def _import_job_page(self, job):
        return HttpResponseRedirect(reverse("admin:events_meeting_import_job", args=[job.pk]))

    def import_job_view(self, request, job_id):
        """One import: waiting, running, or its result (what was created, updated, skipped and left out)."""
        self._may_import(request)
        import_jobs.mark_lost()
        job = CalendarImport.objects.filter(pk=job_id).select_related("requested_by").first()
        if job is None:
            raise Http404(_("No calendar import with this ID."))
        finished = job.state in (CalendarImport.State.DONE, CalendarImport.State.FAILED)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            # Translators: %(source)s is the name of the uploaded file or the address of the calendar.
            "title": _("Calendar import: %(source)s") % {"source": job.source},
            "job": job,
            "finished": finished,
            "summary": import_summary(job.result) if job.state == CalendarImport.State.DONE else "",
            "skipped": job.result.get("skipped", []),
            "notes": job.result.get("notes", []),
            "error": job.result.get("error", ""),
        }
        response = TemplateResponse(request, "admin/events/meeting/import_job.html", context)
        if not finished:
            # The result is not there yet: the page asks to be shown again (no script needed).
            response["Refresh"] = "5"
        return response

    @method_decorator(require_POST)
    def preview_markdown_view(self, request):
        """The description as the public will see it, for the live preview (static/js/markdown-preview.js)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("text", "")
        try:
            validate_description_length(text)
        except ValidationError as error:
            # The form would refuse it on save too: same limit, same message.
            return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain; charset=utf-8")
        return HttpResponse(render_markdown(text), content_type="text/html; charset=utf-8")

    def export_csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("These filters are not valid."))
        return csv_response(changelist.get_queryset(request).with_related())
