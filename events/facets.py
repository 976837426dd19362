"""Counts beside the filter form's options: how many published meetings the list would show with each.

The standard faceting rule: an option's count applies every other active filter, not its own
filter's other choices (choices within one filter mean "either"), so ticking a second topic
never shows a count that ticking it cannot reach. One query per filter whatever the data: the
choices of a related filter are read with their counts (a correlated COUNT per choice, the same
query that read the choices before), status in one grouped COUNT, languages in one query of
conditional counts. The form is rendered once per filter, language and data version
(events.cache.fragments.rendered_once), so any publication or edit gives new counts.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from events.filters import LINK_TABLES, date_example
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


def facets(filterset, meetings):
    """The form's checkbox filters as Facets, in the form's order, counted on ``meetings`` (the list's
    queryset before filtering: the published meetings, or those of an archive's period).

    While the form has errors nothing is counted: which filters would the counts apply?"""
    counted = not filterset.is_bound or filterset.is_valid()
    form = filterset.form
    built = []
    for name in form.fields:
        if name not in CHECKBOX_FILTERS:
            continue
        bound = form[name]
        formfield = form.fields[name]
        chosen = set(form.data.getlist(name)) if filterset.is_bound else set()
        others = filterset.queryset_without(meetings, name) if counted else None
        if hasattr(formfield, "queryset"):
            choices = formfield.queryset
            if counted:
                choices = country_counts(choices, others) if name == "country" else linked_counts(choices, name, others)
            pairs = [
                (str(getattr(item, formfield.to_field_name)), str(item), getattr(item, "facet_count", None))
                for item in choices
            ]
        else:
            entries = list(formfield.choices)
            if counted:
                codes = [value for value, _label in entries]
                counts = status_counts(others) if name == "status" else language_counts(codes, others)
            else:
                counts = {}
            pairs = [(str(value), str(label), counts.get(value, 0) if counted else None) for value, label in entries]
        options = [
            Option(value=value, label=label, id=f"{bound.auto_id}_{index}", checked=value in chosen, count=count)
            for index, (value, label, count) in enumerate(pairs)
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


def form_context(filterset, meetings):
    """What templates/includes/filter_form_fields.html needs beyond the filterset: every field but the
    search box, in the form's order, as (bound field, its Facet or None, its widget or None)."""
    by_name = {facet.name: facet for facet in facets(filterset, meetings)}
    fields = [
        (bound, by_name.get(bound.name), None if bound.name in by_name else plain_widget(bound))
        for bound in filterset.form
        if bound.name != "q"
    ]
    return {"fields": fields, "date_example": date_example()}
