"""Public views of meetings. Read rules live on MeetingQuerySet; views only choose."""

import calendar
import datetime
import itertools

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, Max, Min, Q, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from events.cache.fragments import FRAGMENT_TIMEOUT, held, joined, list_entries, process_local, rendered_once
from events.cache.keys import key
from events.dates import day_in_words, month_in_words
from events.facets import FacetIndex
from events.facets import form_context as filter_form_context
from events.filters import MeetingFilter, MeetingQuery, chosen, empty_parameters
from events.models import UPCOMING_ORDER, Country, Meeting
from events.public.pagination import ArchivePaginator, InListOrderPaginator
from events.public.structured_data import meeting_json_ld
from meetings_site.languages import OFFERED, territory_name

# Years the archives and the month grid answer for; anything else is a 404, so crawlers
# following "next month" links forever stop somewhere.
FIRST_YEAR = 1990
LAST_YEAR = 2100
HOME_UPCOMING_LIMIT = 100
HOME_RECENT_PAST_LIMIT = 10
HOME_TO_BE_CONFIRMED_LIMIT = 20
# A cluster timeline needs several meetings; a single partner reads better as a plain link.
CLUSTER_MIN_SIZE = 3
CHECKBOX_FILTERS = ("topic", "country", "status", "organiser", "funder", "programme")


def designated_country_names():
    """Names of the countries shown with the designation footnote (Kosovo), in every language of the
    site (a title may be in any of them), lower-cased for matching text."""

    def read():
        names = set()
        for code, name in Country.objects.filter(needs_designation=True).values_list("code", "name"):
            names.add(name.lower())
            names.update(
                territory.lower() for language in OFFERED if (territory := territory_name(code, language.code))
            )
        return sorted(names)

    return process_local("designated-countries", read)


def text_names_any(texts, names):
    return any(name in text.lower() for text in texts if text for name in names)


def any_mentions_designated_country(meetings):
    """True when a listed meeting is held in, or names in its title, a country shown with the designation.

    List items show a meeting's title and its venue's country only, so only those count.
    """
    meetings = list(meetings)
    if any(meeting.public_country is not None and meeting.public_country.needs_designation for meeting in meetings):
        return True
    return bool(meetings) and text_names_any([meeting.title for meeting in meetings], designated_country_names())


def month_bounds(year, month=None):
    """First and last day of a year or of one of its months; 404 outside the archive's range."""
    if not FIRST_YEAR <= year <= LAST_YEAR or (month is not None and not 1 <= month <= 12):
        raise Http404(_("No archive for this date."))
    if month is None:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def neighbour_months(first_day):
    """(year, month) of the previous and next month, None at the ends of the range."""
    previous_month = first_day - datetime.timedelta(days=1)
    next_month = first_day + datetime.timedelta(days=32)
    previous_month = previous_month if previous_month.year >= FIRST_YEAR else None
    next_month = next_month if next_month.year <= LAST_YEAR else None
    return previous_month, next_month


def grouped_by_month(meetings):
    """[(month in words, first day of month, [meetings])] in the meetings' order."""
    groups = []
    for month, members in itertools.groupby(meetings, key=lambda meeting: meeting.start_date.replace(day=1)):
        groups.append((month_in_words(month), month, list(members)))
    return groups


class HomeView(TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        published = Meeting.objects.published().for_listing()
        upcoming = list(published.upcoming(today)[:HOME_UPCOMING_LIMIT])
        to_be_confirmed = list(published.date_to_be_confirmed().order_by("title")[:HOME_TO_BE_CONFIRMED_LIMIT])
        # Always the most recent past meetings, under their own heading: they read as what took
        # place, not as news among the upcoming ones.
        recent_past = list(published.past(today)[:HOME_RECENT_PAST_LIMIT])
        # Every entry on the page in one cache read (and one query for those missing).
        entries = list_entries([*upcoming, *to_be_confirmed, *recent_past])
        context.update(
            upcoming_by_month=[
                (month_name, month, joined(entries, meetings))
                for month_name, month, meetings in grouped_by_month(upcoming)
            ],
            date_to_be_confirmed_entries=joined(entries, to_be_confirmed),
            recent_past_entries=joined(entries, recent_past),
            upcoming_truncated=len(upcoming) == HOME_UPCOMING_LIMIT,
            date_to_be_confirmed=to_be_confirmed,
            to_be_confirmed_truncated=len(to_be_confirmed) == HOME_TO_BE_CONFIRMED_LIMIT,
            recent_past=recent_past,
            designation_needed=any_mentions_designated_country([*upcoming, *to_be_confirmed, *recent_past]),
        )
        return context


class FilterChip:
    """One active filter value, with the address of the same page without it."""

    def __init__(self, label, value, remove_url):
        self.label = label
        self.value = value
        self.remove_url = remove_url


SECTION_HEADINGS = {
    "upcoming": gettext_lazy("Upcoming"),
    "to_be_confirmed": gettext_lazy("Date to be confirmed"),
    "past": gettext_lazy("Past"),
}


class ListSection:
    """A run of a page's meetings in one part of the list order, under its heading."""

    def __init__(self, name, meetings):
        self.name = name
        self.heading = SECTION_HEADINGS[name]
        self.meetings = meetings
        self.entries = ""


def page_sections(page, sizes):
    """The sections a page's meetings belong to, in page order; sizes: [(section name, how many
    meetings of the whole list it holds)] in list order. Only positions: no query."""
    position = (page.number - 1) * page.paginator.per_page
    sections, end = [], 0
    for name, size in sizes:
        start, end = end, end + size
        members = [meeting for offset, meeting in enumerate(page.object_list) if start <= position + offset < end]
        if members:
            sections.append(ListSection(name, members))
    return sections


def filter_chips(filterset, query, path):
    """The active filters as removable chips; none while the form has errors."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    chips = []
    for name, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if value in (None, "") or not chosen(value):
            continue
        repeatable = True
        if hasattr(field, "queryset"):
            entries = [(str(getattr(item, field.to_field_name)), str(item)) for item in value]
        elif isinstance(value, list):
            labels = dict(field.choices)
            entries = [(item, labels.get(item, item)) for item in value]
        elif isinstance(value, datetime.date):
            entries, repeatable = [(value.isoformat(), day_in_words(value))], False
        else:
            entries, repeatable = [(value, value)], False
        for raw, label in entries:
            remaining = query.without(name, raw if repeatable else None)
            chips.append(FilterChip(field.label, label, f"{path}?{remaining}" if remaining else path))
    return chips


class MeetingListView(FilterView):
    """All published meetings, searchable and filterable; upcoming soonest first, then past newest first."""

    filterset_class = MeetingFilter
    template_name = "events/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = settings.MEETINGS_PER_PAGE
    # Reads the list order in index-ordered segments, counts once per filter and data version.
    paginator_class = InListOrderPaginator

    @staticmethod
    def page_cache_query(request, match):
        # Dates are read in the request's language (which the view has not activated yet). A query
        # with empty parameters is answered with a redirect (get), never with the cached page.
        with translation.override(getattr(request, "page_cache_language", None) or translation.get_language()):
            query_key = MeetingQuery.from_request(request).key
        return f"{query_key}&empty" if empty_parameters(request.META.get("QUERY_STRING", "")) is not None else query_key

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.query = MeetingQuery.from_request(request, period=self.period())

    def period(self):
        return None

    def get_filterset_kwargs(self, filterset_class):
        # Bound to the canonical filter, so the page (its form, chips, links) is the same for every
        # query string that means the same filter: the page cache keys on it.
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.query.querydict() if self.query.pairs else None
        return kwargs

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        filterset.form.label_suffix = ""
        return filterset

    def get_base_queryset(self):
        # Only the keys: each entry comes rendered from events.cache.fragments, which reads the
        # meetings it has not cached. Reading 20 whole meetings with their places was a
        # third of a list page.
        return Meeting.objects.published().values_list("pk", flat=True)

    def get_queryset(self):
        # The paginator reads the list order itself, segment by segment (InListOrderPaginator).
        return self.get_base_queryset().order_by("pk")

    def get_paginator(self, queryset, per_page, **kwargs):
        count_key = f"{self.request.path}?{self.query.filter_key}"
        return super().get_paginator(queryset, per_page, count_key=count_key, keys_only=True, **kwargs)

    def get(self, request, *args, **kwargs):
        remaining = empty_parameters(request.META.get("QUERY_STRING", ""))
        if remaining is not None:
            # ?q=&city=&topic=p-cve: the same list, at an address without the form's empty fields.
            return HttpResponseRedirect(f"{request.path}?{remaining}" if remaining else request.path)
        response = super().get(request, *args, **kwargs)
        if self.filterset.is_bound and not self.filterset.is_valid():
            # The visitor sees the form with its errors; the status tells scripts the request was bad.
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = context["meetings"]
        context.update(
            query=self.query,
            chips=filter_chips(self.filterset, self.query, self.request.path),
            result_count=context["paginator"].count if context.get("paginator") else len(meetings),
            filter_errors=self.filterset.is_bound and not self.filterset.is_valid(),
            # The filter form offers the country, so the page needs the footnote whatever it lists.
            designation_needed=bool(designated_country_names()),
            page_heading=_("Meetings"),
            checkbox_fields=CHECKBOX_FILTERS,
        )
        # The page's meetings under the heading of each part of the list they belong to (upcoming,
        # date to be confirmed, past), their entries read in one cache read.
        page = context.get("page_obj")
        sections = page_sections(page, section_sizes(page.paginator)) if page else []
        entries = list_entries(meetings)
        for section in sections:
            section.entries = joined(entries, section.meetings)
        context["sections"] = sections
        # Rendering the form (its lists of checkboxes and their queries) is a large part of a list
        # page, and the same for everyone with the same filter; its choices are data.
        # Its counts (events.facets) are read only when it is rendered.
        form_context = {name: context[name] for name in ("filter", "chips", "filter_errors")} | {
            "path": self.request.path
        }
        context["filter_form"] = rendered_once(
            "filter-form",
            (self.request.path, self.query.filter_key),
            lambda: render_to_string(
                "includes/filter_form_fields.html",
                form_context
                | filter_form_context(
                    self.filterset,
                    self.get_queryset(),
                    index=lambda: held("facet-index", FacetIndex.read),
                    period=self.query.period,
                ),
            ),
        )
        return context


def section_sizes(paginator):
    """[(section name, size)] of a list's paginator, in list order."""
    if isinstance(paginator, InListOrderPaginator):
        return list(zip(("upcoming", "to_be_confirmed", "past"), paginator.segment_counts, strict=True))
    return paginator.section_sizes


class ArchiveMonth:
    """A month of the year archive: its name, its published meetings (those on at least one of its
    days, as its own archive lists them) and its archive's address when it has any."""

    def __init__(self, first_day, count):
        self.name = month_in_words(first_day)
        self.count = count
        self.url = reverse("events:month", args=[first_day.year, first_day.month]) if count else ""


def year_summary(year):
    """A year archive's month counts, and the nearest earlier and later years that have published
    meetings (None where there is none, or outside the archive's range): three queries, each on an
    index (one over the whole table read every published meeting for a year's counts), cached per
    data version (a scheduled publication moves it too)."""
    summary_key = key("year-summary", year, language=False)
    summary = cache.get(summary_key)
    if summary is None:
        first_day, last_day = month_bounds(year)
        months = {
            f"month_{number}": Count("pk", filter=Q(start_date__lte=end, end_date__gte=start))
            for number in range(1, 13)
            for start, end in [month_bounds(year, number)]
        }
        published = Meeting.objects.published()
        found = published.overlapping(first_day, last_day).aggregate(**months)
        before = published.filter(end_date__lt=first_day).aggregate(day=Max("end_date"))["day"]
        after = published.filter(start_date__gt=last_day).aggregate(day=Min("start_date"))["day"]
        summary = {
            "months": [found[f"month_{number}"] for number in range(1, 13)],
            "previous_year": before.year if before and before.year >= FIRST_YEAR else None,
            "next_year": after.year if after and after.year <= LAST_YEAR else None,
        }
        cache.set(summary_key, summary, FRAGMENT_TIMEOUT)
    return summary


class MeetingArchiveView(MeetingListView):
    """The meetings of one year or one month, upcoming then past, each in calendar order, with the same
    filters as the list."""

    template_name = "events/meeting_archive.html"
    paginator_class = ArchivePaginator

    def period(self):
        self.year, self.month = self.kwargs["year"], self.kwargs.get("month")
        self.first_day, self.last_day = month_bounds(self.year, self.month)
        return self.first_day, self.last_day

    def get_queryset(self):
        # Upcoming first, then past (ArchivePaginator's sections), each in calendar order.
        past = Case(When(end_date__lt=timezone.localdate(), then=Value(1)), default=Value(0))
        return self.get_base_queryset().overlapping(self.first_day, self.last_day).order_by(past, *UPCOMING_ORDER)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.month is None:
            summary = year_summary(self.year)
            previous_period, next_period = summary["previous_year"], summary["next_year"]
            context.update(
                page_heading=_("Meetings in %(year)s") % {"year": self.year},
                previous_url=previous_period and reverse("events:year", kwargs={"year": previous_period}),
                previous_label=previous_period,
                next_url=next_period and reverse("events:year", kwargs={"year": next_period}),
                next_label=next_period,
                year_months=[
                    ArchiveMonth(datetime.date(self.year, number, 1), count)
                    for number, count in enumerate(summary["months"], start=1)
                ],
            )
        else:
            previous_month, next_month = neighbour_months(self.first_day)
            context.update(
                page_heading=_("Meetings in %(month)s") % {"month": month_in_words(self.first_day)},
                previous_url=previous_month
                and reverse("events:month", args=[previous_month.year, previous_month.month]),
                previous_label=previous_month and month_in_words(previous_month),
                next_url=next_month and reverse("events:month", args=[next_month.year, next_month.month]),
                next_label=next_month and month_in_words(next_month),
                year_url=reverse("events:year", args=[self.year]),
                calendar_url=reverse("events:calendar", args=[self.year, self.month]),
            )
        return context


class MeetingDetailView(DetailView):
    template_name = "events/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        meetings = Meeting.objects.with_related()
        if self.request.user.has_perm("events.view_meeting"):
            # Editors preview drafts on the public design; the page says it is not public.
            return meetings
        return meetings.published()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_published:
            # A draft preview is for the logged-in editor: no shared cache may keep it.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        canonical_url = settings.SITE_URL + meeting.get_absolute_url()
        cluster = meeting.back_to_back_cluster()
        timeline = cluster if len(cluster) >= CLUSTER_MIN_SIZE else []
        in_timeline = {member.pk for member in timeline}
        linked = [(label, other) for label, other in meeting.public_linked_meetings() if other.pk not in in_timeline]
        context.update(
            canonical_url=canonical_url,
            json_ld=meeting_json_ld(meeting, canonical_url),
            # The whole back-to-back cluster, this meeting included (the add-to-calendar partial reads it too).
            cluster=cluster,
            cluster_timeline=timeline,
            linked=linked,
            designation_needed=meeting.mentions_designated_country()
            or text_names_any(
                [meeting.title, meeting.summary, meeting.description, meeting.status_note]
                + [other.title for _label, other in linked]
                + [member.title for member in timeline],
                designated_country_names(),
            ),
        )
        return context
