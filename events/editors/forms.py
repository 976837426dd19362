"""Forms of the editors' admin: the meeting form's safety checks and the small status forms."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from events.calendar.fetching import ALLOWED_SCHEMES, MAX_CALENDAR_BYTES
from events.markdown import validate_description_length
from events.models import END_BEFORE_START, Meeting

# Plain-language messages; tests assert them exactly.
LIKELY_DUPLICATE = _("A meeting with this title already starts on this date: “%(title)s”. Edit that one instead.")
EDITED_MEANWHILE = _(
    "%(editor)s saved this meeting on %(when)s, after you opened it. Your changes were not saved, so nothing "
    "was overwritten. See their change in the history, then open the meeting again and redo your changes."
)
NEW_DATE_OR_TO_BE_CONFIRMED = _("Give the new start date, or tick “date to be confirmed”.")
DATE_AND_TO_BE_CONFIRMED = _("Either give a new date or tick “date to be confirmed”, not both.")
FILE_OR_URL = _("Upload an .ics file or give the address of a calendar.")
FILE_AND_URL = _("Upload a file or give an address, not both.")
FILE_TOO_LARGE = _("The file is larger than %(limit)d MB; import a smaller one.")
ANOTHER_EDITOR = _("Another editor")


class MeetingAdminForm(forms.ModelForm):
    """The meeting form, with a duplicate check and a guard against overwriting another editor's save."""

    # When the form was opened, the meeting's last-modified time. A save from a form opened
    # before someone else's save is refused (optimistic locking).
    seen_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    # No Meta: MeetingAdmin builds the form for Meeting from its fieldsets; this class adds checks only.

    # True on the history page's "revert to this version" form, whose instance is an old version.
    reverting = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            seen = self.instance.updated_at
            if self.reverting:
                stored = Meeting.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
                seen = stored or seen
            self.fields["seen_updated_at"].initial = seen.isoformat()

    def clean_description(self):
        # The public page renders at most this much (events/markdown.py): refuse rather than cut.
        description = self.cleaned_data.get("description", "")
        validate_description_length(description)
        return description

    def clean(self):
        cleaned_data = super().clean()
        self.check_not_edited_meanwhile()
        self.check_not_a_duplicate(cleaned_data)
        return cleaned_data

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
    start_date = forms.DateField(label=_("new start date"), required=False, widget=AdminDateWidget)
    end_date = forms.DateField(
        label=_("new end date"), required=False, widget=AdminDateWidget, help_text=_("Empty for a one-day meeting.")
    )
    to_be_confirmed = forms.BooleanField(label=_("new date to be confirmed"), required=False)
    note = forms.CharField(
        label=_("public note"),
        max_length=300,
        required=False,
        help_text=_("Shown to the public, e.g. “Postponed at the request of the host.”"),
    )

    def clean(self):
        cleaned_data = super().clean()
        start, end, to_be_confirmed = (cleaned_data.get(name) for name in ("start_date", "end_date", "to_be_confirmed"))
        if to_be_confirmed and (start or end):
            self.add_error("to_be_confirmed", DATE_AND_TO_BE_CONFIRMED)
        elif not to_be_confirmed and not start and "start_date" not in self.errors:
            self.add_error("start_date", NEW_DATE_OR_TO_BE_CONFIRMED)
        elif start and end and end < start:
            self.add_error("end_date", END_BEFORE_START)
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
