"""Forms of the editors' admin: the meeting form's safety checks and the small status forms."""

import datetime
import zoneinfo

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from events import dates
from events.calendar import vtimezone
from events.calendar.fetching import ALLOWED_SCHEMES, MAX_CALENDAR_BYTES
from events.markdown import validate_description_length
from events.models import (
    DEFAULT_TIMEZONE,
    END_BEFORE_START,
    END_TIME_BEFORE_START_TIME,
    END_TIME_WITHOUT_START_TIME,
    DatePrecision,
    Meeting,
)

# Plain-language messages; tests assert them exactly.
# Translators: %(title)s is the title of the meeting already saved.
LIKELY_DUPLICATE = _("A meeting with this title already starts on this date: “%(title)s”. Edit that one instead.")
EDITED_MEANWHILE = _(
    # Translators: %(editor)s is the other editor's username (or "Another editor"), %(when)s a date and time.
    "%(editor)s saved this meeting on %(when)s, after you opened it. Your changes were not saved, so nothing "
    "was overwritten. See their change in the history, then open the meeting again and redo your changes."
)
NEW_DATE_OR_TO_BE_CONFIRMED = _("Give the new start date, or tick “date to be confirmed”.")
DATE_AND_TO_BE_CONFIRMED = _("Either give a new date or tick “date to be confirmed”, not both.")
TIME_WITHOUT_NEW_DATE = _("A new time needs a new start date: give the date, or clear the time.")
FILE_OR_URL = _("Upload an .ics file or give the address of a calendar.")
FILE_AND_URL = _("Upload a file or give an address, not both.")
# Translators: %(limit)d is a number of megabytes.
FILE_TOO_LARGE = _("The file is larger than %(limit)d MB; import a smaller one.")
ANOTHER_EDITOR = _("Another editor")
# Warnings: shown at the field, never blocking the save.
SKIPPED_TIME = _(
    # Translators: %(zone)s is a time zone name such as "Europe/Belgrade"; %(before)s, %(after)s, %(time)s
    # and %(shown)s are times of day as 02:00; %(date)s is a date in words.
    "The clocks in %(zone)s go forward from %(before)s to %(after)s on %(date)s, so %(time)s does not exist "
    "that day. Calendars will show %(shown)s: check the time with the organisers."
)
REPEATED_TIME = _(
    # Translators: %(zone)s is a time zone name such as "Europe/Belgrade"; %(before)s, %(after)s and %(time)s
    # are times of day as 03:00; %(date)s is a date in words.
    "The clocks in %(zone)s go back from %(before)s to %(after)s on %(date)s, so %(time)s happens twice "
    "that day. Calendars will show the first of the two: check with the organisers which one they mean."
)
MULTI_DAY_START_WITHOUT_END = _(
    "This meeting lasts several days and has a start time but no end time, so calendars cannot show when "
    "it ends. Give the end time on the last day if it is known."
)


def local_time_input():
    """A time field as a plain 24-hour time input.

    Not the admin's clock widget: its "Now" is the editor's own clock, while a meeting's times are the
    venue's local time (the start time's help text says so).
    """
    return forms.TimeInput(attrs={"type": "time", "class": "local-time"}, format="%H:%M")


def clock_change_at(day, clock_time, zone_name):
    """The change of clocks that skips or repeats this wall-clock time in the zone, or None."""
    zone = zoneinfo.ZoneInfo(zone_name)
    local = datetime.datetime.combine(day, clock_time)
    if local.replace(tzinfo=zone).utcoffset() == local.replace(tzinfo=zone, fold=1).utcoffset():
        return None
    # The years around it too: the zone data's years are UTC years, a change near midnight on 1 January is not.
    for change in vtimezone.transitions(zone, day.year - 1, day.year + 1):
        jump = change.offset_to - change.offset_from
        first, last = sorted((change.local_onset, change.local_onset + jump))
        if first <= local < last:
            return change
    return None


def clock_warning(day, clock_time, zone_name):
    change = clock_change_at(day, clock_time, zone_name)
    if change is None:
        return None
    message = SKIPPED_TIME if change.offset_to > change.offset_from else REPEATED_TIME
    jumped_to = change.local_onset + change.offset_to - change.offset_from
    # A skipped time is written as the instant RFC 5545 means (events.calendar.ical.unambiguous): on the
    # clocks after the change, the editor's time moved on by the jump.
    shown = datetime.datetime.combine(day, clock_time) + (change.offset_to - change.offset_from)
    return message % {
        "zone": zone_name,
        "before": dates.time_in_words(change.local_onset.time()),
        "after": dates.time_in_words(jumped_to.time()),
        "date": dates.day_in_words(day),
        "time": dates.time_in_words(clock_time),
        "shown": dates.time_in_words(shown.time()),
    }


def schedule_warnings(*, date_precision, start_date, end_date, start_time, end_time, venue):
    """{field: [warning]} about times calendars cannot place as the editor means them."""
    if date_precision != DatePrecision.DAY or start_date is None or start_time is None:
        return {}
    zone_name = venue.timezone if venue is not None else DEFAULT_TIMEZONE
    last_day = end_date or start_date
    warnings = {}
    for field, day, clock_time in (("start_time", start_date, start_time), ("end_time", last_day, end_time)):
        warning = clock_warning(day, clock_time, zone_name) if clock_time is not None else None
        if warning:
            warnings.setdefault(field, []).append(warning)
    if end_time is None and last_day > start_date:
        warnings.setdefault("end_time", []).append(MULTI_DAY_START_WITHOUT_END)
    return warnings


class MeetingAdminForm(forms.ModelForm):
    """The meeting form, with a duplicate check and a guard against overwriting another editor's save."""

    # When the form was opened, the meeting's last-modified time. A save from a form opened
    # before someone else's save is refused (optimistic locking).
    seen_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    # No Meta: MeetingAdmin builds the form for Meeting from its fieldsets; this class adds checks only.

    # True on the history page's "revert to this version" form, whose instance is an old version.
    reverting = False
    # {field: [message]} that do not block the save (show_warnings), and the fields they are about.
    warnings = {}
    SCHEDULE = ("date_precision", "start_date", "end_date", "start_time", "end_time")
    # Titles and summaries are long ("3rd Meeting of the Regional Network of …"): shown whole, in every language.
    WIDE_FIELDS = ("title", "summary")

    publish_linked_drafts = forms.BooleanField(
        label=_("Also publish the linked meetings that are drafts"),
        required=False,
        help_text=_(
            "The meetings this one links to (back to back, side events…) that are still drafts are published "
            "when you save, each at its own “publish at” time."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name.split("_")[0] in self.WIDE_FIELDS and isinstance(field.widget, forms.TextInput):
                field.widget.attrs["class"] = f"{field.widget.attrs.get('class', 'vTextField')} wide-text".strip()
            elif name in ("start_time", "end_time"):
                field.widget = local_time_input()
        if self.instance.pk:
            seen = self.instance.updated_at
            if self.reverting:
                stored = Meeting.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
                seen = stored or seen
            self.fields["seen_updated_at"].initial = seen.isoformat()
        if not self.is_bound and self.instance.pk:
            self.show_warnings(
                {name: getattr(self.instance, name) for name in self.SCHEDULE} | {"venue": self.instance.venue}
            )

    def clean_description(self):
        # The public page renders at most this much (events/markdown.py): refuse rather than cut.
        description = self.cleaned_data.get("description", "")
        validate_description_length(description)
        return description

    def clean(self):
        cleaned_data = super().clean()
        self.check_not_edited_meanwhile()
        self.check_not_a_duplicate(cleaned_data)
        self.show_warnings({name: cleaned_data.get(name) for name in (*self.SCHEDULE, "venue")})
        return cleaned_data

    def show_warnings(self, schedule):
        """Warnings about the schedule, kept on the form (the admin repeats them after a save) and on each
        field's BoundField, where the change form's fieldset template shows them."""
        self.warnings = schedule_warnings(**schedule)
        for name, messages in self.warnings.items():
            if name in self.fields:
                self[name].warnings = messages

    def check_not_edited_meanwhile(self):
        if not self.instance.pk:
            return
        # Locks the row until the admin's transaction ends, so two saves cannot both pass.
        stored = Meeting.objects.select_for_update().filter(pk=self.instance.pk).values_list("updated_at", flat=True)
        stored = stored.first()
        if stored is None or self.cleaned_data.get("seen_updated_at") == stored.isoformat():
            return
        latest = self.instance.history.select_related("history_user").order_by("-history_date").first()
        editor = (latest.history_user.get_username() if latest and latest.history_user else None) or ANOTHER_EDITOR
        history_url = reverse("admin:events_meeting_history", args=[self.instance.pk])
        raise forms.ValidationError(
            format_html(
                '{} <a href="{}">{}</a>',
                EDITED_MEANWHILE % {"editor": editor, "when": date_format(localtime(stored), "DATETIME_FORMAT")},
                history_url,
                _("See the history of this meeting"),
            ),
            code="edited_meanwhile",
        )

    def check_not_a_duplicate(self, cleaned_data):
        title, start_date = cleaned_data.get("title"), cleaned_data.get("start_date")
        if not title or not start_date:
            return
        twin = Meeting.objects.filter(title__iexact=title.strip(), start_date=start_date).exclude(pk=self.instance.pk)
        twin = twin.first()
        if twin:
            self.add_error("title", forms.ValidationError(LIKELY_DUPLICATE, params={"title": twin.title}))


class PostponeForm(forms.Form):
    start_date = forms.DateField(label=_("New start date"), required=False, widget=AdminDateWidget)
    end_date = forms.DateField(
        label=_("New end date"), required=False, widget=AdminDateWidget, help_text=_("Empty for a one-day meeting.")
    )
    start_time = forms.TimeField(
        label=_("New start time"),
        required=False,
        widget=local_time_input(),
        help_text=_("Local time at the venue. Empty for an all-day meeting."),
    )
    end_time = forms.TimeField(label=_("New end time"), required=False, widget=local_time_input())
    to_be_confirmed = forms.BooleanField(label=_("New date to be confirmed"), required=False)
    note = forms.CharField(
        label=_("Public note"),
        max_length=300,
        required=False,
        help_text=_("Shown to the public, e.g. “Postponed at the request of the host.”"),
        widget=forms.TextInput(attrs={"size": 80}),
    )

    def clean(self):
        cleaned_data = super().clean()
        start, end, to_be_confirmed = (cleaned_data.get(name) for name in ("start_date", "end_date", "to_be_confirmed"))
        start_time, end_time = cleaned_data.get("start_time"), cleaned_data.get("end_time")
        if to_be_confirmed and (start or end):
            self.add_error("to_be_confirmed", DATE_AND_TO_BE_CONFIRMED)
        elif not to_be_confirmed and not start and "start_date" not in self.errors:
            self.add_error("start_date", NEW_DATE_OR_TO_BE_CONFIRMED)
        elif start and end and end < start:
            self.add_error("end_date", END_BEFORE_START)
        # The same rules as the meeting form's (Meeting.clean), said at the field that breaks them.
        if (start_time or end_time) and not start:
            if "start_date" not in self.errors:
                self.add_error("start_time", TIME_WITHOUT_NEW_DATE)
        elif end_time and not start_time:
            self.add_error("end_time", END_TIME_WITHOUT_START_TIME)
        elif start_time and end_time and (end is None or end == start) and end_time < start_time:
            self.add_error("end_time", END_TIME_BEFORE_START_TIME)
        return cleaned_data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("public reason"),
        max_length=300,
        help_text=_("Shown to the public on the meeting page and in calendars, e.g. “Cancelled by the host.”"),
        widget=forms.TextInput(attrs={"size": 80}),
    )


class DuplicateForm(forms.Form):
    title = forms.CharField(
        label=_("title of the next edition"), max_length=300, widget=forms.TextInput(attrs={"size": 80})
    )


class WebURLField(forms.URLField):
    """A URL field that accepts only web addresses (http, https)."""

    default_validators = [URLValidator(schemes=ALLOWED_SCHEMES)]


class ImportCalendarForm(forms.Form):
    file = forms.FileField(label=_("iCalendar file (.ics)"), required=False)
    url = WebURLField(
        label=_("or the address of a calendar"),
        required=False,
        assume_scheme="https",
        help_text=_("An http or https address ending in .ics, as given for subscribing."),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_CALENDAR_BYTES:
            raise forms.ValidationError(FILE_TOO_LARGE, params={"limit": MAX_CALENDAR_BYTES // (1024 * 1024)})
        return upload

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        if cleaned_data.get("file") and cleaned_data.get("url"):
            raise forms.ValidationError(FILE_AND_URL)
        if not cleaned_data.get("file") and not cleaned_data.get("url"):
            raise forms.ValidationError(FILE_OR_URL)
        return cleaned_data
