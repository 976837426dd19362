"""Forms of "New meetings from an announcement": the text to read, and one form per draft to review.

Nothing the browser sends is trusted as a reading: the review form carries only the text, the
drafts are read from it again on every request (events.announcements.extraction), and each
draft's form takes its initial values and its number of rows from that reading.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminTimeWidget
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.announcements import sources
from events.announcements.drafts import Draft, NamedRef
from events.editors.forms import WebURLField
from events.models import Country, DatePrecision, LinkKind, Meeting, OrganiserRole, Topic, Venue
from organisations.models import Organisation, Programme

# A long announcement page is a few thousand words; past this it is not one announcement.
MAX_TEXT_CHARS = 100_000
# What is read from an address: room for a long page's HTML, its markup included.
MAX_PAGE_BYTES = 2 * 1024 * 1024

# Plain-language messages; tests assert them exactly.
TEXT_FILE_OR_URL = _("Paste the announcement, upload its page, or give its address.")
ONLY_ONE_SOURCE = _("Give one of the three: the text, a file or an address.")
TEXT_TOO_LONG = _(
    # Translators: %(limit)s is a number of characters, %(length)s the text's own.
    "The text is %(length)s characters long; one announcement is at most %(limit)s. Paste the part that "
    "announces the meetings."
)
NOT_TEXT_OR_HTML = _("Upload a web page (.html) or a text file (.txt).")
NO_TEXT = _("There is no text to read.")
NO_MEETING_FOUND = _("No meeting was found in this text.")
NOTHING_KEPT = _("Every meeting is dropped, so there is nothing to save.")
# Translators: %(names)s is a list of names the editor has not ticked to create.
NEW_NAMES_NOT_TICKED = _(
    "These names are not on the site yet: %(names)s. Tick each one to create it, or change the draft to "
    "a name that is already on the site."
)
UNKNOWN_COUNTRY = _("Choose the country from the list.")
UNKNOWN_VENUE = _(
    "This venue is not on the site. Give its name as the site has it, or leave it empty: the meeting is then "
    "placed in its city."
)
# Translators: %(names)s lists topics the editor typed that the site does not have.
UNKNOWN_TOPICS = _("Not topics on the site: %(names)s. Topics are chosen from the site's list.")
LINK_WITHOUT_KIND = _("Choose what kind of link this is, or leave both empty.")

TEXT_TYPES = {"text/plain", "text/html", "application/xhtml+xml"}
TEXT_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml")
# Extra empty rows under each list, so a name the reading missed can be added without script.
EXTRA_ROWS = 1

KIND_LABELS = {
    "organisation": _("new organisation"),
    "programme": _("new programme"),
}


def page_text(data: bytes) -> str:
    """The text of an uploaded or fetched page: its words if it is HTML, itself if it is plain text."""
    try:
        return sources.announcement_text(data)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def check_length(text):
    if not text.strip():
        raise ValidationError(NO_TEXT)
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            TEXT_TOO_LONG, params={"length": f"{len(text):,}", "limit": f"{MAX_TEXT_CHARS:,}"}, code="too_long"
        )


class AnnouncementSourceForm(forms.Form):
    """Where the announcement comes from: pasted, uploaded, or fetched (the view fetches the address)."""

    text = forms.CharField(
        label=_("Announcement text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "vLargeTextField"}),
        help_text=_("Paste the announcement as it was published: titles, dates, places and who organises."),
    )
    file = forms.FileField(label=_("or upload its page (.html or .txt)"), required=False)
    url = WebURLField(
        label=_("or the address of the page"),
        required=False,
        assume_scheme="https",
        help_text=_("An http or https address on the public internet."),
    )

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if text.strip():
            check_length(text)
        return text.strip("\n") if text.strip() else ""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        content_type = (upload.content_type or "").split(";")[0].strip().lower()
        if content_type not in TEXT_TYPES and not upload.name.lower().endswith(TEXT_SUFFIXES):
            raise ValidationError(NOT_TEXT_OR_HTML)
        if upload.size > MAX_PAGE_BYTES:
            raise ValidationError(TEXT_TOO_LONG, params={"length": f"{upload.size:,}", "limit": f"{MAX_TEXT_CHARS:,}"})
        text = page_text(upload.read())
        check_length(text)
        return text

    def clean(self):
        cleaned_data = super().clean()
        if self.errors:
            return cleaned_data
        given = [name for name in ("text", "file", "url") if cleaned_data.get(name)]
        if not given:
            raise ValidationError(TEXT_FILE_OR_URL)
        if len(given) > 1:
            raise ValidationError(ONLY_ONE_SOURCE)
        return cleaned_data


class ReviewTextForm(forms.Form):
    """The text the drafts are read from, carried through the review in a hidden field and checked again."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False, required=False)

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        check_length(text)
        return text


# --- One draft --------------------------------------------------------------


def _named(model, name, *alternatives):
    """The row called ``name`` (its name or one of its alternative columns, any case), else None."""
    condition = Q(name__iexact=name)
    for column in alternatives:
        condition |= Q(**{f"{column}__iexact": name})
    return model.objects.filter(condition).order_by("pk").first()


def resolve(kind, name, *, read=(), **extra):
    """The name as a NamedRef: the row it names, or a proposal (pk None) the editor must tick to create.

    ``read``: the NamedRefs the reading found; a name the editor left as read keeps the row it was
    matched to (the reading knows acronyms and variants this exact lookup does not)."""
    for ref in read:
        if ref is not None and ref.pk is not None and ref.name == name:
            return NamedRef(name=ref.name, pk=ref.pk, **extra)
    model, alternatives = {
        "organisation": (Organisation, ("acronym",)),
        "programme": (Programme, ("short_name",)),
        "topic": (Topic, ()),
    }[kind]
    row = _named(model, name, *alternatives)
    return NamedRef(name=row.name if row else name, pk=row.pk if row else None, **extra)


def resolve_venue(name, *, read=None):
    """The venue called ``name`` on the site (a venue with no name of its own is called by its city)."""
    if read is not None and read.pk is not None and read.name == name:
        return read
    venue = Venue.objects.filter(Q(name__iexact=name) | Q(name="", city__iexact=name)).order_by("-name", "pk").first()
    return NamedRef(name=name, pk=venue.pk) if venue else None


def likely_duplicates(draft):
    """Meetings already on the site that this draft may be: the same title, and the same start date
    unless the text left the year (or the date) unsaid."""
    title = " ".join(draft.title.split())
    if not title:
        return Meeting.objects.none()
    candidates = Meeting.objects.filter(Q(title__iexact=title) | Q(title_en__iexact=title))
    if draft.start_date and not draft.year_inferred:
        candidates = candidates.filter(start_date=draft.start_date)
    return candidates.select_related("venue").order_by("-start_date", "pk")[:5]


def _lines(value):
    return [" ".join(line.split()) for line in value.splitlines() if line.strip()]


class DraftForm(forms.Form):
    """One meeting the text announces, as the editor corrects it; rows for each organiser, funder and link."""

    keep = forms.BooleanField(label=_("Save this meeting"), required=False, initial=True)
    merge_with = forms.TypedChoiceField(label=_("Already on the site?"), required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("title"), max_length=300)
    date_precision = forms.ChoiceField(label=_("date precision"), choices=DatePrecision.choices)
    start_date = forms.DateField(label=_("start date"), required=False, widget=AdminDateWidget)
    end_date = forms.DateField(label=_("end date"), required=False, widget=AdminDateWidget)
    start_time = forms.TimeField(label=_("start time"), required=False, widget=AdminTimeWidget)
    end_time = forms.TimeField(label=_("end time"), required=False, widget=AdminTimeWidget)
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    city = forms.CharField(label=_("city"), max_length=100, required=False)
    country = forms.ModelChoiceField(
        label=_("country"), queryset=Country.objects.order_by("name"), required=False, to_field_name="pk"
    )
    programmes = forms.CharField(
        label=_("programmes"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One a line.")
    )
    topics = forms.CharField(
        label=_("topics"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One a line.")
    )

    def __init__(self, *args, draft: Draft, index: int, drafts: list[Draft], duplicates=(), **kwargs):
        self.draft, self.index, self.duplicates = draft, index, list(duplicates)
        exact = [m for m in self.duplicates if draft.start_date and m.start_date == draft.start_date]
        kwargs.setdefault("prefix", f"draft-{index}")
        kwargs.setdefault("initial", self._initial(draft, merge_with=exact[0].pk if exact else None))
        super().__init__(*args, **kwargs)
        self.fields["merge_with"].choices = [("", _("No: a new meeting"))] + [
            (m.pk, _("Yes: keep “%(title)s” (%(date)s)") % {"title": m.title, "date": m.start_date or _("no date")})
            for m in self.duplicates
        ]
        if draft.venue and draft.venue.pk is None:
            self.fields["venue"].help_text = _(
                "The text names “%(name)s”, which the site does not have: the meeting is placed in its city."
            ) % {"name": draft.venue.name}
        self.organiser_rows = self._rows(
            "organiser", len(draft.organisers), _("organiser"), ("role", _("role"), OrganiserRole.choices)
        )
        self.funder_rows = self._rows("funder", len(draft.funders), _("funder"), ("instrument", _("through"), None))
        others = [("", "—")] + [
            (str(i), _("Meeting %(number)s: %(title)s") % {"number": i + 1, "title": other.title})
            for i, other in enumerate(drafts)
            if i != index
        ]
        self.link_rows = []
        for row in range(len(draft.links) + EXTRA_ROWS):
            kind, to = f"link_{row}_kind", f"link_{row}_to"
            self.fields[kind] = forms.ChoiceField(
                label=_("link"), choices=[("", "—"), *LinkKind.choices], required=False
            )
            self.fields[to] = forms.TypedChoiceField(
                label=_("with"), choices=others, required=False, coerce=int, empty_value=None
            )
            self.link_rows.append((self[kind], self[to]))

    def _rows(self, name, count, label, extra):
        """Fields for each listed name (``name_N``) and what goes with it (a role, an instrument)."""
        extra_name, extra_label, choices = extra
        rows = []
        for row in range(count + EXTRA_ROWS):
            first, second = f"{name}_{row}_name", f"{name}_{row}_{extra_name}"
            self.fields[first] = forms.CharField(label=label, max_length=200, required=False)
            if choices:
                self.fields[second] = forms.ChoiceField(label=extra_label, choices=choices, required=False)
            else:
                self.fields[second] = forms.CharField(label=extra_label, max_length=200, required=False)
            rows.append((self[first], self[second]))
        return rows

    @staticmethod
    def _initial(draft, *, merge_with):
        initial = {
            "keep": True,
            "merge_with": merge_with,
            "title": draft.title,
            "date_precision": draft.date_precision,
            "start_date": draft.start_date,
            "end_date": draft.end_date,
            "start_time": draft.start_time,
            "end_time": draft.end_time,
            "venue": draft.venue.name if draft.venue and draft.venue.pk else "",
            "city": draft.city or "",
            "country": draft.country.pk if draft.country else None,
            "programmes": "\n".join(p.name for p in draft.programmes),
            "topics": "\n".join(t.name for t in draft.topics if t.pk),
        }
        for row, organiser in enumerate(draft.organisers):
            initial[f"organiser_{row}_name"] = organiser.name
            initial[f"organiser_{row}_role"] = organiser.role or OrganiserRole.ORGANISER
        for row, funder in enumerate(draft.funders):
            initial[f"funder_{row}_name"] = funder.name
            initial[f"funder_{row}_instrument"] = funder.instrument
        for row, (kind, to) in enumerate(draft.links):
            initial[f"link_{row}_kind"] = kind
            initial[f"link_{row}_to"] = to
        return initial

    MAIN_FIELDS = ("title", "date_precision", "start_date", "end_date", "start_time", "end_time", "venue", "city")

    @property
    def main_fields(self):
        """The meeting's own fields, in the order the review shows them (the rows come after)."""
        return [self[name] for name in (*self.MAIN_FIELDS, "country")]

    @property
    def list_fields(self):
        return [self["programmes"], self["topics"]]

    @property
    def kept(self):
        return self.is_bound and self.is_valid() and self.cleaned_data["keep"]

    def full_clean(self):
        # A dropped meeting is not checked: the editor may drop it because it reads wrong.
        if self.is_bound and not self.data.get(self.add_prefix("keep")):
            self.cleaned_data, self._errors = {"keep": False}, forms.utils.ErrorDict()
            return
        super().full_clean()

    def clean(self):
        cleaned_data = super().clean()
        dates = {
            name: cleaned_data.get(name)
            for name in ("date_precision", "start_date", "end_date", "start_time", "end_time")
        }
        if not any(name in self.errors for name in dates):
            # The meeting's own rules, with its own messages, at the fields they are about.
            try:
                Meeting(title=cleaned_data.get("title") or "", slug="draft", **dates).clean()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
        venue = " ".join((cleaned_data.get("venue") or "").split())
        if venue and resolve_venue(venue, read=self.draft.venue) is None:
            self.add_error("venue", UNKNOWN_VENUE)
        # Topics are the site's fixed list (regional editors keep it), so a new one is not proposed here.
        unknown = [
            name
            for name in _lines(cleaned_data.get("topics") or "")
            if resolve("topic", name, read=self.draft.topics).pk is None
        ]
        if unknown:
            self.add_error("topics", UNKNOWN_TOPICS % {"names": ", ".join(f"“{name}”" for name in unknown)})
        for row, (kind, _to) in enumerate(self.link_rows):
            if cleaned_data.get(f"link_{row}_to") is not None and not cleaned_data.get(f"link_{row}_kind"):
                self.add_error(kind.name, LINK_WITHOUT_KIND)
        return cleaned_data

    def corrected(self) -> Draft:
        """The draft as the editor left it, each name matched to the site's rows (pk None: a new name)."""
        data = self.cleaned_data
        draft = self.draft
        country = data["country"]
        organisers = [
            resolve(
                "organisation",
                " ".join(data[f"organiser_{row}_name"].split()),
                read=draft.organisers,
                role=data[f"organiser_{row}_role"],
            )
            for row in range(len(self.organiser_rows))
            if data[f"organiser_{row}_name"].strip()
        ]
        funders = [
            resolve(
                "organisation",
                " ".join(data[f"funder_{row}_name"].split()),
                read=draft.funders,
                instrument=data[f"funder_{row}_instrument"].strip(),
            )
            for row in range(len(self.funder_rows))
            if data[f"funder_{row}_name"].strip()
        ]
        links = []
        for row in range(len(self.link_rows)):
            kind, to = data[f"link_{row}_kind"], data[f"link_{row}_to"]
            if kind and to is not None and (kind, to) not in links:
                links.append((kind, to))
        venue = " ".join(data["venue"].split())
        venue = resolve_venue(venue, read=draft.venue) if venue else None
        return Draft(
            title=" ".join(data["title"].split()),
            date_precision=data["date_precision"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            year_inferred=draft.year_inferred and data["start_date"] == draft.start_date,
            venue=venue,
            city=" ".join(data["city"].split()) or None,
            country=NamedRef(name=country.name, pk=country.pk) if country else None,
            organisers=organisers,
            funders=funders,
            programmes=[resolve("programme", name, read=draft.programmes) for name in _lines(data["programmes"])],
            topics=[resolve("topic", name, read=draft.topics) for name in _lines(data["topics"])],
            links=links,
            evidence=draft.evidence,
            notes=list(draft.notes),
        )


def new_names(drafts):
    """The names the drafts use that are not on the site, as (kind, name) in the order they come."""
    found = []
    for draft in drafts:
        refs = [("organisation", ref) for ref in (*draft.organisers, *draft.funders)]
        refs += [("programme", ref) for ref in draft.programmes]
        for kind, ref in refs:
            if ref.pk is None and (kind, ref.name) not in found:
                found.append((kind, ref.name))
    return found


def proposal_value(kind, name):
    return f"{kind}:{name}"


def proposal_label(kind, name):
    return f"{KIND_LABELS[kind]}: {name}"
