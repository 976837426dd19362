from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from organisations.models import Organisation, Programme

# The translated names and descriptions (organisations/translation.py): one field per language in
# the same form, in tabs (static/js/translation-tabs.js; modeltranslation's own tabs load jQuery UI
# from a third-party server, which the Content-Security-Policy forbids).
TRANSLATION_TABS = "js/translation-tabs.js"


@admin.register(Organisation)
class OrganisationAdmin(TranslationAdmin):
    class Media:
        js = [TRANSLATION_TABS]

    # As the meeting form: a website typed without a scheme is read as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "acronym", "kind", "meeting_count"]
    ordering = ["name_en"]
    list_filter = ["kind"]
    search_fields = ["name", "acronym", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_count=Count("organised_meetings", distinct=True))

    @admin.display(description=_("meetings organised"), ordering="meeting_count")
    def meeting_count(self, obj):
        return obj.meeting_count


@admin.register(Programme)
class ProgrammeAdmin(TranslationAdmin):
    class Media:
        js = [TRANSLATION_TABS]

    list_display = ["name", "short_name", "organisation"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
