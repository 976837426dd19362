from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from organisations.editors import is_regional_editor
from organisations.models import Organisation, Programme

# The translated names and descriptions (organisations/translation.py): one field per language in
# the same form, in tabs (static/js/translation-tabs.js; modeltranslation's own tabs load jQuery UI
# from a third-party server, which the Content-Security-Policy forbids).
TRANSLATION_TABS = "js/translation-tabs.js"


class SharedRecordAdmin:
    """Organisations, programmes and topics (events.admin) are shared by every organisation's
    meetings: an organisation's editor adds one a meeting needs, only regional editors change one."""

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or is_regional_editor(request.user))


@admin.register(Organisation)
class OrganisationAdmin(SharedRecordAdmin, TranslationAdmin):
    class Media:
        js = [TRANSLATION_TABS]

    # As the meeting form: a website typed without a scheme is read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "acronym", "kind", "meeting_count"]
    ordering = ["name_en"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["editors"]

    def get_exclude(self, request, obj=None):
        # Who edits for a body is account management, as createeditor is: superusers only.
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded if request.user.is_superuser else [*excluded, "editors"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "editors":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("organised_meetings", distinct=True))

    @admin.display(description=_("meetings organised"), ordering="meeting_count")
    def meeting_count(self, obj):
        return obj.meeting_count


@admin.register(Programme)
class ProgrammeAdmin(SharedRecordAdmin, TranslationAdmin):
    class Media:
        js = [TRANSLATION_TABS]

    list_display = ["name", "short_name", "organisation"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
