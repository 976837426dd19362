"""The editors' admin: one meeting form in the order an announcement reads, status changes in a few clicks.

Wiring only: write paths live in events.editors.actions and events.calendar.importer, the extra
pages in events.editors.admin_views, history in events.editors.history. Every save, import and bulk action runs in one
transaction (Django wraps the change form and delete views; the rest do it here).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from events.editors import actions as editing
from events.editors import permissions
from events.editors.admin_views import MeetingEditorViews
from events.editors.clashes import find_clashes
from events.editors.forms import LIKELY_DUPLICATE, CancelForm, MeetingAdminForm
from events.editors.history import link_history
from events.editors.proposals_admin import ProposalAdmin  # noqa: F401  (registers the proposals' moderation queue)
from events.editors.timezones import country_zone, timezone_choices
from events.markdown import render_markdown, validate_description_length
from events.models import (
    MEETING_LANGUAGES,
    BackToBack,
    Country,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Topic,
    Venue,
    language_choices,
)
from organisations.admin import SharedRecordAdmin


def left_out_of_action(count):
    """Shown after a bulk action that left out meetings the editor may not change."""
    message = ngettext(
        "%(count)d of the selected meetings was left as it was: you may change only meetings your "
        "organisations organise.",
        "%(count)d of the selected meetings were left as they were: you may change only meetings your "
        "organisations organise.",
        count,
    )
    return message % {"count": count}


# A venue left without a time zone in a country the tz database does not know.
CHOOSE_A_ZONE = _("Choose the venue's time zone: its country has none we know of.")


class RevertNeedsChangePermission:
    """A version is restored only by who may change the record as it is now: simple-history's revert
    page checks only the view permission before it saves. Without it the page still shows the version."""

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if current is None:
                raise Http404
            if not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "needs_designation"]
    search_fields = ["name", "code"]


# Translated fields (events/translation.py) show one field per language in the same form, grouped in
# tabs by static/js/translation-tabs.js (modeltranslation's own tabs load jQuery UI from a third-party
# server, which the Content-Security-Policy forbids).
TRANSLATION_TABS = "js/translation-tabs.js"


@admin.register(Topic)
class TopicAdmin(SharedRecordAdmin, TranslationAdmin):
    class Media:
        js = [TRANSLATION_TABS]

    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class VenueAdminForm(forms.ModelForm):
    """The time zone from a menu, the region's zones first; left empty, the country's own."""

    timezone = forms.ChoiceField(
        label=_("time zone"),
        required=False,
        help_text=_("Times of meetings here are read in it. Leave it empty for the country's time zone."),
    )

    class Meta:
        model = Venue
        fields = ["name", "address", "city", "country", "timezone", "latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices(Country.objects.all())
        if self.instance.pk is None and "timezone" not in (kwargs.get("initial") or {}):
            # Not the model's default (Belgrade): a new venue takes its country's zone unless one is chosen.
            self.initial["timezone"] = ""

    def clean(self):
        cleaned_data = super().clean()
        country = cleaned_data.get("country")
        if not cleaned_data.get("timezone") and country is not None:
            zone = country_zone(country.code)
            if zone is None:
                self.add_error("timezone", CHOOSE_A_ZONE)
            else:
                cleaned_data["timezone"] = zone
        return cleaned_data


@admin.register(Venue)
class VenueAdmin(RevertNeedsChangePermission, SimpleHistoryAdmin):
    form = VenueAdminForm
    list_display = ["__str__", "city", "country", "timezone"]
    list_filter = ["country"]
    search_fields = ["name", "city", "address"]
    autocomplete_fields = ["country"]

    def has_change_permission(self, request, obj=None):
        # Shared: a venue another organisation's meeting is held at is changed by regional editors only.
        if obj is None:
            return super().has_change_permission(request)
        return permissions.may_change_venue(request.user, obj)


# --- The meeting form's parts, in the order an announcement reads -----------

# Translators: headings of the sections of the meeting form in the admin.
WHEN = _("When")
WHO = _("Who organises")
WHERE = _("Where")
FUNDED_BY = _("Who funds")
WHAT = _("What")
LINKED = _("Linked meetings")
STATUS = _("Status and publication")
FOR_EDITORS = _("For editors")


class KeepsOwnOrganisationFormSet(BaseInlineFormSet):
    """The organisers of a meeting an organisation's editor saves keep one of their organisations,
    so the editor does not lock themselves out (or hand the meeting to another body)."""

    user = None

    def clean(self):
        super().clean()
        if self.user is None or any(self.errors):
            return
        kept = [
            form.cleaned_data["organisation"].pk
            for form in self.forms
            if form.cleaned_data.get("organisation") and not form.cleaned_data.get("DELETE")
        ]
        if not permissions.carries_own_organisation(self.user, kept):
            raise forms.ValidationError(
                permissions.MUST_KEEP_OWN_ORGANISATION,
                params={"organisations": permissions.own_organisations_in_words(self.user)},
                code="must_keep_own_organisation",
            )


class MeetingOrganiserInline(admin.TabularInline):
    model = MeetingOrganiser
    formset = KeepsOwnOrganisationFormSet
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "position"]
    after_fieldset = WHEN

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})


class LinkedMeetingColumns:
    """The linked meeting's publication and status beside each link, so a draft partner shows."""

    linked_side = None

    def _linked(self, link):
        return getattr(link, self.linked_side, None) if getattr(link, f"{self.linked_side}_id", None) else None

    @admin.display(description=_("publication"))
    def linked_publication(self, link):
        meeting = self._linked(link)
        return meeting.get_publication_display() if meeting else ""

    @admin.display(description=_("status"))
    def linked_status(self, link):
        meeting = self._linked(link)
        return meeting.get_status_display() if meeting else ""


class MeetingFunderInline(admin.TabularInline):
    model = MeetingFunder
    extra = 1
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "instrument", "position"]
    after_fieldset = WHERE


class OutgoingLinkInline(LinkedMeetingColumns, admin.TabularInline):
    model = BackToBack
    fk_name = "from_meeting"
    linked_side = "to_meeting"
    extra = 1
    autocomplete_fields = ["to_meeting"]
    fields = ["kind", "to_meeting", "linked_publication", "linked_status"]
    readonly_fields = ["linked_publication", "linked_status"]
    verbose_name = _("link to another meeting")
    verbose_name_plural = _("back-to-back and related meetings")
    after_fieldset = WHAT


class IncomingLinkInline(LinkedMeetingColumns, admin.TabularInline):
    """Links added on other meetings, shown here read-only so the pair is visible from both ends."""

    model = BackToBack
    fk_name = "to_meeting"
    linked_side = "from_meeting"
    extra = 0
    can_delete = False
    fields = ["as_seen_from_here", "from_meeting_link", "linked_publication", "linked_status"]
    readonly_fields = ["as_seen_from_here", "from_meeting_link", "linked_publication", "linked_status"]
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


class OfferedValueListFilter(admin.SimpleListFilter):
    """A list filter that takes only the values it offers: any other (a hand-edited URL, junk) is
    Django's "?e=1" message, never a query built on it."""

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in {str(offered) for offered, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}={value!r} is not offered")
        return self.filtered(queryset, value)


class WhenListFilter(OfferedValueListFilter):
    """Upcoming meetings (and those whose date is still to be confirmed) unless the editor asks for
    past or all; a search or a chosen year or date looks through all, or it would miss past meetings."""

    title = _("when")
    parameter_name = "when"
    UPCOMING, PAST, ALL = "upcoming", "past", "all"
    # The changelist's parameters that choose a date themselves (YearListFilter, the date hierarchy) or search.
    LOOKS_THROUGH_ALL = ("year", "start_date__year", "start_date__month", "start_date__day", "q")

    def __init__(self, request, params, model, model_admin):
        self.default = self.default_for(request)
        super().__init__(request, params, model, model_admin)

    @classmethod
    def default_for(cls, request):
        return cls.ALL if any(request.GET.get(name) for name in cls.LOOKS_THROUGH_ALL) else cls.UPCOMING

    @classmethod
    def chosen(cls, request):
        """What the list shows: the editor's choice, else the default (MeetingAdmin orders by it)."""
        return request.GET.get(cls.parameter_name) or cls.default_for(request)

    def lookups(self, request, model_admin):
        return [(self.UPCOMING, _("Upcoming")), (self.PAST, _("Past")), (self.ALL, _("All"))]

    def choices(self, changelist):
        # No "All" of Django's own: the editor's "All" is a value, and no value means the default.
        chosen = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": chosen == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() is None:
            return self.filtered(queryset, self.default)
        return super().queryset(request, queryset)

    def filtered(self, queryset, value):
        today = timezone.localdate()
        if value == self.UPCOMING:
            return queryset.filter(Q(end_date__gte=today) | Q(end_date__isnull=True))
        if value == self.PAST:
            return queryset.filter(end_date__lt=today)
        return queryset


class YoursListFilter(OfferedValueListFilter):
    """For an organisation's editor: only the meetings they may change."""

    title = _("whose")
    parameter_name = "yours"

    def __init__(self, request, params, model, model_admin):
        self.user = request.user
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        # Not for regional editors, who change every meeting (and are asked no extra query).
        if permissions.is_regional_editor(request.user) or not permissions.editing_organisations(request.user).exists():
            return []
        return [("1", _("Your organisations' meetings"))]

    def filtered(self, queryset, value):
        return permissions.changeable_meetings(self.user, queryset)


class OrganiserListFilter(OfferedValueListFilter):
    title = _("organiser")
    parameter_name = "organiser"

    def lookups(self, request, model_admin):
        return [(str(org.pk), org.short_name) for org in MeetingOrganiser.objects.organisations().order_by("name")]

    def filtered(self, queryset, value):
        return queryset.linked_through(MeetingOrganiser, organisation_id=int(value))


class CountryListFilter(OfferedValueListFilter):
    title = _("country (venue or participants)")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        return [(country.code, country.display_name) for country in Country.objects.all()]

    def filtered(self, queryset, value):
        return queryset.in_countries(Country.objects.filter(code=value))


class YearListFilter(OfferedValueListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Meeting.objects.filter(start_date__isnull=False).dates("start_date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def filtered(self, queryset, value):
        return queryset.filter(start_date__year=int(value))


# --- The meeting admin -------------------------------------------------------


class LanguageCodesField(forms.MultipleChoiceField):
    """Languages as checkboxes, stored as the model keeps them: space-separated codes, in the fixed
    order of MEETING_LANGUAGES (so the same choice is always the same text)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=language_choices, **kwargs)

    def prepare_value(self, value):
        return value.split() if isinstance(value, str) else value

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial or ""), data)

    def clean(self, value):
        codes = set(super().clean(value))
        return " ".join(code for code in MEETING_LANGUAGES if code in codes)


class TranslatedMeetingAdminForm(MeetingAdminForm):
    """The editors' form with the title in every language (title_en, title_sq…): a likely duplicate
    is one with the same English title, the title every meeting has, whatever the admin's language."""

    working_languages = LanguageCodesField(
        label=_("working languages"), required=False, help_text=_("The languages the meeting is held in.")
    )
    interpretation_into = LanguageCodesField(
        label=_("interpretation into"), required=False, help_text=_("The languages interpreted into, if any.")
    )

    def clean(self):
        cleaned_data = super().clean()
        # The form's own length check reads "description"; each language's description has the limit.
        for name in self.fields:
            if name.startswith("description_") and cleaned_data.get(name):
                try:
                    validate_description_length(cleaned_data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned_data

    def check_not_a_duplicate(self, cleaned_data):
        title, start_date = cleaned_data.get("title_en"), cleaned_data.get("start_date")
        if not title or not start_date:
            return
        twins = Meeting.objects.filter(title_en__iexact=title.strip(), start_date=start_date)
        twin = twins.exclude(pk=self.instance.pk).first()
        if twin:
            self.add_error("title_en", forms.ValidationError(LIKELY_DUPLICATE, params={"title": twin.title}))


# The box that publishes a meeting's linked drafts with it, where the editors' form has it.
PUBLISH_LINKED_DRAFTS = [name for name in ["publish_linked_drafts"] if name in MeetingAdminForm.declared_fields]


@admin.register(Meeting)
class MeetingAdmin(MeetingEditorViews, RevertNeedsChangePermission, TranslationAdmin, SimpleHistoryAdmin):
    form = TranslatedMeetingAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_form_template = "admin/events/meeting/change_form.html"
    change_list_template = "admin/events/meeting/change_list.html"
    object_history_template = "admin/events/meeting/object_history.html"

    class Media:
        # Progressive enhancement: without them, the preview appears after saving, and every
        # language's field shows in its own row.
        js = ["js/markdown-preview.js", TRANSLATION_TABS]
        css = {"all": ["css/admin-list.css"]}

    list_display = ["title", "start_date", "end_date", "city", "status", "publication"]
    list_filter = [
        WhenListFilter,
        YoursListFilter,
        "status",
        "publication",
        OrganiserListFilter,
        "topics",
        CountryListFilter,
        YearListFilter,
        "date_precision",
    ]
    list_select_related = ["venue__country"]
    # The title in the admin's language and in English, which every meeting has.
    search_fields = ["title", "title_en", "organisers__name", "organisers__acronym", "venue__city"]
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
                    "working_languages",
                    "interpretation_into",
                    "description",
                    "description_preview",
                    "external_url",
                ]
            },
        ),
        (STATUS, {"fields": ["status", "status_note", "publication", "publish_at", *PUBLISH_LINKED_DRAFTS]}),
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

    def get_ordering(self, request):
        # Upcoming soonest first (the list opens on them); past and all, the latest first.
        if WhenListFilter.chosen(request) in (WhenListFilter.PAST, WhenListFilter.ALL):
            return [models.F("start_date").desc(nulls_first=True), "-start_time", "title_en"]
        return [models.F("start_date").asc(nulls_last=True), "start_time", "title_en"]

    # --- Who may change what (events.editors.permissions) ---------------------
    # Every editor sees every meeting (to link to it, to spot a duplicate or a clash); an
    # organisation's editor changes only the meetings their organisations organise. A refused
    # write is a 403 on every path: the change form's POST, delete, the status pages, a revert.

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return permissions.may_change_meeting(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return permissions.may_delete_meeting(request.user, obj)

    def get_deleted_objects(self, objs, request):
        # Django's "delete selected" checks only the model permission: a meeting the editor may not
        # change is a permission needed, so the confirmation says so and the POST is refused.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(not permissions.may_delete_meeting(request.user, meeting) for meeting in objs):
            perms_needed = {*perms_needed, str(self.opts.verbose_name)}
        return deleted, model_count, perms_needed, protected

    def duplicate_view(self, request, object_id):
        # The copy keeps the organisers: a copy of another body's meeting would be a draft its
        # maker could not change. Duplicate what you may change.
        meeting = self.get_object(request, unquote(object_id))
        if meeting is not None and not self.has_change_permission(request, meeting):
            raise PermissionDenied
        return super().duplicate_view(request, object_id)

    def import_view(self, request):
        # Importing a calendar again updates the meetings it made before, whoever organises them now,
        # and imported drafts carry no organiser yet: regional editors import.
        self._refuse_unless_regional(request)
        return super().import_view(request)

    def import_job_view(self, request, job_id):
        self._refuse_unless_regional(request)
        return super().import_job_view(request, job_id)

    @staticmethod
    def _refuse_unless_regional(request):
        if not permissions.is_regional_editor(request.user):
            raise PermissionDenied

    def _changeable(self, request, queryset):
        """The selected meetings the editor may change; says how many were left out."""
        allowed = permissions.changeable_meetings(request.user, queryset)
        left_out = queryset.count() - allowed.count()
        if left_out:
            self.message_user(request, left_out_of_action(left_out), messages.WARNING)
        return allowed

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "link_history": link_history(unquote(object_id))}
        return super().history_view(request, object_id, extra_context=extra_context)

    @method_decorator(transaction.atomic)
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves the meeting and restores its organisers, funders and links: all or nothing
        # (RevertNeedsChangePermission refuses it first to an editor who may not change the meeting).
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def save_model(self, request, obj, form, change):
        # On the history page's revert form, ``obj`` is built from an old version (simple-history marks it);
        # the rows that belonged to it are those alive until the next version was saved.
        version = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) if getattr(form, "reverting", False) else None
        version_ended = editing.version_end(version) if version is not None else None
        super().save_model(request, obj, form, change)
        if version_ended is not None:
            editing.restore_related(obj, version_ended)
            # A version from before the editor's organisation joined would hand the meeting away:
            # refused, and the revert (one transaction) undone.
            if not permissions.may_change_meeting(request.user, obj):
                raise PermissionDenied

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
        # Linked drafts published with the meeting, when the editor asked: those the editor may change.
        publish_linked_drafts = getattr(editing, "publish_linked_drafts", None)
        if publish_linked_drafts is not None and form.cleaned_data.get("publish_linked_drafts"):
            publish_linked_drafts(form.instance, user=request.user)
        for reason, other in find_clashes(form.instance):
            messages.warning(
                request,
                format_html(
                    # Translators: {reason} is e.g. "same city, overlapping dates".
                    _("Possible clash with “{title}” ({date}, {reason}): check with its organisers."),
                    title=other.title,
                    date=date_format(other.start_date, "DATE_FORMAT"),
                    reason=reason,
                ),
            )
        # The form showed its warnings at the fields; after a save the editor may land on the list.
        for warnings in getattr(form, "warnings", {}).values():
            for warning in warnings:
                messages.warning(request, warning)

    # --- Bulk actions ---------------------------------------------------------

    @admin.action(description=_("Publish the selected meetings"), permissions=["change"])
    def publish_selected(self, request, queryset):
        queryset = self._changeable(request, queryset)
        with transaction.atomic():
            changed = sum(editing.publish(meeting) for meeting in editing.locked(queryset))
        message = ngettext("%(count)d meeting published.", "%(count)d meetings published.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Take the selected meetings back to draft"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        queryset = self._changeable(request, queryset)
        with transaction.atomic():
            changed = sum(editing.unpublish(meeting) for meeting in editing.locked(queryset))
        message = ngettext("%(count)d meeting taken back to draft.", "%(count)d meetings taken back to draft.", changed)
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Cancel the selected meetings…"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        form = CancelForm(request.POST if "apply" in request.POST else None)
        queryset = self._changeable(request, queryset)
        if form.is_bound and form.is_valid():
            with transaction.atomic():
                changed = sum(
                    editing.cancel(meeting, reason=form.cleaned_data["reason"]) for meeting in editing.locked(queryset)
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
