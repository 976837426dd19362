"""The numbers page: meetings by funder and instrument, by country and by topic, per year, and a
timeline by month; the same tables as CSV and XLSX downloads.

Which meetings count is exactly what the list shows for the same filter: MeetingFilter bound to
the canonical MeetingQuery over the published meetings. A meeting counts in every year (and
month) it takes place in, as the list's date filter selects every meeting overlapping its dates,
so a cell followed to the list (its filter plus the year's dates) shows the cell's number. A
meeting with two funders, topics or countries counts in each of their rows; a total counts each
meeting once. Meetings whose date is to be confirmed have a column of their own.

Every figure comes from a grouped COUNT: one query per table (two for countries: where the
meeting is held, and who takes part where it is not held), one for all meetings and one per kind
of name shown, whatever the number of meetings.
"""

import csv
import datetime
import io
from collections import Counter, defaultdict

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from events.cache.fragments import rendered_once
from events.dates import month_in_words
from events.filters import MeetingFilter, MeetingQuery
from events.models import Country, Meeting, MeetingFunder, MeetingOrganiser, Topic
from events.public.views import CHECKBOX_FILTERS, designated_country_names, filter_chips
from organisations.models import Organisation

# ?by= of the timeline: one bar chart of all meetings, or one small chart per topic or organiser.
TIMELINE_BY = ("topic", "organiser")
# Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FILENAME = "meetings-in-numbers.xlsx"
TABLES = ("funders", "countries", "topics")


def months_between(first, last):
    """The first days of every month from first's month to last's, both included."""
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


class Tally:
    """Meetings of one row: per month, per year, with no date yet, and in all (each once)."""

    def __init__(self):
        self.months = Counter()
        self.years = Counter()
        self.undated = 0
        self.total = 0

    def add(self, first_month, last_month, count, window):
        """count meetings starting in first_month and ending in last_month (None: no date yet);
        window: the (first, last) month the page's date filter allows."""
        self.total += count
        if first_month is None:
            self.undated += count
            return
        # The month of the later of two dates is the later of their months: clipping by month is exact.
        first_month = max(first_month, window[0])
        last_month = min(last_month or first_month, window[1])
        for month in months_between(first_month, last_month):
            self.months[month] += count
        for year in range(first_month.year, last_month.year + 1):
            self.years[year] += count


class Cell:
    def __init__(self, value, url=""):
        self.value = value
        self.url = url if value else ""


class Row:
    """One row of a table: a funder (level 0) or one of its instruments (level 1), a country, a topic."""

    def __init__(self, label, cells, undated, total, *, detail="", level=0):
        self.label = label
        self.detail = detail
        self.cells = cells
        self.undated = undated
        self.total = total
        self.level = level


class Table:
    def __init__(self, slug, title, heading, rows, total, years, show_undated, *, detail_heading=""):
        self.slug = slug
        self.title = title
        self.heading = heading
        self.detail_heading = detail_heading
        self.rows = rows
        self.total = total
        self.years = years
        self.show_undated = show_undated

    @property
    def csv_url(self):
        return reverse("events:numbers-csv", args=[self.slug])

    def header(self):
        """The header row as text, as the downloads write it."""
        names = [str(self.heading)] + ([str(self.detail_heading)] if self.detail_heading else [])
        return [*names, *map(str, self.years), *([_("No date yet")] if self.show_undated else []), _("Total")]

    def lines(self):
        """Every row below the header, the total row last, as (texts, numbers)."""
        for row in [*self.rows, self.total]:
            names = [str(row.label)] + ([str(row.detail)] if self.detail_heading else [])
            numbers = [cell.value for cell in row.cells] + ([row.undated.value] if self.show_undated else [])
            yield names, [*numbers, row.total.value]


class Series:
    """One bar chart of the timeline: a label and a count per month."""

    def __init__(self, label, counts):
        self.label = label
        self.counts = counts


class Timeline:
    def __init__(self, by, months, series, undated, month_urls):
        self.by = by
        self.months = months
        self.series = series
        self.undated = undated
        self.month_urls = month_urls

    @property
    def title(self):
        if self.by == "topic":
            return _("Meetings by month and topic")
        if self.by == "organiser":
            return _("Meetings by month and organiser")
        return _("Meetings by month")

    @property
    def rows(self):
        """The chart's data table: (month in words, [(count, url) per series])."""
        return [
            (month_in_words(month), [(series.counts[index], self.month_urls[index]) for series in self.series])
            for index, month in enumerate(self.months)
        ]


class Numbers:
    """Every figure of the page for one filter, in a constant number of queries."""

    def __init__(self, query, filterset, *, by=""):
        self.query = query
        self.data = filterset.form.cleaned_data if filterset.is_bound else {}
        date_from, date_to = self.data.get("date_from"), self.data.get("date_to")
        self.date_from, self.date_to = date_from, date_to
        self.window = (
            date_from.replace(day=1) if date_from else datetime.date.min,
            date_to.replace(day=1) if date_to else datetime.date.max,
        )
        self.meetings = filterset.qs
        self.ids = self.meetings.values("pk")
        self.chosen = defaultdict(set)
        for name, value in query.pairs:
            self.chosen[name].add(value)
        self.all = self.tallies(self.meetings, "", ())[()]
        self.years = sorted(year for year, count in self.all.years.items() if count)
        self.by = by

    # --- Counting --------------------------------------------------------

    def tallies(self, queryset, prefix, keys, *, distinct_meetings=False):
        """{key values: Tally} from one grouped COUNT over rows reaching a meeting through prefix."""
        counted = f"{prefix}pk" if prefix else "pk"
        rows = (
            # Named fields only: values() of expressions alone reads every column (modeltranslation).
            queryset.annotate(first=TruncMonth(f"{prefix}start_date"), last=TruncMonth(f"{prefix}end_date"))
            .values(*keys, "first", "last")
            .annotate(count=Count(counted, distinct=distinct_meetings))
            .order_by()
        )
        found = defaultdict(Tally)
        for row in rows:
            found[tuple(row[key] for key in keys)].add(row["first"], row["last"], row["count"], self.window)
        if not keys:
            found.setdefault((), Tally())  # no meeting at all is a row of zeros
        return found

    def linked(self, model, *keys, distinct_meetings=False):
        return self.tallies(
            model.objects.filter(meeting__in=self.ids), "meeting__", keys, distinct_meetings=distinct_meetings
        )

    # --- Links -------------------------------------------------------------

    def list_url(self, name=None, value=None, year=None, month=None):
        """The list with the page's filter, the row's value instead of the page's own for that
        filter, and the dates of the year or month within the page's dates."""
        pairs = [(n, v) for n, v in self.query.pairs if n != name]
        if value is not None:
            pairs.append((name, value))
        if year is not None or month is not None:
            if month is None:
                first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            else:
                first, last = month, month_end(month)
            first = max(first, self.date_from) if self.date_from else first
            last = min(last, self.date_to) if self.date_to else last
            pairs = [(n, v) for n, v in pairs if n not in ("date_from", "date_to")]
            pairs += [("date_from", first.isoformat()), ("date_to", last.isoformat())]
        data = QueryDict(mutable=True)
        for n, v in pairs:
            data.appendlist(n, v)
        canonical = MeetingQuery(data).filter_key
        path = reverse("events:list")
        return f"{path}?{canonical}" if canonical else path

    def row(self, label, tally, name=None, value=None, *, detail="", level=0, linked=True):
        """A table row; cells are links where the list can select what they count."""
        cells = [
            Cell(tally.years[year], self.list_url(name, value, year=year) if linked else "") for year in self.years
        ]
        return Row(
            label,
            cells,
            Cell(tally.undated),  # the list has no filter for "no date yet"
            Cell(tally.total, self.list_url(name, value) if linked else ""),
            detail=detail,
            level=level,
        )

    def total_row(self):
        return self.row(_("All meetings, each counted once"), self.all)

    def table(self, slug, title, heading, rows, **kwargs):
        return Table(slug, title, heading, rows, self.total_row(), self.years, bool(self.all.undated), **kwargs)

    def shown(self, name, value):
        """Rows for the values the page filters on, when it does: the list cannot select "funded
        by the chosen funder and by this one", so no other row could be followed to its number."""
        return not self.chosen[name] or value in self.chosen[name]

    # --- Tables --------------------------------------------------------------

    def funder_table(self, organisations):
        by_funder = self.linked(MeetingFunder, "organisation", distinct_meetings=True)
        by_instrument = self.linked(MeetingFunder, "organisation", "instrument")
        instruments = defaultdict(list)
        for (organisation, instrument), tally in by_instrument.items():
            instruments[organisation].append((instrument, tally))
        rows = []
        for organisation in sorted(organisations(by_funder), key=lambda body: body.name.casefold()):
            if not self.shown("funder", organisation.slug):
                continue
            rows.append(
                self.row(
                    organisation.name,
                    by_funder[(organisation.pk,)],
                    "funder",
                    organisation.slug,
                    detail=_("All instruments"),
                )
            )
            # The list filters by funder, not by instrument: these rows are numbers, not links. A
            # funder that never names an instrument has its row only.
            named_first = sorted(instruments[organisation.pk], key=lambda pair: (not pair[0], pair[0].casefold()))
            if not any(instrument for instrument, _tally in named_first):
                continue
            rows += [
                self.row(organisation.name, tally, detail=instrument or _("No instrument named"), level=1, linked=False)
                for instrument, tally in named_first
            ]
        return self.table(
            "funders",
            _("Meetings by funder and instrument"),
            _("Funder"),
            rows,
            detail_heading=_("Instrument"),
        )

    def country_table(self):
        # The list's country filter: held in the country, or the country takes part (in_countries).
        held = self.tallies(self.meetings.filter(venue__isnull=False), "", ("venue__country",))
        # Taking part where the meeting is not held: counted above already when it is held there.
        taking_part = self.tallies(
            Meeting.countries.through.objects.filter(meeting__in=self.ids).filter(
                Q(meeting__venue__isnull=True) | ~Q(meeting__venue__country=F("country"))
            ),
            "meeting__",
            ("country",),
        )
        merged = defaultdict(Tally)
        for source in (held, taking_part):
            for (country,), tally in source.items():
                target = merged[country]
                target.months.update(tally.months)
                target.years.update(tally.years)
                target.undated += tally.undated
                target.total += tally.total
        countries = Country.objects.in_bulk(list(merged))
        rows = [
            self.row(country.display_name, merged[pk], "country", country.code)
            for pk, country in sorted(countries.items(), key=lambda item: item[1].display_name.casefold())
            if self.shown("country", country.code)
        ]
        return self.table("countries", _("Meetings by country"), _("Country"), rows)

    def topic_table(self, by_topic, topics):
        rows = [
            self.row(topic.name, by_topic[(topic.pk,)], "topic", topic.slug)
            for topic in sorted(topics.values(), key=lambda topic: topic.name.casefold())
            if self.shown("topic", topic.slug)
        ]
        return self.table("topics", _("Meetings by topic"), _("Topic"), rows)

    def tables(self, *, timeline=False):
        """The three tables and, with timeline, the chart, with the names they show read in one
        query per kind of name."""
        by_topic = self.linked(Meeting.topics.through, "topic")
        topics = Topic.objects.in_bulk([pk for (pk,) in by_topic])
        by_organiser = {}
        if timeline and self.by == "organiser":
            by_organiser = self.linked(MeetingOrganiser, "organisation", distinct_meetings=True)
        names = {}

        def organisations(by_funder):
            wanted = {pk for (pk,) in by_funder} | {pk for (pk,) in by_organiser}
            names.update(Organisation.objects.in_bulk(list(wanted)))
            return [names[pk] for (pk,) in by_funder if pk in names]

        tables = [self.funder_table(organisations), self.country_table(), self.topic_table(by_topic, topics)]
        if not timeline:
            return tables, None
        if self.by == "topic":
            series = [
                (topic.name, by_topic[(topic.pk,)])
                for topic in sorted(topics.values(), key=lambda t: t.name.casefold())
            ]
        elif self.by == "organiser":
            bodies = sorted((names[pk] for (pk,) in by_organiser if pk in names), key=lambda b: b.short_name.casefold())
            series = [(body.short_name, by_organiser[(body.pk,)]) for body in bodies]
        else:
            series = [(_("All meetings"), self.all)]
        return tables, self.timeline(series)

    def timeline(self, series):
        dated = [month for month, count in self.all.months.items() if count]
        months = list(months_between(min(dated), max(dated))) if dated else []
        return Timeline(
            self.by,
            months,
            [Series(label, [tally.months[month] for month in months]) for label, tally in series],
            self.all.undated,
            [self.list_url(month=month) for month in months],
        )


def month_end(month):
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


class NumbersRequest:
    """What every numbers view reads of a request: its canonical filter, bound and checked."""

    def __init__(self, request):
        self.query = MeetingQuery.from_request(request)
        self.filterset = MeetingFilter(
            self.query.querydict() if self.query.pairs else None, queryset=Meeting.objects.published()
        )
        self.filterset.form.label_suffix = ""
        self.valid = not self.filterset.is_bound or self.filterset.is_valid()

    def numbers(self, by=""):
        return Numbers(self.query, self.filterset, by=by)

    def errors(self):
        """The form's errors as lines of text, for a download's 400."""
        form = self.filterset.form
        return "\n".join(f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items())


def timeline_by(request):
    by = request.GET.get("by", "").strip()
    return by if by in TIMELINE_BY else ""


class NumbersView(TemplateView):
    """Meetings by funder and instrument, country and topic per year, and by month, with the list's filters."""

    template_name = "events/numbers.html"

    @staticmethod
    def page_cache_query(request, match):
        query = MeetingQuery.from_request(request).filter_key
        by = timeline_by(request)
        return f"{query}&by={by}" if by else query

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.selection.valid:
            # The visitor sees the form with its errors; the status tells scripts the request was bad.
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.selection = selection = NumbersRequest(self.request)
        filterset, query = selection.filterset, selection.query
        filter_errors = not selection.valid
        chips = filter_chips(filterset, query, self.request.path)
        form_context = {
            "filter": filterset,
            "chips": chips,
            "filter_errors": filter_errors,
            "checkbox_fields": CHECKBOX_FILTERS,
            "path": self.request.path,
        }
        context.update(
            query=query,
            chips=chips,
            filter_errors=filter_errors,
            filter=filterset,
            designation_needed=bool(designated_country_names()),
            filter_form=rendered_once(
                "filter-form",
                (self.request.path, query.filter_key),
                lambda: render_to_string("includes/filter_form_fields.html", form_context),
            ),
        )
        if filter_errors:
            return context
        by = timeline_by(self.request)
        numbers = selection.numbers(by)
        tables, timeline = numbers.tables(timeline=True)
        filter_key = query.filter_key
        suffix = f"?{filter_key}" if filter_key else ""
        context.update(
            result_count=numbers.all.total,
            undated_count=numbers.all.undated,
            tables=tables,
            timeline=timeline,
            by=by,
            download_suffix=suffix,
            xlsx_url=reverse("events:numbers-xlsx") + suffix,
            timeline_switch=[
                (choice, label, with_query(self.request.path, filter_key, f"by={choice}" if choice else ""))
                for choice, label in (
                    ("", _("All meetings")),
                    ("topic", _("By topic")),
                    ("organiser", _("By organiser")),
                )
            ],
        )
        return context


def with_query(path, *parts):
    query = "&".join(part for part in parts if part)
    return f"{path}?{query}" if query else path


def spreadsheet_text(value):
    """A name as a CSV cell: one a spreadsheet would run as a formula gets a leading apostrophe."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class NumbersCSVView(View):
    """One table of the numbers page as CSV, in UTF-8 with a byte-order mark so Excel reads it as such."""

    def get(self, request, table):
        if table not in TABLES:
            raise Http404(_("No such table."))
        selection = NumbersRequest(request)
        if not selection.valid:
            return HttpResponseBadRequest(selection.errors(), content_type="text/plain; charset=utf-8")
        tables, _timeline = selection.numbers().tables()
        chosen = next(candidate for candidate in tables if candidate.slug == table)
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([spreadsheet_text(text) for text in chosen.header()])
        for names, numbers in chosen.lines():
            writer.writerow([*map(spreadsheet_text, names), *numbers])
        response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
        return attachment(response, f"meetings-by-{table}.csv")


class NumbersXLSXView(View):
    """All three tables of the numbers page as one workbook, a sheet each (openpyxl, write-only)."""

    def get(self, request):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        selection = NumbersRequest(request)
        if not selection.valid:
            return HttpResponseBadRequest(selection.errors(), content_type="text/plain; charset=utf-8")
        tables, _timeline = selection.numbers().tables()
        workbook = Workbook(write_only=True)
        for table in tables:
            sheet = workbook.create_sheet(sheet_title(table.title))

            def text_cell(value, sheet=sheet):
                # A string cell, never a formula, whatever the name starts with.
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = "s"
                return cell

            sheet.append([text_cell(text) for text in table.header()])
            for names, numbers in table.lines():
                sheet.append([*map(text_cell, names), *numbers])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), XLSX_FILENAME)


def sheet_title(title):
    """A worksheet's name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if character in "[]:*?/\\" else character for character in str(title))
    return cleaned[:31]
