"""Counts beside the filter form's options: how many published meetings the list would show with each.

The standard faceting rule: an option's count applies every other active filter, not its own
filter's other choices (choices within one filter mean "either"), so ticking a second topic
never shows a count that ticking it cannot reach. The list pages count from the FacetIndex
(bitsets of every published meeting, read once per data version for the whole site); without an
index, one query per filter: a correlated COUNT per choice of a related filter, status in one
grouped COUNT, languages in one query of conditional counts. Past FACET_COUNTS_MAX_MEETINGS
nothing is counted. The form is rendered once per filter, language and data version
(events.cache.fragments.rendered_once), so any publication or edit gives new counts.
"""

import bisect
import datetime
import operator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django_filters import ModelMultipleChoiceFilter

from events.filters import LINK_TABLES, MeetingFilter, chosen, date_example
from events.models import Meeting

# Options shown before a long list's "Show all" disclosure.
VISIBLE_OPTIONS = 8
# From this many options on, a list gets a box that finds an option by name (static/js/filters.js).
SEARCHABLE_FROM = 10
CHECKBOX_FILTERS = ("organiser", "funder", "programme", "topic", "country", "status", "language")


class CountOf(Func):
    """COUNT(…) of a subquery's rows without a GROUP BY: the subquery answers one number."""

    function = "COUNT"
    output_field = IntegerField()


class CountDistinctOf(Func):
    template = "COUNT(DISTINCT %(expressions)s)"
    output_field = IntegerField()


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool
    count: int | None  # None: not counted (the form has errors)


@dataclass
class Facet:
    name: str
    bound_field: object
    options: list = field(default_factory=list)

    @property
    def visible(self):
        return self.options[:VISIBLE_OPTIONS] if self.has_more else self.options

    @property
    def more(self):
        return self.options[VISIBLE_OPTIONS:] if self.has_more else []

    @property
    def has_more(self):
        # A disclosure hiding one or two options saves nothing.
        return len(self.options) > VISIBLE_OPTIONS + 2

    @property
    def more_open(self):
        """A chosen option is never hidden."""
        return any(option.checked for option in self.more)

    @property
    def searchable(self):
        return len(self.options) >= SEARCHABLE_FROM


def linked_counts(choices, name, meetings):
    """The choices of an organiser, funder, programme or topic filter, each with facet_count.

    ``meetings``: the list's meetings, filtered by every other filter."""
    table, column = LINK_TABLES[name]
    links = table.objects.filter(**{column: OuterRef("pk")}, meeting__in=meetings.values("pk")).order_by()
    # One body can hold several roles in one meeting: each meeting counts once.
    count = links.annotate(n=CountDistinctOf("meeting")).values("n")
    return choices.annotate(facet_count=Coalesce(Subquery(count), 0))


def country_counts(choices, meetings):
    """Countries, each with facet_count: meetings held there or with participants from there (in_countries)."""
    taking_part = Meeting.countries.through.objects.filter(meeting=OuterRef("pk"), country=OuterRef(OuterRef("pk")))
    there = meetings.filter(Q(venue__country=OuterRef("pk")) | Exists(taking_part))
    count = there.order_by().annotate(n=CountOf("pk")).values("n")
    return choices.annotate(facet_count=Coalesce(Subquery(count), 0))


def status_counts(meetings):
    rows = meetings.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def language_condition(code):
    """The same test as MeetingQuerySet.in_languages, for one code, as a condition to count by."""
    condition = Q()
    for column in ("working_languages", "interpretation_into"):
        condition |= (
            Q(**{column: code})
            | Q(**{f"{column}__startswith": f"{code} "})
            | Q(**{f"{column}__endswith": f" {code}"})
            | Q(**{f"{column}__contains": f" {code} "})
        )
    return condition


def language_counts(codes, meetings):
    counts = {f"n_{index}": Count("pk", filter=language_condition(code)) for index, code in enumerate(codes)}
    row = meetings.order_by().aggregate(**counts)
    return {code: row[f"n_{index}"] for index, code in enumerate(codes)}


def rows(queryset, *fields):
    """The queryset's values of these fields as plain tuples, read by the database driver alone: the
    index below reads about a million link rows, and Django's row iteration doubled that time."""
    queryset = queryset.values_list(*fields).order_by()
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    # The SQL's columns come in the order Django chose (modeltranslation reorders them).
    columns = [alias for _expression, _sql, alias in compiler.select]
    order = [columns.index(name) for name in fields]
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if order == sorted(order):
        return found
    pick = operator.itemgetter(*order)
    return [pick(row) for row in found]


# Filters the index does not hold: the meetings they keep are read from the database, once per form.
TEXT_FILTERS = ("q", "city")


class FacetIndex:
    """Every published meeting's filter values as bitsets, one per choice: a facet count is the
    bit count of two ANDed integers, where SQL counted the matching meetings once per choice
    (at 100,000 meetings, about two seconds for a filter no cache had seen).

    A meeting's bit is its position in the order of end dates (to be confirmed first), so "ends on
    or after a day" (date_from, and the start of an archive's period) is a range of bits; "starts
    on or before a day" (date_to) is a range too but for the meetings under way on that day.

    Read once per data version and process (events.cache.fragments.held): it reads what
    MeetingQuerySet.published() and the filter methods of events.filters read, in Python.
    The search (q) and the city are not indexed: the meetings they keep are read by one query each.
    """

    def __init__(self, meetings, links, options=None):
        # meetings: (pk, start_date, end_date, status, venue country, working languages, interpretation)
        ordered = sorted(meetings, key=lambda row: (row[2] is not None, row[2] or datetime.date.min, row[0]))
        self.size = len(ordered)
        self.everything = (1 << self.size) - 1
        self.undated = sum(1 for row in ordered if row[2] is None)
        self.end_days = [row[2].toordinal() for row in ordered[self.undated :]]
        self.start_days = [row[1].toordinal() for row in ordered[self.undated :]]
        self.longest = max((end - start for start, end in zip(self.start_days, self.end_days, strict=True)), default=0)
        self.position = position = {row[0]: index for index, row in enumerate(ordered)}
        width = self.size // 8 + 1
        bits = {}
        for at, (_pk, _start, _end, status, country, working, interpreted) in enumerate(ordered):
            # As MeetingQuerySet.in_languages: a code is a whole space-separated word of either column.
            codes = {*working.split(" "), *interpreted.split(" ")} - {""}
            for name, value in [("status", status), ("country", country), *(("language", code) for code in codes)]:
                if value is not None:
                    bitmap = bits.get((name, value))
                    if bitmap is None:
                        bitmap = bits[name, value] = bytearray(width)
                    bitmap[at >> 3] |= 1 << (at & 7)
        for name, pairs in links.items():
            for meeting, value in pairs:
                at = position.get(meeting)
                if at is None:
                    continue  # a draft's link
                bitmap = bits.get((name, value))
                if bitmap is None:
                    bitmap = bits[name, value] = bytearray(width)
                bitmap[at >> 3] |= 1 << (at & 7)
        self.masks = {}
        for (name, value), bitmap in bits.items():
            self.masks.setdefault(name, {})[value] = int.from_bytes(bitmap, "little")
        # {filter: its choices}, read with the index: the same rows the filter's own queryset gives
        # (a body or topic linked to a public meeting, every country), so no request reads them again.
        # Their names are read in the language active when shown (modeltranslation).
        self.options = options or {}

    # Whether this index counts: False for the stand-in read() gives past FACET_COUNTS_MAX_MEETINGS.
    counts = True

    @classmethod
    def read(cls):
        published = Meeting.objects.published()
        meetings = rows(
            published,
            "pk",
            "start_date",
            "end_date",
            "status",
            "venue__country",
            "working_languages",
            "interpretation_into",
        )
        if len(meetings) > settings.FACET_COUNTS_MAX_MEETINGS:
            return Uncounted()
        links = {name: rows(table.objects.all(), "meeting", column) for name, (table, column) in LINK_TABLES.items()}
        # Where a meeting is held or who takes part: both mark the country (MeetingQuerySet.in_countries).
        links["country"] = rows(Meeting.countries.through.objects.all(), "meeting", "country")
        options = {
            name: list(declared.queryset.all())
            for name, declared in MeetingFilter.base_filters.items()
            if isinstance(declared, ModelMultipleChoiceFilter)
        }
        return cls(meetings, links, options)

    def ending_from(self, day):
        """Meetings whose end date is on or after day."""
        below = self.undated + bisect.bisect_left(self.end_days, day.toordinal())
        return self.everything ^ ((1 << below) - 1)

    def starting_by(self, day):
        """Meetings whose start date is on or before day: those ended by then, and those under way."""
        ordinal = day.toordinal()
        ended = self.undated + bisect.bisect_right(self.end_days, ordinal)
        mask = ((1 << ended) - 1) ^ ((1 << self.undated) - 1)
        last = self.undated + bisect.bisect_right(self.end_days, ordinal + self.longest)
        for at in range(ended, last):
            if self.start_days[at - self.undated] <= ordinal:
                mask |= 1 << at
        return mask

    def period(self, period):
        """The meetings on at least one day of an archive's period (MeetingQuerySet.overlapping)."""
        if period is None:
            return self.everything
        first_day, last_day = period
        return self.ending_from(first_day) & self.starting_by(last_day)

    def any_of(self, name, values):
        mask = 0
        for value in values:
            mask |= self.masks.get(name, {}).get(getattr(value, "pk", value), 0)
        return mask

    def keys(self, pks):
        mask = 0
        for pk in pks:
            at = self.position.get(pk)
            if at is not None:
                mask |= 1 << at
        return mask

    def active(self, filterset):
        """{filter name: the meetings it keeps} for every active filter. The search and the city are
        asked of the database (one query each), the rest read from the bits."""
        values = filterset.form.cleaned_data if filterset.is_bound else {}
        found = {}
        for name, value in values.items():
            if value is None or not chosen(value):
                continue
            if name == "date_from":
                found[name] = self.ending_from(value)
            elif name == "date_to":
                found[name] = self.starting_by(value)
            elif name in TEXT_FILTERS:
                kept = filterset.filters[name].filter(Meeting.objects.published(), value)
                found[name] = self.keys(kept.values_list("pk", flat=True))
            else:
                found[name] = self.any_of(name, value)
        return found

    def count(self, mask, name, value):
        return (mask & self.masks.get(name, {}).get(value, 0)).bit_count()


class Uncounted:
    """The facet index's stand-in past FACET_COUNTS_MAX_MEETINGS: the form shows its options without counts."""

    counts = False


def facets(filterset, meetings, *, index=None, period=None):
    """The form's checkbox filters as Facets, in the form's order, counted on ``meetings`` (the list's
    queryset before filtering: the published meetings, or those of an archive's ``period``).

    ``index``: a callable giving the FacetIndex of the published meetings, which counts without a
    query per facet. While the form has errors nothing is counted: which filters would the counts apply?"""
    counted = not filterset.is_bound or filterset.is_valid()
    if index is not None and counted:
        index = index()
        counted = index.counts
    if index is not None and counted:
        base = index.period(period)
        active = index.active(filterset)
    else:
        index = None
    form = filterset.form
    built = []
    for name in form.fields:
        if name not in CHECKBOX_FILTERS:
            continue
        bound = form[name]
        formfield = form.fields[name]
        chosen_values = set(form.data.getlist(name)) if filterset.is_bound else set()
        indexed = index is not None
        if indexed:
            others = base
            for other, mask in active.items():
                if other != name:
                    others &= mask
        else:
            others = filterset.queryset_without(meetings, name) if counted else None
        if hasattr(formfield, "queryset"):
            choices = formfield.queryset
            if indexed:
                choices = index.options[name]
                pairs = [
                    (str(getattr(item, formfield.to_field_name)), str(item), index.count(others, name, item.pk))
                    for item in choices
                ]
            else:
                if counted:
                    choices = (
                        country_counts(choices, others) if name == "country" else linked_counts(choices, name, others)
                    )
                pairs = [
                    (str(getattr(item, formfield.to_field_name)), str(item), getattr(item, "facet_count", None))
                    for item in choices
                ]
        else:
            entries = list(formfield.choices)
            if indexed:
                counts = {value: index.count(others, name, value) for value, _label in entries}
            elif counted:
                codes = [value for value, _label in entries]
                counts = status_counts(others) if name == "status" else language_counts(codes, others)
            else:
                counts = {}
            pairs = [(str(value), str(label), counts.get(value, 0) if counted else None) for value, label in entries]
        options = [
            Option(
                value=value, label=label, id=f"{bound.auto_id}_{number}", checked=value in chosen_values, count=count
            )
            for number, (value, label, count) in enumerate(pairs)
        ]
        built.append(Facet(name=name, bound_field=bound, options=options))
    return built


def plain_widget(bound):
    """A text or date box, described by its hint and its error."""
    described = []
    if bound.name in ("date_from", "date_to"):
        described.append(f"{bound.auto_id}_hint")
    if bound.errors:
        described.append(f"{bound.auto_id}_error")
    return bound.as_widget(attrs={"aria-describedby": " ".join(described)} if described else None)


def form_context(filterset, meetings, *, index=None, period=None):
    """What templates/includes/filter_form_fields.html needs beyond the filterset: every field but the
    search box, in the form's order, as (bound field, its Facet or None, its widget or None)."""
    by_name = {facet.name: facet for facet in facets(filterset, meetings, index=index, period=period)}
    fields = [
        (bound, by_name.get(bound.name), None if bound.name in by_name else plain_widget(bound))
        for bound in filterset.form
        if bound.name != "q"
    ]
    return {"fields": fields, "date_example": date_example()}
