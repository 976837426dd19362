"""The one FilterSet behind the meeting list, its archives and the calendar feeds.

A filtered list page and its calendar subscription take the same query
parameters, so what a visitor sees is what a subscriber gets.
"""

import datetime
import re
from urllib.parse import parse_qsl

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import QueryDict
from django.utils.formats import get_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from events import search
from events.models import (
    Country,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Status,
    Topic,
    language_choices,
    linked_to_public_meetings,
)
from events.search import search_terms
from organisations.models import Programme

# For each related filter: the table linking a meeting to what the filter chooses, and its column.
LINK_TABLES = {
    "organiser": (MeetingOrganiser, "organisation"),
    "funder": (MeetingFunder, "organisation"),
    "programme": (Meeting.programmes.through, "programme"),
    "topic": (Meeting.topics.through, "topic"),
}


# Each word of a search adds six terms to the query (three columns, organisers, funders, city):
# a real search is a few words, and words past these add cost, not precision.
MAX_SEARCH_WORDS = 6


def search_words(text, split=str.split):
    """The words of a search that count: each once (whatever its case), the first MAX_SEARCH_WORDS.

    ``split``: how the search box splits its text (the admin's keeps quoted phrases: smart_split)."""
    words = {}
    for word in split(text):
        words.setdefault(word.lower(), word)
    return list(words.values())[:MAX_SEARCH_WORDS]


# A numeric, day-first input format ("%d.%m.%Y."): the one a visitor is shown as the example.
DAY_FIRST_FORMAT = re.compile(r"^%d\W+%m\W+%Y\W*$")
EXAMPLE_DATE = datetime.date(2019, 4, 23)


def date_input_formats():
    """The active language's date input formats (Django adds ISO yyyy-mm-dd to every language's)."""
    return list(get_format("DATE_INPUT_FORMATS"))


def date_display_format():
    """How a date is written back into the form and shown as the example: the language's numeric,
    day-first input format where it has one (Croatian "23.04.2019."), else the first (ISO for English)."""
    formats = date_input_formats()
    return next((fmt for fmt in formats if DAY_FIRST_FORMAT.match(fmt)), formats[0])


def date_example():
    """A date as the visitor is asked to type it (the form's hint)."""
    return EXAMPLE_DATE.strftime(date_display_format())


def parse_date_input(value):
    """The date a visitor typed, in any of the language's input formats, or None.

    A final dot is optional either way: Croatian and Serbian write "23.04.2019." and people often
    leave the dot out, where Macedonian and Slovenian write none."""
    value = value.strip()
    candidates = dict.fromkeys([value, value.rstrip("."), f"{value}."])
    for candidate in candidates:
        for fmt in date_input_formats():
            try:
                return datetime.datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
    return None


class LocalDateField(forms.DateField):
    """A date typed as the visitor's language writes it, or as yyyy-mm-dd."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            day = parse_date_input(value)
            if day is not None:
                return day
        return super().to_python(value)


class LocalDateInput(forms.DateInput):
    """A plain text box (a browser's date box shows its own mm/dd/yyyy whatever the site's
    language) showing a date in the language's format, with that format as a hint."""

    input_type = "text"

    def format_value(self, value):
        # Bound to the canonical filter, whose dates are ISO: shown as the visitor's language writes them.
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return value  # what the visitor typed, to correct it
        if isinstance(value, datetime.date):
            return value.strftime(date_display_format())
        return super().format_value(value)


class LocalDateFilter(django_filters.DateFilter):
    field_class = LocalDateField


def chosen(value):
    """True when a multiple-choice filter has values. Its empty value is an empty QuerySet, and
    `not value` would run it (a query compiled per filter, per page)."""
    if isinstance(value, QuerySet):
        return not value.query.is_empty()
    return bool(value)


class MeetingFilter(django_filters.FilterSet):
    # Checkboxes rather than multiple-select boxes: usable without a mouse or modifier keys.
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # Related filters test EXISTS in the link table (MeetingQuerySet.linked_through), never a join.
    organiser = django_filters.ModelMultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=_("Organiser"),
        to_field_name="slug",
        queryset=MeetingOrganiser.objects.organisations(public=True),
        method="filter_linked",
    )
    funder = django_filters.ModelMultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=_("Funder"),
        to_field_name="slug",
        queryset=MeetingFunder.objects.organisations(public=True),
        method="filter_linked",
    )
    programme = django_filters.ModelMultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=_("Programme"),
        to_field_name="slug",
        queryset=linked_to_public_meetings(Programme.objects.all(), *LINK_TABLES["programme"]),
        method="filter_linked",
    )
    topic = django_filters.ModelMultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=_("Topic"),
        to_field_name="slug",
        queryset=linked_to_public_meetings(Topic.objects.all(), *LINK_TABLES["topic"]),
        method="filter_linked",
    )
    country = django_filters.ModelMultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        label=_("Country"),
        to_field_name="code",
        queryset=Country.objects.all(),
        method="filter_country",
        help_text=_("Where the meeting is held or who takes part."),
    )
    city = django_filters.CharFilter(label=_("City"), method="filter_city", max_length=100)
    date_from = LocalDateFilter(
        label=_("From"),
        field_name="end_date",
        lookup_expr="gte",
        widget=LocalDateInput(attrs={"autocomplete": "off"}),
    )
    date_to = LocalDateFilter(
        label=_("To"),
        field_name="start_date",
        lookup_expr="lte",
        widget=LocalDateInput(attrs={"autocomplete": "off"}),
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    # Named in the visitor's language when the form is drawn (a callable: the filter is built once).
    language = django_filters.MultipleChoiceFilter(
        label=_("Language"),
        choices=language_choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_language",
        help_text=_("Held in it, or interpreted into it."),
    )

    class Meta:
        model = Meeting
        fields = [
            "q",
            "organiser",
            "funder",
            "programme",
            "topic",
            "country",
            "city",
            "date_from",
            "date_to",
            "status",
            "language",
        ]

    def queryset_without(self, queryset, skipped):
        """queryset filtered by every valid active filter but ``skipped``: what a facet counts on.

        From the cleaned values already read, so no choice is validated (queried) again."""
        values = self.form.cleaned_data if self.is_bound else {}
        for name, value in values.items():
            if name != skipped:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_text(self, queryset, name, value):
        """Meetings where every word of the search is found: in the meeting's text, an organiser's
        or funder's name, or its place (the venue's name and address only when not withheld).

        Both sides are folded by events.search.normalise, so any script or spelling of a word meets
        the stored one: a plain, case-sensitive substring test on the folded columns, the same on
        SQLite and PostgreSQL (where they carry trigram indexes)."""
        for term in search_terms(search_words(value)):
            named = Q(organisation__search_text__contains=term)
            queryset = queryset.filter(
                Q(search_text__contains=term)
                | Exists(MeetingOrganiser.objects.filter(named, meeting=OuterRef("pk")))
                | Exists(MeetingFunder.objects.filter(named, meeting=OuterRef("pk")))
                | Q(venue__city_search_text__contains=term)
                | Q(venue__search_text__contains=term, withhold_venue=False)
            )
        return queryset

    def filter_linked(self, queryset, name, value):
        """Meetings linked to any of the chosen organisations, programmes or topics."""
        if not chosen(value):
            return queryset
        table, column = LINK_TABLES[name]
        return queryset.linked_through(table, **{f"{column}__in": value})

    def filter_language(self, queryset, name, value):
        """Meetings held in, or interpreted into, any of the chosen languages."""
        if not chosen(value):
            return queryset
        return queryset.in_languages(value)

    def filter_city(self, queryset, name, value):
        """The city in any script or language the visitor types ("Beograd", "Београд", "Belgrade"):
        the whole name, among the venue's folded city names (events.search)."""
        city = search.normalise(value)
        if not city:
            return queryset
        # Each stored name is separated by spaces: padding both sides matches whole names only.
        padded = Concat(Value(" "), "venue__city_search_text", Value(" "), output_field=models.TextField())
        return queryset.alias(padded_city=padded).filter(padded_city__contains=f" {city} ")

    def filter_country(self, queryset, name, value):
        if not chosen(value):
            return queryset
        return queryset.in_countries(value)


PAGE_PARAM = "page"
DATE_PARAMS = frozenset({"date_from", "date_to"})


def canonical_date(value):
    """A date in any of the active language's input formats as ISO yyyy-mm-dd; anything else as it came
    (the form then says what is wrong with it)."""
    day = parse_date_input(value)
    return day.isoformat() if day is not None else value


def empty_parameters(query_string):
    """The query string's pairs without the empty ones (?q=&city=), in their order; None when there
    are none to drop. A form sends its empty fields; a shared address should not carry them."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if value.strip()]
    return None if len(kept) == len(pairs) else urlencode(kept)


class MeetingQuery:
    """A request's filter in its one canonical form: the parameters MeetingFilter knows, each
    value stripped, empty ones dropped, repeated ones once, in a fixed order.

    Everything that depends on which meetings a request selects is keyed on this: the page
    cache, the counts, the filter form, feed ETags and bodies, the subscription links. Tracking
    and unknown parameters (?utm_source=…) are not part of it, so they neither change an answer
    nor make the cache hold another copy of one.
    """

    PARAMS = tuple(MeetingFilter.base_filters)
    MULTIPLE = frozenset(
        name
        for name, field in MeetingFilter.base_filters.items()
        if isinstance(field, django_filters.MultipleChoiceFilter)
    )

    def __init__(self, data, *, period=None):
        pairs = []
        for name in self.PARAMS:
            values = [value.strip() for value in data.getlist(name) if value.strip()]
            if name not in self.MULTIPLE:
                values = values[-1:]  # as QueryDict.get: the last one counts
            if name in DATE_PARAMS:
                # One date, one filter: "23.04.2019" on a Croatian page is 2019-04-23 everywhere
                # (the chips, the cache, the feed a visitor subscribes to, in any language).
                values = [canonical_date(value) for value in values]
            if name == "q":
                # The words that count, so "a a A" and "a" are one search, one cache entry, one cost.
                values = [" ".join(search_words(value)) for value in values]
            pairs += [(name, value) for value in sorted(set(values))]
        self.pairs = tuple(pairs)
        page = (data.get(PAGE_PARAM) or "").strip()
        self.page = "" if page == "1" else page
        # (first day, last day) of a year or month archive, whose period is in its path.
        self.period = period

    @classmethod
    def from_request(cls, request, period=None):
        return cls(request.GET, period=period)

    def querydict(self):
        """The filter's data, to bind a MeetingFilter to."""
        data = QueryDict(mutable=True)
        for name, value in self.pairs:
            data.appendlist(name, value)
        return data

    @property
    def filter_key(self):
        """What selects the meetings, whatever page of them is shown."""
        return urlencode(self.pairs)

    @property
    def key(self):
        """What a list page shows: the filter and the page."""
        return urlencode([*self.pairs, (PAGE_PARAM, self.page)] if self.page else self.pairs)

    def subscription_pairs(self):
        """The feed that holds what this page lists: an archive's period becomes its dates.

        A feed holds every meeting its filter selects (up to events.calendar.assembly.FEED_LIMIT,
        the newest), as the list does: no window of its own, so the two never disagree.
        """
        pairs = dict.fromkeys(self.pairs)
        names = {name for name, _ in self.pairs}
        if self.period is not None:
            first_day, last_day = self.period
            if "date_from" not in names:
                pairs[("date_from", first_day.isoformat())] = None
            if "date_to" not in names:
                pairs[("date_to", last_day.isoformat())] = None
        return tuple(sorted(pairs))

    def with_page(self, number):
        """The query string of another page of the same list."""
        pairs = [*self.pairs, (PAGE_PARAM, str(number))] if str(number) != "1" else self.pairs
        return urlencode(pairs)

    def without(self, name, value=None):
        """The query string of the same list without one value of a filter (all of it when value is None)."""
        return urlencode([(n, v) for n, v in self.pairs if not (n == name and (value is None or v == value))])
