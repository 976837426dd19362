"""The public "Propose a meeting" page: a short form or a pasted announcement, drafted for the editors.

Partners without an account propose; nothing they send is public until an editor publishes it
(events/editors/proposals_admin.py). The proposer's name and e-mail stay on the Proposal row,
which no public page, feed or export reads; the drafted meetings never carry them.

Abuse, without a third-party CAPTCHA: a honeypot field people never see (a filled one is
discarded, with the same thank-you page, so a bot learns nothing), and at most
PROPOSALS_PER_HOUR proposals per client address, counted in the database so every app server
agrees. The page is never cached (it carries a CSRF token) and needs no JavaScript.
"""

import datetime
import hashlib
import hmac

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from modeltranslation.utils import build_localized_fieldname

from events.announcements.extraction import extract
from events.announcements.saving import save_drafts
from events.markdown import MAX_DESCRIPTION_CHARACTERS
from events.models import Country, DatePrecision, Meeting, Proposal, Publication, Venue
from meetings_site.security import client_ip_address

# Enough for a secretariat sending its season's meetings one by one; too few to flood the queue.
PROPOSALS_PER_HOUR = 5
RATE_WINDOW = datetime.timedelta(hours=1)
# A pasted announcement giving more meetings than this is not one announcement.
MAX_DRAFTS_PER_ANNOUNCEMENT = 10
MAX_ANNOUNCEMENT_CHARACTERS = 20_000
MAX_MESSAGE_CHARACTERS = 2_000
# The days a meeting may be held on, as the calendar import accepts them.
FIRST_YEAR, LAST_YEAR = 1900, 2199

HONEYPOT_FIELD = "website"

START_DATE_NEEDED = _("Give the start date, or tick “The dates are not yet fixed”.")
DATES_WITH_NOT_FIXED = _("The dates are marked as not yet fixed: clear them, or untick the box.")
END_BEFORE_START = _("The meeting cannot end before it starts.")
YEAR_OUT_OF_RANGE = _("Give a date between the years %(first)s and %(last)s.")
CITY_NEEDS_COUNTRY = _("Choose the country of the city.")
NOTHING_READ = _(
    "No meeting could be read from this text. Check that it gives a title and a date, or use the short form."
)
TOO_MANY_MEETINGS = _(
    "This text reads as more than %(count)s meetings. Paste one announcement at a time, or write to the editors."
)
NOT_DRAFTED = _("This announcement could not be drafted: %(reason)s Use the short form instead.")

# Editors' notes on the drafts (never public); English, as every editor note is.
NOTE_PROPOSED = "Proposed through the public form (proposal {number}); see Proposals for who sent it."
NOTE_ORGANISER = "Organiser as proposed: {organiser}"
NOTE_PLACE = "Place as proposed, not yet a venue on the site: {city} ({country})"


def client_key(request):
    """A keyed hash of the client's address (the same address the login throttle uses): the address
    itself is never stored."""
    address = client_ip_address(request) or ""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def over_the_limit(key, now=None):
    now = now or timezone.now()
    return Proposal.objects.from_client(key, now - RATE_WINDOW).count() >= PROPOSALS_PER_HOUR


class HoneypotInput(forms.TextInput):
    """A field no person sees or reaches: hidden by the stylesheet, out of the tab order and of the
    accessibility tree, never filled in by the browser."""

    def __init__(self):
        super().__init__(attrs={"tabindex": "-1", "autocomplete": "off", "class": "propose-trap-input"})


class ProposerForm(forms.Form):
    """Who proposes, for the editors only, and the trap."""

    proposer_name = forms.CharField(label=_("Your name"), max_length=200)
    proposer_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_(
            "Only the editors see your name and address: we write to you when the meeting is published or declined."
        ),
    )
    message = forms.CharField(
        label=_("Message to the editors"),
        required=False,
        max_length=MAX_MESSAGE_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Not published. Anything the editors should know, such as where the meeting was announced."),
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False, widget=HoneypotInput())

    def proposer(self):
        data = self.cleaned_data
        return {
            "proposer_name": data["proposer_name"],
            "proposer_email": data["proposer_email"],
            "message": data["message"],
        }


class ShortProposalForm(ProposerForm):
    """One meeting, described in a few fields."""

    title = forms.CharField(label=_("Title of the meeting"), max_length=300)
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for a one-day meeting."),
    )
    dates_not_fixed = forms.BooleanField(label=_("The dates are not yet fixed"), required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.ModelChoiceField(label=_("Country"), queryset=None, required=False, empty_label="—")
    organiser = forms.CharField(
        label=_("Organiser"), max_length=300, help_text=_("The body or bodies that organise the meeting.")
    )
    link = forms.URLField(label=_("Link to the announcement"), required=False, max_length=200, assume_scheme="https")
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the meeting is about and who takes part. The editors may shorten it before publishing."),
    )

    field_order = [
        "title",
        "start_date",
        "end_date",
        "dates_not_fixed",
        "city",
        "country",
        "organiser",
        "link",
        "description",
        "proposer_name",
        "proposer_email",
        "message",
        HONEYPOT_FIELD,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = Country.objects.order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        for name in ("start_date", "end_date"):
            day = data.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, ValidationError(YEAR_OUT_OF_RANGE % {"first": FIRST_YEAR, "last": LAST_YEAR}))
        if data.get("dates_not_fixed"):
            if start or end:
                self.add_error("dates_not_fixed", DATES_WITH_NOT_FIXED)
        elif "start_date" not in self.errors and not start:
            self.add_error("start_date", START_DATE_NEEDED)
        elif start and end and end < start:
            self.add_error("end_date", END_BEFORE_START)
        if data.get("city") and not data.get("country") and "country" not in self.errors:
            self.add_error("country", CITY_NEEDS_COUNTRY)
        return data


def _describes_a_meeting(draft):
    return draft.date_precision != DatePrecision.UNKNOWN or bool(draft.city or draft.venue or draft.organisers)


class AnnouncementProposalForm(ProposerForm):
    """The announcement as the organisers published it, to be read into drafts."""

    announcement = forms.CharField(
        label=_("The announcement"),
        max_length=MAX_ANNOUNCEMENT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the text of the invitation or announcement: title, dates, place and organisers."),
    )

    field_order = ["announcement", "proposer_name", "proposer_email", "message", HONEYPOT_FIELD]

    def clean_announcement(self):
        """Read the text now, so a text that gives no meeting is an error at the field."""
        text = self.cleaned_data["announcement"]
        drafts = extract(text, today=timezone.localdate())
        # A text from which only a title could be read (any line reads as one) describes no meeting.
        if not any(_describes_a_meeting(draft) for draft in drafts):
            raise ValidationError(NOTHING_READ)
        if len(drafts) > MAX_DRAFTS_PER_ANNOUNCEMENT:
            raise ValidationError(TOO_MANY_MEETINGS % {"count": MAX_DRAFTS_PER_ANNOUNCEMENT})
        self.drafts = drafts
        return text


def _city_venue(city, country):
    """The site's venue that is just this city, if there is one: the public never creates venues."""
    if not city or country is None:
        return None
    return Venue.objects.filter(city__iexact=city, country=country, name="").order_by("pk").first()


@transaction.atomic
def propose_meeting(data, *, language, key):
    """The short form's proposal and its draft meeting."""
    proposal = Proposal.objects.create(
        kind=Proposal.Kind.SHORT_FORM,
        language=language,
        client_key=key,
        proposer_name=data["proposer_name"],
        proposer_email=data["proposer_email"],
        message=data["message"],
    )
    venue = _city_venue(data["city"], data["country"])
    notes = [NOTE_PROPOSED.format(number=proposal.pk), NOTE_ORGANISER.format(organiser=data["organiser"])]
    if data["city"] and venue is None:
        notes.append(NOTE_PLACE.format(city=data["city"], country=data["country"].name))
    not_fixed = data["dates_not_fixed"]
    title = data["title"]
    meeting = Meeting(
        **{build_localized_fieldname("title", settings.MODELTRANSLATION_DEFAULT_LANGUAGE): title},
        slug=Meeting.objects.unique_slug(title),
        date_precision=DatePrecision.UNKNOWN if not_fixed else DatePrecision.DAY,
        start_date=None if not_fixed else data["start_date"],
        end_date=None if not_fixed else (data["end_date"] or data["start_date"]),
        venue=venue,
        external_url=data["link"],
        description=data["description"],
        editor_notes="\n".join(notes),
        publication=Publication.DRAFT,
    )
    meeting.full_clean(exclude=["uid", "slug"])
    meeting.save()
    if data["country"] is not None:
        meeting.countries.set([data["country"]])
    proposal.meetings.set([meeting])
    return proposal


@transaction.atomic
def propose_announcement(data, drafts, *, language, key):
    """The pasted announcement's proposal and one draft per meeting read from it (all or none)."""
    proposal = Proposal.objects.create(
        kind=Proposal.Kind.ANNOUNCEMENT,
        language=language,
        client_key=key,
        announcement=data["announcement"],
        proposer_name=data["proposer_name"],
        proposer_email=data["proposer_email"],
        message=data["message"],
    )
    for draft in drafts:
        draft.notes.insert(0, NOTE_PROPOSED.format(number=proposal.pk))
        # A city the site has no venue for stays a note: the public creates no shared records.
        unknown_city = not (draft.venue and draft.venue.pk) and draft.city and draft.country and draft.country.pk
        if unknown_city and _city_venue(draft.city, draft.country.pk) is None:
            draft.notes.append(NOTE_PLACE.format(city=draft.city, country=draft.country.name))
            draft.city = None
    proposal.meetings.set(save_drafts(drafts, publish=False, create_new_names=()))
    return proposal


FORMS = {"short": ShortProposalForm, "announcement": AnnouncementProposalForm}


@method_decorator(never_cache, name="dispatch")
class ProposeView(View):
    """/propose/: both forms on one page; the one sent says which it is by its prefix."""

    template_name = "events/propose.html"

    def get(self, request):
        return self.show(request, {name: form_class(prefix=name) for name, form_class in FORMS.items()})

    def post(self, request):
        chosen = request.POST.get("form")
        if chosen not in FORMS:
            chosen = "short"
        key = client_key(request)
        if over_the_limit(key):
            return render(request, "events/propose_limit.html", {"per_hour": PROPOSALS_PER_HOUR}, status=429)
        if request.POST.get(f"{chosen}-{HONEYPOT_FIELD}"):
            return redirect("events:propose-thanks")
        forms_shown = {name: form_class(prefix=name) for name, form_class in FORMS.items()}
        form = forms_shown[chosen] = FORMS[chosen](request.POST, prefix=chosen)
        if not form.is_valid():
            return self.show(request, forms_shown, chosen=chosen)
        language = get_language() or settings.LANGUAGE_CODE
        try:
            if chosen == "short":
                propose_meeting({**form.cleaned_data, **form.proposer()}, language=language, key=key)
            else:
                propose_announcement(form.cleaned_data, form.drafts, language=language, key=key)
        except ValidationError as error:
            form.add_error(
                "announcement" if chosen == "announcement" else None,
                NOT_DRAFTED % {"reason": " ".join(error.messages)},
            )
            return self.show(request, forms_shown, chosen=chosen)
        return redirect("events:propose-thanks")

    def show(self, request, forms_shown, *, chosen=None):
        context = {
            "short_form": forms_shown["short"],
            "announcement_form": forms_shown["announcement"],
            "chosen": chosen,
            "per_hour": PROPOSALS_PER_HOUR,
        }
        return render(request, self.template_name, context)


class ProposeThanksView(TemplateView):
    """The same page whoever sent what: a discarded proposal is not told apart."""

    template_name = "events/propose_thanks.html"
