"""Meetings, where they happen, who organises and funds them, and how they link."""

import calendar
import datetime
import uuid
import zoneinfo
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Greatest, Least, Now
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from events import dates, search
from meetings_site.languages import city_name, territory_name
from organisations.models import EnglishColumnsMixin, Organisation, Programme, translated_values

DEFAULT_TIMEZONE = "Europe/Belgrade"
# The two orders of the public lists, each one an index can give (see the migrations' indexes).
# By the English title (the column every meeting has), so a list is in the same order in every language.
UPCOMING_ORDER = ("start_date", "start_time", "title_en", "pk")
PAST_ORDER = ("-start_date", "start_time", "title_en", "pk")
# How far a meeting page follows chains of back-to-back links (one query per hop).
MAX_CLUSTER_HOPS = 6
# Room kept at the end of a slug for "-<number>" (unique_slugs reads what is taken by the rest).
SLUG_NUMBER_ROOM = 8
SLUG_STEMS_PER_QUERY = 200

# Plain-language validation messages; tests assert them exactly.
END_BEFORE_START = _("The meeting cannot end before it starts.")
END_TIME_BEFORE_START_TIME = _("A one-day meeting cannot end before it starts.")
TIME_WITHOUT_DATE = _("A time needs a date: give the start date, or clear the time.")
END_TIME_WITHOUT_START_TIME = _("Give a start time before giving an end time.")
START_DATE_REQUIRED = _("Give the start date, or mark the date as not yet known.")
UNKNOWN_DATE_WITH_DATES = _("The date is marked as not yet known: clear the dates, or choose another precision.")
WITHHOLD_VENUE_ON_OPEN = _("Only a closed or invitation-only meeting can withhold its venue.")
SLUG_ONLY_DIGITS = _("A slug of digits only would be read as a year; add a word.")
LINK_TO_ITSELF = _("A meeting cannot be linked to itself.")
LINK_DUPLICATE = _("These two meetings are already linked.")
UNKNOWN_TIMEZONE = _("“%(value)s” is not a known time zone; use a name like Europe/Tirane.")

KOSOVO_FOOTNOTE = _(
    "*This designation is without prejudice to positions on status, and is in line with "
    "UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence."
)


# The languages a meeting in this region may be held or interpreted in (BCP 47 codes, as
# Meeting.working_languages and interpretation_into store them, space-separated).
MEETING_LANGUAGES = ("en", "fr", "de", "sq", "bs", "hr", "mk", "cnr", "sr", "sl", "tr", "it", "el", "ro", "bg", "hu")
UNKNOWN_LANGUAGE = _("“%(value)s” is not one of the languages offered.")
# Translators: Montenegrin in a list of languages, written as your language writes language names in a
# sentence (e.g. lower case: "crnogorski"). The CLDR has no name for it.
MONTENEGRIN_IN_A_LIST = pgettext_lazy("language name in a list", "Montenegrin")
# Translators: %(languages)s is a list of languages, %(interpretation)s another, e.g. "English, with
# interpretation into Albanian and Macedonian".
WITH_INTERPRETATION = _("%(languages)s, with interpretation into %(interpretation)s")
# Translators: %(interpretation)s is a list of languages.
INTERPRETATION_ONLY = _("Interpretation into %(interpretation)s")


def validate_language_codes(value):
    for code in value.split():
        if code not in MEETING_LANGUAGES:
            raise ValidationError(UNKNOWN_LANGUAGE, params={"value": code}, code="unknown_language")


def _active_cldr():
    # Imported here: the site's language table and Babel are needed only when a name is shown.
    from modeltranslation.utils import get_language

    from meetings_site.languages import BY_CODE

    return BY_CODE[get_language()].cldr


def language_name(code, cldr=None):
    """A language's name in the active language of the site, from the CLDR (Babel); Montenegrin,
    which the CLDR does not name, from the site's own catalog (never as Serbian)."""
    from babel import Locale

    if code == "cnr":
        return str(MONTENEGRIN_IN_A_LIST)
    return Locale.parse(cldr or _active_cldr()).languages.get(code, code)


def language_names(codes):
    """The languages' names as a sentence lists them ("Albanian and Macedonian"), in the active language."""
    from babel.lists import format_list

    cldr = _active_cldr()
    return format_list([language_name(code, cldr) for code in codes], locale=cldr)


def language_choices():
    """MEETING_LANGUAGES as (code, name) choices, named in the active language."""
    cldr = _active_cldr()
    return [(code, language_name(code, cldr)) for code in MEETING_LANGUAGES]


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(UNKNOWN_TIMEZONE, params={"value": value}, code="unknown_timezone")


class Country(models.Model):
    """A country or territory, identified by its ISO 3166-1 alpha-2 code."""

    code = models.CharField(
        _("code"),
        max_length=2,
        unique=True,
        help_text=_("ISO 3166-1 alpha-2 code; XK for Kosovo*."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    needs_designation = models.BooleanField(
        _("shown with the status designation"),
        default=False,
        help_text=_("Shown with an asterisk and the UNSCR 1244/1999 footnote (Kosovo*)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """The name in the visitor's language (CLDR), the stored English name in English; Kosovo*."""
        language = get_language() or settings.LANGUAGE_CODE
        name = None if language == settings.LANGUAGE_CODE else territory_name(self.code, language)
        name = name or self.name
        return f"{name}*" if self.needs_designation else name


class Topic(EnglishColumnsMixin, models.Model):
    """A subject area such as P-CVE, SALW or border security."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class Venue(models.Model):
    """A place where meetings are held; a venue may be just a city when that is all that is known."""

    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when only the city is known."),
    )
    address = models.CharField(_("street address"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.ForeignKey(Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="venues")
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIMEZONE,
        validators=[validate_timezone],
        help_text=_("IANA time zone of the venue, e.g. Europe/Tirane. Times of meetings here are read in it."),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Folded for the public search (events.search), kept by the receivers at the end of this module.
    # The city apart: it stays public when a meeting withholds its venue, the name and address do not.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    city_search_text = models.TextField(_("city search text"), blank=True, editable=False)

    # Derived columns, not history: rebuilt from the fields that are kept.
    history = HistoricalRecords(excluded_fields=["search_text", "city_search_text"])

    class Meta:
        ordering = ["city", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["name", "city", "country"], name="venue_unique_name_city_country"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="venue_latitude_and_longitude_together",
            ),
        ]

    def __str__(self):
        return ", ".join(part for part in (self.name, self.city, self.country.display_name) if part)

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def city_in_language(self):
        """The city as the visitor's language names it, where CLDR does (meetings_site.languages)."""
        return city_name(self.city, self.timezone, get_language())

    def search_values(self):
        """The strings the public search reads of this venue (search_text)."""
        return [self.name, self.address, *self.city_in_every_language()]

    def city_in_every_language(self):
        """The city as entered, and as each language of the site names it where CLDR does
        ("Vienna", "Беч", "Dunaj", "Vjenë"), so a search in any of them finds it."""
        names = [self.city]
        for code, _name in settings.LANGUAGES:
            name = city_name(self.city, self.timezone, code)
            if name not in names:
                names.append(name)
        return names

    def fill_search_text(self):
        self.search_text = search.search_text(self.search_values())
        self.city_search_text = search.search_text(self.city_in_every_language())


class PublicPlace(NamedTuple):
    """Where a meeting is, as the public may know it: the one answer for its page, its VEVENT,
    its JSON-LD and its change log. A withheld venue leaves only the city and country."""

    name: str
    address: str
    city: str
    country: "Country"
    withheld: bool

    def __str__(self):
        return ", ".join(part for part in (self.name, self.address, self.city, self.country.display_name) if part)


def public_place(venue, withhold_venue):
    """The PublicPlace of a venue (None when the place is to be confirmed)."""
    if venue is None:
        return None
    if withhold_venue:
        return PublicPlace("", "", venue.city_in_language, venue.country, withheld=True)
    return PublicPlace(venue.name, venue.address, venue.city_in_language, venue.country, withheld=False)


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact dates")
    MONTH = "month", _("Month only")
    UNKNOWN = "unknown", _("Date to be confirmed")


class Status(models.TextChoices):
    TENTATIVE = "tentative", _("Tentative")
    CONFIRMED = "confirmed", _("Confirmed")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


# How a status reads once the meeting is over (Meeting.status_today).
TOOK_PLACE = _("Took place")
DATES_PASSED_UNCONFIRMED = _("Dates passed, never confirmed")


class Publication(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Access(models.TextChoices):
    NOT_STATED = "not_stated", _("Not stated")
    OPEN = "open", _("Open")
    INVITATION = "invitation", _("By invitation")
    CLOSED = "closed", _("Closed")


class Level(models.TextChoices):
    MINISTERIAL = "ministerial", _("Ministerial")
    SENIOR_OFFICIALS = "senior_officials", _("Senior officials")
    EXPERT = "expert", _("Expert")
    WORKING_GROUP = "working_group", _("Working group")


def publicly_visible(prefix="", now=None):
    """The condition for a meeting the public may see: published, and past its publish-at time if
    it has one. prefix reaches the meeting through a relation ("meeting__", "to_meeting__");
    now defaults to the current time (a query built once and run later passes Now())."""
    now = timezone.now() if now is None else now
    return Q(**{f"{prefix}publication": Publication.PUBLISHED}) & (
        Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now})
    )


class ProbedExists(Exists):
    """EXISTS that PostgreSQL checks row by row, through the link table's index.

    Under an OR (the country filter: held in the country, or the country takes part),
    PostgreSQL turns a plain EXISTS into a hashed subplan that first reads every link
    row of the country, even when the page needs 20 meetings. "OFFSET 0" keeps the
    subquery as it is, so each candidate meeting costs one index probe (figures in
    docs/performance.md). SQLite accepts the same SQL.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"


class MeetingQuerySet(models.QuerySet):
    def order_by(self, *field_names):
        """By title means by the English title: the translated columns are empty where a meeting has
        no translation, and a list must come in the same order in every language."""
        english = {"title": "title_en", "-title": "-title_en"}
        return super().order_by(*(english.get(name, name) if isinstance(name, str) else name for name in field_names))

    def published(self, now=None):
        """Meetings the public may see (publicly_visible)."""
        return self.filter(publicly_visible(now=now))

    def dated(self):
        """Meetings whose exact dates are known (only these can be placed in a calendar)."""
        return self.filter(date_precision=DatePrecision.DAY)

    def date_to_be_confirmed(self):
        return self.filter(start_date__isnull=True)

    def month_only(self):
        """Meetings announced for a month, their days not yet known."""
        return self.filter(date_precision=DatePrecision.MONTH)

    def upcoming(self, today=None):
        today = today or timezone.localdate()
        return self.filter(end_date__gte=today).order_by(*UPCOMING_ORDER)

    def past(self, today=None):
        today = today or timezone.localdate()
        return self.filter(end_date__lt=today).order_by(*PAST_ORDER)

    def overlapping(self, first_day, last_day):
        """Meetings that take place on at least one day between first_day and last_day inclusive."""
        return self.filter(start_date__lte=last_day, end_date__gte=first_day)

    def in_languages(self, codes):
        """Meetings whose working languages or interpretation include any of these codes. The columns
        hold space-separated codes: a code is the whole column, or a word at its start, end or middle."""
        condition = Q()
        for code in codes:
            for column in ("working_languages", "interpretation_into"):
                condition |= (
                    Q(**{column: code})
                    | Q(**{f"{column}__startswith": f"{code} "})
                    | Q(**{f"{column}__endswith": f" {code}"})
                    | Q(**{f"{column}__contains": f" {code} "})
                )
        return self.filter(condition)

    def in_countries(self, countries):
        """Meetings held in, or with participants from, any of these countries (a queryset or list)."""
        participating = Meeting.countries.through.objects.filter(meeting=OuterRef("pk"), country__in=countries)
        return self.filter(Q(venue__country__in=countries) | ProbedExists(participating))

    def unique_slug(self, text, *, exclude_pk=None):
        """A slug for ``text`` that no other meeting has: "…-2", "…-3" when taken."""
        return self.unique_slugs([text], exclude_pk=exclude_pk)[0]

    def unique_slugs(self, texts, *, exclude_pk=None):
        """One slug per text, unique among themselves and among the meetings: "…-2", "…-3" when taken.

        A numbered slug of a long title is cut to make room for its number, so it no longer starts
        with the title's full slug: what is taken is read by a shorter stem, or two titles that
        share their first 120 characters would both get "…-2". One query per batch of stems.
        """
        max_length = self.model._meta.get_field("slug").max_length
        bases = []
        for text in texts:
            base = slugify(text)[:max_length].strip("-") or "meeting"
            # /meetings/<year>/ is the year archive: a slug of digits only could never be reached.
            bases.append(f"meeting-{base}"[:max_length] if base.isdigit() else base)
        stems = sorted({base[: max_length - SLUG_NUMBER_ROOM] for base in bases})
        taken = set()
        for first in range(0, len(stems), SLUG_STEMS_PER_QUERY):
            starts = Q()
            for stem in stems[first : first + SLUG_STEMS_PER_QUERY]:
                starts |= Q(slug__startswith=stem)
            taken.update(self.filter(starts).exclude(pk=exclude_pk).values_list("slug", flat=True))
        slugs = []
        for base in bases:
            slug, number = base, 1
            while slug in taken:
                number += 1
                suffix = f"-{number}"
                slug = f"{base[: max_length - len(suffix)]}{suffix}"
            taken.add(slug)
            slugs.append(slug)
        return slugs

    def linked_through(self, link_model, **lookups):
        """Meetings with a row in link_model matching lookups (an organiser, a topic…).

        EXISTS rather than a join: a join repeats a meeting once per matching row and needs
        DISTINCT, which forces PostgreSQL to sort every match before it returns one page.
        """
        return self.filter(Exists(link_model.objects.filter(meeting=OuterRef("pk"), **lookups)))

    def for_listing(self):
        """What a list of meetings reads per row: the meeting and its place. The rest of a list entry
        (its organisers) comes with the entry from events.cache.fragments, fetched only for entries not cached."""
        return self.select_related("venue__country")

    def with_related(self):
        """Everything a meeting page shows: place, organisers, funders, topics, programmes, countries."""
        return self.select_related("venue__country").prefetch_related(
            models.Prefetch("organiser_roles", queryset=MeetingOrganiser.objects.select_related("organisation")),
            models.Prefetch("fundings", queryset=MeetingFunder.objects.select_related("organisation")),
            "topics",
            "programmes",
            "countries",
        )


class Meeting(EnglishColumnsMixin, models.Model):
    """A regional security-cooperation meeting as announced by its organisers."""

    # The fields whose change a calendar client must hear about (iCalendar SEQUENCE).
    SCHEDULE_FIELDS = ("date_precision", "start_date", "end_date", "start_time", "end_time", "venue_id", "status")

    uid = models.UUIDField(
        _("calendar UID"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Never changes: calendar programs recognise the meeting by it."),
    )
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.CharField(
        _("summary"),
        max_length=500,
        blank=True,
        help_text=_("One or two sentences shown in lists and calendar entries."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))

    date_precision = models.CharField(
        _("how precise the date is"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("For “month only”, give any day of the month as start date."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True, help_text=_("Leave empty for a one-day meeting."))
    start_time = models.TimeField(
        _("start time"),
        null=True,
        blank=True,
        help_text=_("Local time at the venue. Leave empty for all-day meetings."),
    )
    end_time = models.TimeField(_("end time"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    status_note = models.CharField(
        _("public note on the status"),
        max_length=300,
        blank=True,
        help_text=_("Shown to the public, e.g. the reason for a cancellation or postponement."),
    )
    publication = models.CharField(
        _("publication"), max_length=10, choices=Publication.choices, default=Publication.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("A published meeting stays hidden until this time. Leave empty to publish at once."),
    )
    access = models.CharField(_("access"), max_length=12, choices=Access.choices, default=Access.NOT_STATED)
    withhold_venue = models.BooleanField(
        _("withhold the venue from the public"),
        default=False,
        help_text=_("For closed or invitation-only meetings: show only the city and country."),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, blank=True)

    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    external_url = models.URLField(_("external link"), blank=True)
    # Space-separated BCP 47 codes of MEETING_LANGUAGES (the admin offers them as checkboxes).
    working_languages = models.CharField(
        _("working languages"),
        max_length=100,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("The languages the meeting is held in."),
    )
    interpretation_into = models.CharField(
        _("interpretation into"),
        max_length=100,
        blank=True,
        validators=[validate_language_codes],
        help_text=_("The languages interpreted into, if any."),
    )
    organisers = models.ManyToManyField(
        Organisation, through="MeetingOrganiser", related_name="organised_meetings", verbose_name=_("organisers")
    )
    funders = models.ManyToManyField(
        Organisation, through="MeetingFunder", related_name="funded_meetings", verbose_name=_("funders")
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="meetings", verbose_name=_("participating countries")
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="meetings", verbose_name=_("topics"))
    programmes = models.ManyToManyField(
        Programme, blank=True, related_name="meetings", verbose_name=_("programmes and frameworks")
    )

    source_uid = models.CharField(
        _("UID in the imported calendar"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("Set by the calendar import, so importing the same calendar again updates this meeting."),
    )
    editor_notes = models.TextField(
        _("editors' notes"),
        blank=True,
        help_text=_("Never shown to the public: sources, inferences, open questions."),
    )
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, editable=False, help_text=_("Generated for load testing; not a real meeting.")
    )
    sequence = models.PositiveIntegerField(
        _("calendar revision"),
        default=0,
        editable=False,
        help_text=_("Raised whenever the date, time, place or status changes, so calendar programs update."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last modified"), auto_now=True)
    # Folded for the public search (events.search), from search_values(); kept by the receivers at
    # the end of this module and by the bulk writes (calendar import, generate_meetings).
    search_text = models.TextField(_("search text"), blank=True, editable=False)

    # Its history (Meeting.history) is registered in events.translation, after the translated columns.
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "start_time", "title_en"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["source_uid"],
                condition=~Q(source_uid=""),
                name="meeting_source_uid_unique",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True, end_date__isnull=True)
                | Q(start_date__isnull=False, end_date__isnull=False, end_date__gte=F("start_date")),
                name="meeting_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(date_precision=DatePrecision.UNKNOWN, start_date__isnull=True)
                | (~Q(date_precision=DatePrecision.UNKNOWN) & Q(start_date__isnull=False)),
                name="meeting_unknown_date_has_no_dates",
            ),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True) | Q(date_precision=DatePrecision.DAY),
                name="meeting_times_need_dates",
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=False),
                name="meeting_end_time_needs_start_time",
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_date__gt=F("start_date")) | Q(end_time__gte=F("start_time")),
                name="meeting_same_day_end_time_not_before_start_time",
            ),
        ]
        indexes = [
            models.Index(fields=["publication", "end_date", "start_date"], name="meeting_public_dates_idx"),
            models.Index(fields=["start_date", "end_date"], name="meeting_dates_idx"),
            # Counts and date bounds of the list's segments (events.public.pagination) over published
            # meetings only, answered from the index alone on PostgreSQL (publish_at included).
            models.Index(
                fields=["end_date", "start_date"],
                include=["publish_at"],
                condition=Q(publication=Publication.PUBLISHED),
                name="meeting_published_dates_idx",
            ),
            # The next scheduled publication (events.cache.version), without reading the table.
            models.Index(fields=["publish_at"], condition=Q(publish_at__isnull=False), name="meeting_scheduled_idx"),
            # The calendar's meetings known only by their month (a bar over the whole month), few among
            # many: without it the month grid read the whole table for them.
            models.Index(
                fields=["start_date", "end_date"],
                condition=Q(date_precision=DatePrecision.MONTH),
                name="meeting_month_only_dates_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.normalise_dates()
        if self.schedule_changed():
            self.sequence += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sequence"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def search_values(self):
        """The strings the public search reads of this meeting: the one place to name them
        (its organisers, funders and venue are searched through their own search_text).
        Every language's text, so a search in any of them finds the meeting."""
        return translated_values(self, ("title", "summary", "description"))

    def fill_search_text(self):
        self.search_text = search.search_text(self.search_values())

    # --- Derived facts ---------------------------------------------------

    @property
    def working_language_codes(self):
        return self.working_languages.split()

    @property
    def interpretation_codes(self):
        return self.interpretation_into.split()

    @property
    def language_codes(self):
        """Every language the meeting can be followed in, each once: its working languages first."""
        return list(dict.fromkeys(self.working_language_codes + self.interpretation_codes))

    def languages_in_words(self):
        """ "English, with interpretation into Albanian and Macedonian", in the active language."""
        interpretation = self.interpretation_codes
        if not interpretation:
            return language_names(self.working_language_codes) if self.working_languages else ""
        into = language_names(interpretation)
        if not self.working_language_codes:
            return INTERPRETATION_ONLY % {"interpretation": into}
        return WITH_INTERPRETATION % {"languages": language_names(self.working_language_codes), "interpretation": into}

    @property
    def is_published(self):
        return self.publication == Publication.PUBLISHED and (
            self.publish_at is None or self.publish_at <= timezone.now()
        )

    @property
    def is_cancelled(self):
        return self.status == Status.CANCELLED

    @property
    def is_timed(self):
        return self.start_time is not None

    @property
    def is_multi_day(self):
        return self.start_date is not None and self.end_date != self.start_date

    @property
    def timezone_name(self):
        return self.venue.timezone if self.venue_id else DEFAULT_TIMEZONE

    def status_today(self):
        """The status as it reads today: once a meeting's last day is over, "Took place" rather than
        "Confirmed". Cancelled and postponed say so for good. Pages and feeds carrying it are keyed
        on the day (events.cache), so it changes at midnight."""
        if self.end_date is None or not dates.last_day_over(self.end_date, self.timezone_name):
            return self.get_status_display()
        return {Status.CONFIRMED: TOOK_PLACE, Status.TENTATIVE: DATES_PASSED_UNCONFIRMED}.get(
            self.status, self.get_status_display()
        )

    @property
    def public_venue(self):
        """The venue as the public may see it: None when the editor withheld it."""
        return None if self.withhold_venue else self.venue

    @cached_property
    def public_place(self):
        return public_place(self.venue if self.venue_id else None, self.withhold_venue)

    @property
    def public_city(self):
        """The city is public even when the venue itself is withheld."""
        return self.venue.city_in_language if self.venue_id else ""

    @property
    def public_country(self):
        return self.venue.country if self.venue_id else None

    @property
    def is_month_only(self):
        return self.date_precision == DatePrecision.MONTH

    @property
    def shows_status(self):
        """Postponed and cancelled meetings carry their status prominently wherever they are listed."""
        return self.status in (Status.POSTPONED, Status.CANCELLED)

    @property
    def organiser_short_names(self):
        """Each organising body once, in the editors' order (one body can both host and chair)."""
        names = {}
        for role in self.organiser_roles.all():
            names.setdefault(role.organisation_id, role.organisation.short_name)
        return list(names.values())

    def mentions_designated_country(self):
        """True when the meeting's place or participants include a country shown with the designation footnote.

        Reads the prefetched countries (see MeetingQuerySet.with_related), so it costs no query in lists.
        """
        country = self.public_country
        if country is not None and country.needs_designation:
            return True
        return any(country.needs_designation for country in self.countries.all())

    def start_datetime(self):
        """Aware start of a timed meeting in the venue's zone, else None."""
        if not self.is_timed:
            return None
        tz = zoneinfo.ZoneInfo(self.timezone_name)
        return datetime.datetime.combine(self.start_date, self.start_time, tzinfo=tz)

    def end_datetime(self):
        """Aware end of a timed meeting; a timed meeting without end time ends when it starts."""
        if not self.is_timed:
            return None
        tz = zoneinfo.ZoneInfo(self.timezone_name)
        return datetime.datetime.combine(self.end_date, self.end_time or self.start_time, tzinfo=tz)

    # --- Validation and saving --------------------------------------------

    def normalise_dates(self):
        """Fill in what the editor may leave implicit: one-day ends, whole months."""
        if self.date_precision == DatePrecision.MONTH and self.start_date:
            last_day = calendar.monthrange(self.start_date.year, self.start_date.month)[1]
            self.start_date = self.start_date.replace(day=1)
            self.end_date = self.start_date.replace(day=last_day)
        elif self.start_date and self.end_date is None:
            self.end_date = self.start_date

    def clean(self):
        super().clean()
        errors = {}
        if self.date_precision == DatePrecision.UNKNOWN:
            if self.start_date or self.end_date:
                errors["date_precision"] = UNKNOWN_DATE_WITH_DATES
        elif self.start_date is None:
            errors["start_date"] = START_DATE_REQUIRED
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = END_BEFORE_START
        if (self.start_time or self.end_time) and (self.start_date is None or self.date_precision != DatePrecision.DAY):
            errors.setdefault("start_time", TIME_WITHOUT_DATE)
        elif self.end_time and not self.start_time:
            errors["end_time"] = END_TIME_WITHOUT_START_TIME
        elif (
            self.start_time
            and self.end_time
            and (self.end_date is None or self.end_date == self.start_date)
            and self.end_time < self.start_time
        ):
            errors["end_time"] = END_TIME_BEFORE_START_TIME
        if self.withhold_venue and self.access not in (Access.CLOSED, Access.INVITATION):
            errors["withhold_venue"] = WITHHOLD_VENUE_ON_OPEN
        if self.slug.isdigit():
            # /meetings/<year>/ is the year archive: such a meeting page could never be reached.
            errors["slug"] = SLUG_ONLY_DIGITS
        if errors:
            raise ValidationError(errors)
        self.normalise_dates()

    def schedule_changed(self):
        """True when a saved meeting's date, time, place or status differs from the database.

        Also keeps what was stored of its publication, ``stored_publication`` (publication, publish_at),
        None for a new meeting: whether the public could see the meeting before this write decides
        whether the write moves the public versions (events.cache.invalidation), and this read is
        already being made."""
        self.stored_publication = None
        if self.pk is None:
            return False
        fields = (*self.SCHEDULE_FIELDS, "publication", "publish_at")
        stored = type(self).objects.filter(pk=self.pk).values(*fields).first()
        if stored is None:
            return False
        self.stored_publication = (stored["publication"], stored["publish_at"])
        return any(stored[field] != getattr(self, field) for field in self.SCHEDULE_FIELDS)

    @cached_property
    def change_log(self):
        """Public changes of date, place and status, newest first (see events.changelog)."""
        from events.changelog import change_log  # changelog reads this module's models

        return change_log(self)

    # --- Links ------------------------------------------------------------

    def linked_meetings(self):
        """Back-to-back and related meetings seen from this meeting, in date order.

        Returns (label, meeting) pairs; the label reads from this meeting's side.
        """
        outgoing = self.links_from.select_related("to_meeting")
        incoming = self.links_to.select_related("from_meeting")
        pairs = [(link.get_kind_display(), link.to_meeting) for link in outgoing]
        pairs += [(link.reverse_label, link.from_meeting) for link in incoming]
        return sorted(pairs, key=lambda pair: (pair[1].start_date or datetime.date.max, pair[1].title))

    def public_linked_meetings(self):
        """linked_meetings() without the drafts the public may not see."""
        return [(label, meeting) for label, meeting in self.linked_meetings() if meeting.is_published]

    def back_to_back_cluster(self, max_hops=MAX_CLUSTER_HOPS):
        """The published meetings joined to this one by chains of back-to-back links, in date order.

        Walks the links one hop per query (both directions at once), at most max_hops hops, so a page
        costs a bounded number of queries however the links are drawn. Includes this meeting.
        Drafts neither appear nor carry the chain: a cluster must not reveal what is unpublished.
        """
        back_to_back = BackToBack.objects.filter(kind=LinkKind.BACK_TO_BACK)
        seen = {self.pk}
        frontier = {self.pk}
        for _hop in range(max_hops):
            # The far end's visibility joined row by row: "IN (every published meeting)" made
            # PostgreSQL read the whole published set for a handful of links.
            edges = back_to_back.filter(
                (Q(from_meeting__in=frontier) & publicly_visible("to_meeting__"))
                | (Q(to_meeting__in=frontier) & publicly_visible("from_meeting__"))
            ).values_list("from_meeting", "to_meeting")
            reached = {pk for edge in edges for pk in edge} - seen
            if not reached:
                break
            seen |= reached
            frontier = reached
        if len(seen) == 1:
            return [self]
        members = Meeting.objects.published().filter(pk__in=seen).select_related("venue__country")
        # Sorted here so meetings without a date come last on every database (NULLs sort differently).
        return sorted(
            members,
            key=lambda meeting: (
                meeting.start_date or datetime.date.max,
                meeting.start_time or datetime.time.min,
                meeting.title_en or "",
            ),
        )


def linked_to_public_meetings(queryset, link_model, column):
    """Those of queryset (topics, programmes) linked through link_model to a meeting the public may
    see: a draft must not name them. EXISTS, not a join with DISTINCT, as in linked_through."""
    links = link_model.objects.filter(**{column: OuterRef("pk")})
    # Now(), read by the database at query time: the filter's choice querysets are built once, at import.
    return queryset.filter(Exists(links.filter(publicly_visible("meeting__", now=Now()))))


class OrganiserRole(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    CO_ORGANISER = "co_organiser", _("Co-organiser")
    HOST = "host", _("Host")
    CHAIR = "chair", _("Chair")
    CO_CHAIR = "co_chair", _("Co-chair")
    IN_COOPERATION_WITH = "in_cooperation_with", _("In cooperation with")
    SECRETARIAT = "secretariat", _("Secretariat")


class OrganisationLinkQuerySet(models.QuerySet):
    """Questions about the bodies on the far side of organiser or funder links: the roles live here,
    with the links, so the organisations app knows nothing of meetings."""

    def organisations(self, *, public=False):
        """Bodies with at least one such link; with public, to a meeting the public may see (a draft
        must not name its partner). EXISTS, not a join with DISTINCT, for the reason in linked_through."""
        links = self.filter(organisation=OuterRef("pk"))
        if public:
            # Now(), read by the database at query time: the filter's choice querysets are built once, at import.
            links = links.filter(publicly_visible("meeting__", now=Now()))
        return Organisation.objects.filter(Exists(links))

    def organisations_with_public_meeting_counts(self):
        """Bodies annotated with public_meeting_count; those with none are left out, so a draft
        never shows through a count."""
        relation = self.model.MEETINGS_RELATION
        return (
            Organisation.objects.annotate(
                public_meeting_count=Count(relation, filter=publicly_visible(f"{relation}__"), distinct=True)
            )
            .filter(public_meeting_count__gt=0)
            .order_by("name_en")
        )


class MeetingOrganiser(models.Model):
    """An organisation's role in a meeting: organiser, host, chair and so on."""

    # The organisation's side of this link (Meeting.organisers' related_name).
    MEETINGS_RELATION = "organised_meetings"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="organiser_roles")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="organiser_roles"
    )
    role = models.CharField(_("role"), max_length=30, choices=OrganiserRole.choices, default=OrganiserRole.ORGANISER)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = OrganisationLinkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("organiser role")
        verbose_name_plural = _("organisers and their roles")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation", "role"], name="meeting_organiser_role_unique"),
        ]

    def __str__(self):
        return f"{self.organisation.short_name} ({self.get_role_display()})"


class MeetingFunder(models.Model):
    """An organisation funding a meeting, optionally through a named instrument or grant."""

    MEETINGS_RELATION = "funded_meetings"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="fundings")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="fundings"
    )
    instrument = models.CharField(
        _("instrument or grant"),
        max_length=250,
        blank=True,
        help_text=_("E.g. “PCIB Grant”, “Internal Security Fund (ISF)”."),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = OrganisationLinkQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("funding")
        verbose_name_plural = _("funders and their instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation", "instrument"], name="meeting_funder_instrument_unique"
            ),
        ]

    def __str__(self):
        if self.instrument:
            return f"{self.organisation.short_name} – {self.instrument}"
        return self.organisation.short_name


class LinkKind(models.TextChoices):
    BACK_TO_BACK = "back_to_back", _("Back-to-back with")
    SIDE_EVENT = "side_event", _("Side event")
    STUDY_VISIT = "study_visit", _("Study visit")
    FRAMEWORK = "framework", _("Held within the framework of")


# How a link reads from the meeting at its far end.
REVERSE_LINK_LABELS = {
    LinkKind.BACK_TO_BACK: _("Back-to-back with"),
    LinkKind.SIDE_EVENT: _("Side event of"),
    LinkKind.STUDY_VISIT: _("Study visit during"),
    LinkKind.FRAMEWORK: _("Frames"),
}


class BackToBack(models.Model):
    """A link between two meetings: back to back, a side event, a study visit, or a framework."""

    from_meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="links_from"
    )
    to_meeting = models.ForeignKey(
        Meeting, verbose_name=_("linked meeting"), on_delete=models.CASCADE, related_name="links_to"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices, default=LinkKind.BACK_TO_BACK)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("linked meeting")
        verbose_name_plural = _("back-to-back and related meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(from_meeting=F("to_meeting")), name="backtoback_not_to_itself"),
            models.UniqueConstraint(
                Least("from_meeting", "to_meeting"),
                Greatest("from_meeting", "to_meeting"),
                name="backtoback_pair_unique",
                violation_error_message=LINK_DUPLICATE,
            ),
        ]

    def __str__(self):
        return f"{self.from_meeting} → {self.to_meeting} ({self.get_kind_display()})"

    @property
    def reverse_label(self):
        return REVERSE_LINK_LABELS[LinkKind(self.kind)]

    def clean(self):
        super().clean()
        if self.from_meeting_id and self.from_meeting_id == self.to_meeting_id:
            raise ValidationError({"to_meeting": LINK_TO_ITSELF})
        if self.from_meeting_id and self.to_meeting_id:
            pair = Q(from_meeting=self.from_meeting_id, to_meeting=self.to_meeting_id) | Q(
                from_meeting=self.to_meeting_id, to_meeting=self.from_meeting_id
            )
            if BackToBack.objects.filter(pair).exclude(pk=self.pk).exists():
                raise ValidationError({"to_meeting": LINK_DUPLICATE})


class DataVersion(models.Model):
    """The calendar's version, one row: the source of truth behind events.cache.version.

    ``version`` moves on every public change and keys pages and ETags; ``pieces_version`` moves
    when something many calendar entries show changes. The cache only holds a short-lived copy.
    """

    version = models.CharField(_("version"), max_length=32)
    pieces_version = models.CharField(_("calendar entries version"), max_length=32, default="0")
    changed_at = models.DateTimeField(_("changed at"))
    next_publish_at = models.DateTimeField(
        _("next scheduled publication"),
        null=True,
        blank=True,
        help_text=_("When a meeting published for later appears: the version changes then, though nothing is saved."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class CalendarImport(models.Model):
    """One calendar import an editor asked for: the file, how far it got, and what came of it.

    A row in the database rather than a queue, so any app server shows any import's result and a
    job lost with its process is visible (events.calendar.import_jobs marks it failed).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=500, help_text=_("The file's name or the calendar's address."))
    data = models.BinaryField(_("calendar file"), blank=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # counts, skipped events and notes (ImportResult.as_dict), or {"error": message}.
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar import")
        verbose_name_plural = _("calendar imports")

    def __str__(self):
        return f"{self.source} ({self.get_state_display()})"


# --- Search text ------------------------------------------------------------------


@receiver(pre_save, sender=Meeting, dispatch_uid="meeting-search-text")
@receiver(pre_save, sender=Venue, dispatch_uid="venue-search-text")
@receiver(pre_save, sender=Organisation, dispatch_uid="organisation-search-text")
def fill_search_text(sender, instance, **kwargs):
    """Fold what the search reads before every save, raw ones too (loaddata of the seed saves raw).

    Organisations are folded here, not in their app, which knows nothing of the search."""
    if isinstance(instance, Organisation):
        instance.search_text = search.search_text(instance.search_values())
    else:
        instance.fill_search_text()


@receiver(post_save, sender=Meeting, dispatch_uid="meeting-search-text-fields")
@receiver(post_save, sender=Venue, dispatch_uid="venue-search-text-fields")
@receiver(post_save, sender=Organisation, dispatch_uid="organisation-search-text-fields")
def save_search_text(sender, instance, update_fields=None, raw=False, **kwargs):
    """A save of named fields leaves search_text out unless named: write it apart, so it never
    falls behind what it was folded from."""
    if raw or update_fields is None or "search_text" in update_fields:
        return
    names = [field.name for field in sender._meta.concrete_fields if field.name.endswith("search_text")]
    sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).update(
        **{name: getattr(instance, name) for name in names}
    )


# --- Proposals from the public -------------------------------------------------------

DECLINE_NEEDS_REASON = _("Give the reason for declining: the proposer is told it.")


class ProposalQuerySet(models.QuerySet):
    def from_client(self, client_key, since):
        """Proposals sent from one client address (its keyed hash) since a time: the rate limit."""
        return self.filter(client_key=client_key, created_at__gte=since)

    def queue_order(self):
        return self.order_by(*proposal_queue_order())


def proposal_queue_order():
    """Pending first (oldest first, as they came), then the decided ones, latest decision first."""
    pending_first = models.Case(models.When(state="pending", then=0), default=1)
    return (pending_first, F("decided_at").desc(nulls_last=True), "created_at", "pk")


class Proposal(models.Model):
    """A meeting proposed by a partner without an account, waiting for an editor to publish or decline it.

    The proposer's name and e-mail are for the editors only: no public page, feed or export reads
    this table, and the drafted meetings do not carry them.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an editor")
        PUBLISHED = "published", _("Published")
        DECLINED = "declined", _("Declined")

    class Kind(models.TextChoices):
        SHORT_FORM = "form", _("Short form")
        ANNOUNCEMENT = "announcement", _("Pasted announcement")

    meetings = models.ManyToManyField(
        Meeting,
        blank=True,
        related_name="proposals",
        verbose_name=_("drafted meetings"),
        help_text=_("The drafts made from the proposal; a pasted announcement can give several."),
    )
    kind = models.CharField(_("sent as"), max_length=12, choices=Kind.choices, default=Kind.SHORT_FORM)
    proposer_name = models.CharField(_("proposer's name"), max_length=200)
    proposer_email = models.EmailField(_("proposer's e-mail"))
    message = models.TextField(_("message to the editors"), blank=True)
    announcement = models.TextField(_("pasted announcement"), blank=True)
    # The proposer's language: the e-mails about the decision are written in it.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, help_text=_("Sent to the proposer in the e-mail that declines it.")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # A keyed hash of the client's address, never the address: enough to count its proposals.
    client_key = models.CharField(_("client key"), max_length=64, editable=False, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""), name="proposal_declined_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["client_key", "created_at"], name="proposal_client_time_idx")]

    def __str__(self):
        return _("Proposal by %(name)s (%(state)s)") % {"name": self.proposer_name, "state": self.get_state_display()}

    def clean(self):
        if self.state == self.State.DECLINED and not self.decline_reason.strip():
            raise ValidationError({"decline_reason": DECLINE_NEEDS_REASON})
