"""The editors' admin: one meeting form in the order an announcement reads, status changes in a few clicks.

Write paths live in events.editing and events.ics_import; this module wires them to
forms, buttons and actions. Every save, import and bulk action runs in one
transaction (Django wraps the change form and delete views; the rest do it here).
"""

import csv
import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from events.calendar.importer import CalendarImportError, fetch_calendar, import_calendar
from events.editors import actions as editing
from events.editors.clashes import find_clashes
from events.editors.forms import CancelForm, DuplicateForm, ImportCalendarForm, MeetingAdminForm, PostponeForm
from events.markdown import render_markdown
from events.models import BackToBack, Country, Meeting, MeetingFunder, MeetingOrganiser, Topic, Venue
from organisations.models import Organisation


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "needs_designation"]
    search_fields = ["name", "code"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Venue)
class VenueAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "city", "country", "timezone"]
    list_filter = ["country"]
    search_fields = ["name", "city", "address"]
    autocomplete_fields = ["country"]


# --- The meeting form's parts, in the order an announcement reads -----------

WHEN = _("When")
WHO = _("Who organises")
WHERE = _("Where")
FUNDED_BY = _("Who funds")
WHAT = _("What")
LINKED = _("Linked meetings")
STATUS = _("Status and publication")
FOR_EDITORS = _("For editors")


class MeetingOrganiserInline(admin.TabularInline):
    model = MeetingOrganiser
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "position"]
    after_fieldset = WHEN


class MeetingFunderInline(admin.TabularInline):
    model = MeetingFunder
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "instrument", "position"]
    after_fieldset = WHERE


class OutgoingLinkInline(admin.TabularInline):
    model = BackToBack
    fk_name = "from_meeting"
    extra = 1
    autocomplete_fields = ["to_meeting"]
    fields = ["kind", "to_meeting"]
    verbose_name = _("link to another meeting")
    verbose_name_plural = _("back-to-back and related meetings")
    after_fieldset = WHAT


class IncomingLinkInline(admin.TabularInline):
    """Links added on other meetings, shown here read-only so the pair is visible from both ends."""

    model = BackToBack
    fk_name = "to_meeting"
    extra = 0
    can_delete = False
    fields = ["as_seen_from_here", "from_meeting_link"]
    readonly_fields = ["as_seen_from_here", "from_meeting_link"]
    verbose_name = _("link from another meeting")
    verbose_name_plural = _("linked from other meetings (change these on the other meeting)")
    after_fieldset = WHAT

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("kind"))
    def as_seen_from_here(self, link):
        return link.reverse_label

    @admin.display(description=_("meeting"))
    def from_meeting_link(self, link):
        url = reverse("admin:events_meeting_change", args=[link.from_meeting_id])
        return format_html('<a href="{}">{}</a>', url, link.from_meeting)


# --- List filters -------------------------------------------------------------


class OrganiserListFilter(admin.SimpleListFilter):
    title = _("organiser")
    parameter_name = "organiser"

    def lookups(self, request, model_admin):
        return [(str(org.pk), org.short_name) for org in MeetingOrganiser.objects.organisations().order_by("name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.linked_through(MeetingOrganiser, organisation_id=self.value())


class CountryListFilter(admin.SimpleListFilter):
    title = _("country (venue or participants)")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return [(country.code, country.display_name) for country in Country.objects.all()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.in_countries(Country.objects.filter(code=self.value()))


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Meeting.objects.filter(start_date__isnull=False).dates("start_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters
        return queryset.filter(start_date__year=int(self.value()))


# --- The meeting admin -------------------------------------------------------

CSV_COLUMNS = [
    ("title", _("title")),
    ("start_date", _("start date")),
    ("end_date", _("end date")),
    ("start_time", _("start time")),
    ("end_time", _("end time")),
    ("date_precision", _("how precise the date is")),
    ("status", _("status")),
    ("status_note", _("public note on the status")),
    ("publication", _("publication")),
    ("venue", _("venue")),
    ("city", _("city")),
    ("country", _("country")),
    ("organisers", _("organisers")),
    ("funders", _("funders")),
    ("topics", _("topics")),
    ("countries", _("participating countries")),
    ("external_url", _("external link")),
    ("uid", _("calendar UID")),
]


def csv_safe(value):
    """Text a spreadsheet will not run as a formula (cells starting with = + - @ are formulas)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(meeting):
    venue = meeting.venue
    return {
        "title": meeting.title,
        "start_date": meeting.start_date,
        "end_date": meeting.end_date,
        "start_time": meeting.start_time,
        "end_time": meeting.end_time,
        "date_precision": meeting.get_date_precision_display(),
        "status": meeting.get_status_display(),
        "status_note": meeting.status_note,
        "publication": meeting.get_publication_display(),
        "venue": venue.name if venue else "",
        "city": venue.city if venue else "",
        "country": venue.country.display_name if venue else "",
        "organisers": "; ".join(
            f"{role.organisation.short_name} ({role.get_role_display()})" for role in meeting.organiser_roles.all()
        ),
        "funders": "; ".join(str(funding) for funding in meeting.fundings.all()),
        "topics": "; ".join(topic.name for topic in meeting.topics.all()),
        "countries": "; ".join(country.display_name for country in meeting.countries.all()),
        "external_url": meeting.external_url,
        "uid": meeting.uid,
    }


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


MAX_PREVIEW_CHARACTERS = 100_000


def locked(queryset):
    """The meetings of ``queryset``, row-locked for this transaction in primary-key order.

    Re-selected by bare key: the admin's queryset joins the venue with an outer join (and a
    search may add DISTINCT), and PostgreSQL refuses FOR UPDATE on either.
    """
    keys = list(queryset.values_list("pk", flat=True))
    return Meeting.objects.filter(pk__in=keys).order_by("pk").select_for_update()


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    form = MeetingAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/events/meeting/change_form.html"
    change_list_template = "admin/events/meeting/change_list.html"
    object_history_template = "admin/events/meeting/object_history.html"

    class Media:
        # Progressive enhancement: without it, the preview appears after saving.
        js = ["js/markdown-preview.js"]

    list_display = ["title", "start_date", "end_date", "city", "status", "publication"]
    list_filter = [
        "status",
        "publication",
        OrganiserListFilter,
        "topics",
        CountryListFilter,
        YearListFilter,
        "date_precision",
    ]
    list_select_related = ["venue__country"]
    search_fields = ["title", "organisers__name", "organisers__acronym", "venue__city"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["venue"]
    filter_horizontal = ["countries", "topics", "programmes"]
    inlines = [MeetingOrganiserInline, MeetingFunderInline, OutgoingLinkInline, IncomingLinkInline]
    readonly_fields = [
        "possible_clashes",
        "description_preview",
        "uid",
        "source_uid",
        "sequence",
        "created_at",
        "updated_at",
    ]
    actions = ["publish_selected", "unpublish_selected", "cancel_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary"]}),
        (
            WHEN,
            {
                "fields": [
                    "date_precision",
                    ("start_date", "end_date"),
                    ("start_time", "end_time"),
                    "possible_clashes",
                ],
                "description": _(
                    "All-day: leave the times empty. Not yet known: choose “Date to be confirmed”, or "
                    "“Month only” with any day of the known month."
                ),
            },
        ),
        (WHERE, {"fields": ["venue", "access", "withhold_venue"]}),
        (
            WHAT,
            {
                "fields": [
                    "level",
                    "topics",
                    "programmes",
                    "countries",
                    "description",
                    "description_preview",
                    "external_url",
                ]
            },
        ),
        (STATUS, {"fields": ["status", "status_note", "publication", "publish_at"]}),
        (
            FOR_EDITORS,
            {
                "fields": [
                    "editor_notes",
                    "uid",
                    "source_uid",
                    "sequence",
                    "created_at",
                    "updated_at",
                    "seen_updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("venue__country")

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "link_history": link_history(unquote(object_id))}
        return super().history_view(request, object_id, extra_context=extra_context)

    @method_decorator(transaction.atomic)
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves the meeting and restores its organisers, funders and links: all or nothing.
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def save_model(self, request, obj, form, change):
        # On the history page's revert form, ``obj`` is built from an old version (simple-history marks it);
        # the rows that belonged to it are those alive until the next version was saved.
        version = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) if getattr(form, "reverting", False) else None
        version_ended = editing.version_end(version) if version is not None else None
        super().save_model(request, obj, form, change)
        if version_ended is not None:
            editing.restore_related(obj, version_ended)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is None or not obj.links_to.exists():
            # No links from other meetings: no empty "linked from" table to puzzle over.
            inlines = [inline for inline in inlines if not isinstance(inline, IncomingLinkInline)]
        return inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        match = getattr(request, "resolver_match", None)
        if match and match.url_name == "events_meeting_simple_history":
            # Reverting starts from the current version, so the lock compares against it.
            form = type(form.__name__, (form,), {"reverting": True})
        return form

    # --- Columns and read-only fields --------------------------------------

    @admin.display(description=_("city"), ordering="venue__city")
    def city(self, meeting):
        return meeting.venue.city if meeting.venue_id else ""

    @admin.display(description=_("possible clashes"))
    def possible_clashes(self, meeting):
        clashes = find_clashes(meeting) if meeting.pk else []
        if not clashes:
            return _("None found.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({})</li>',
                (
                    (reverse("admin:events_meeting_change", args=[other.pk]), other.title, reason)
                    for reason, other in clashes
                ),
            ),
        )

    @admin.display(description=_("description as the public will see it"))
    def description_preview(self, meeting):
        url = reverse("admin:events_meeting_preview_markdown")
        if not meeting.description:
            return format_html(
                '<div class="markdown-preview" data-preview-url="{}">{}</div>',
                url,
                _("Save a description to see it here as the public will."),
            )
        # The public renderer: HTML sanitised by nh3 and marked safe, exactly what visitors see.
        html = render_markdown(meeting.description)
        return format_html('<div class="markdown-preview" data-preview-url="{}">{}</div>', url, html)

    # --- Saving: warnings after a save --------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for reason, other in find_clashes(form.instance):
            messages.warning(
                request,
                format_html(
                    _("Possible clash with “{}” ({}, {}): check with its organisers."),
                    other.title,
                    date_format(other.start_date, "DATE_FORMAT"),
                    reason,
                ),
            )

    # --- Extra pages ----------------------------------------------------------

    def get_urls(self):
        own = [
            path("import-ics/", self.admin_site.admin_view(self.import_view), name="events_meeting_import"),
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
        return own + super().get_urls()

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
        form = PostponeForm(self._posted(request), initial={"note": meeting.status_note})
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    editing.postpone(
                        meeting,
                        start_date=form.cleaned_data["start_date"],
                        end_date=form.cleaned_data["end_date"],
                        note=form.cleaned_data["note"],
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
            submit_label=_("Postpone"),
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
            initial={"title": editing.next_edition_title(meeting.title)},
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

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportCalendarForm(self._posted(request), self._posted(request, files=True))
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["file"]:
                    data = form.cleaned_data["file"].read()
                else:
                    data = fetch_calendar(form.cleaned_data["url"])
                result = import_calendar(data)
            except CalendarImportError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Calendar imported: %(created)d new draft meetings, %(updated)d updated.")
                    % {"created": len(result.created), "updated": len(result.updated)},
                )
                for label, reason in result.skipped:
                    messages.warning(request, _("Skipped “%(event)s”: %(reason)s") % {"event": label, "reason": reason})
                return HttpResponseRedirect(reverse("admin:events_meeting_changelist"))
        return self._form_page(
            request,
            meeting=None,
            form=form,
            title=_("Import meetings from a calendar"),
            submit_label=_("Import"),
            intro=_(
                "Each event becomes a draft meeting. Importing the same calendar again updates those meetings "
                "instead of adding them twice."
            ),
        )

    @method_decorator(require_POST)
    def preview_markdown_view(self, request):
        """The description as the public will see it, for the live preview (static/js/markdown-preview.js)."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("text", "")
        if len(text) > MAX_PREVIEW_CHARACTERS:
            return HttpResponseBadRequest(_("The description is too long to preview."))
        return HttpResponse(render_markdown(text), content_type="text/html; charset=utf-8")

    def export_csv_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("These filters are not valid."))
        meetings = changelist.get_queryset(request).with_related()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="meetings-{datetime.date.today():%Y-%m-%d}.csv"'
        writer = csv.DictWriter(response, fieldnames=[name for name, _label in CSV_COLUMNS])
        writer.writerow({name: capfirst(str(label)) for name, label in CSV_COLUMNS})
        for meeting in meetings:
            writer.writerow({name: csv_safe(value) for name, value in csv_row(meeting).items()})
        return response

    # --- Bulk actions ---------------------------------------------------------

    @admin.action(description=_("Publish the selected meetings"), permissions=["change"])
    def publish_selected(self, request, queryset):
        with transaction.atomic():
            changed = sum(editing.publish(meeting) for meeting in locked(queryset))
        message = ngettext("%(count)d meeting published.", "%(count)d meetings published.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Take the selected meetings back to draft"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        with transaction.atomic():
            changed = sum(editing.unpublish(meeting) for meeting in locked(queryset))
        message = ngettext("%(count)d meeting taken back to draft.", "%(count)d meetings taken back to draft.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Cancel the selected meetings…"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            with transaction.atomic():
                changed = sum(
                    editing.cancel(meeting, reason=form.cleaned_data["reason"]) for meeting in locked(queryset)
                )
            message = ngettext("%(count)d meeting cancelled.", "%(count)d meetings cancelled.", changed)
            self.message_user(request, message % {"count": changed}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Cancel meetings"),
            "form": form,
            "meetings": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/events/meeting/cancel_selected.html", context)
