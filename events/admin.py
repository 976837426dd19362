from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import BackToBack, Country, Meeting, MeetingFunder, MeetingOrganiser, Topic, Venue


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


class MeetingOrganiserInline(admin.TabularInline):
    model = MeetingOrganiser
    extra = 1
    autocomplete_fields = ["organisation"]


class MeetingFunderInline(admin.TabularInline):
    model = MeetingFunder
    extra = 1
    autocomplete_fields = ["organisation"]


class BackToBackInline(admin.TabularInline):
    model = BackToBack
    fk_name = "from_meeting"
    extra = 1
    autocomplete_fields = ["to_meeting"]
    verbose_name = _("linked meeting")
    verbose_name_plural = _("back-to-back and related meetings")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["title", "start_date", "end_date", "venue", "status", "publication"]
    list_filter = ["status", "publication", "date_precision", "topics", "venue__country"]
    search_fields = ["title", "summary", "organisers__name", "organisers__acronym", "venue__city"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["venue"]
    filter_horizontal = ["countries", "topics", "programmes"]
    inlines = [MeetingOrganiserInline, MeetingFunderInline, BackToBackInline]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary"]}),
        (
            _("When"),
            {"fields": ["date_precision", ("start_date", "end_date"), ("start_time", "end_time")]},
        ),
        (_("Where"), {"fields": ["venue", "access", "withhold_venue"]}),
        (_("What"), {"fields": ["level", "topics", "programmes", "countries", "description", "external_url"]}),
        (_("Status and publication"), {"fields": ["status", "status_note", "publication", "publish_at"]}),
        (_("For editors"), {"fields": ["editor_notes", "uid", "sequence", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("venue__country")
