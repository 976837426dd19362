"""The search box matches whatever script and diacritics a visitor types, the same on every database.

Run on SQLite by default and on PostgreSQL with DATABASE_URL: the folded column and the substring
test are meant to give the same answers on both.
"""

import datetime

import pytest
from django.http import QueryDict
from django.utils.http import urlencode

from events.calendar.importer import import_calendar
from events.filters import MeetingFilter
from events.management.commands.generate_meetings import generate_meetings
from events.models import Access, Meeting, Venue
from events.search import ALIASES, normalise, search_text
from organisations.models import Organisation
from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    VenueFactory,
)
from tests.support.html import meeting_titles

pytestmark = pytest.mark.django_db


def found(query, queryset=None):
    """Titles of the meetings the search box's text ``query`` finds, sorted."""
    queryset = Meeting.objects.all() if queryset is None else queryset
    return sorted(
        MeetingFilter(QueryDict(urlencode({"q": query})), queryset=queryset).qs.values_list("title", flat=True)
    )


def meeting(title, *, city="Tirana", slug=None, **fields):
    venue = VenueFactory(city=city, name=fields.pop("venue_name", f"Hall {Venue.objects.count() + 1}"))
    return MeetingFactory(title=title, slug=slug or f"m-{Meeting.objects.count() + 1}", venue=venue, **fields)


# --- Folding -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Portorož", "portoroz"),
        ("Thörl-Maglern", "thorl-maglern"),
        ("Београд", "beograd"),
        ("Приштина", "pristina"),
        ("Prishtinë", "prishtine"),
        ("Đorđević", "djordjevic"),
        ("Ђорђевић", "djordjevic"),
        ("Ѓорче Петров", "gjorce petrov"),
        ("Ќерка, Ѕвезда", "kjerka, dzvezda"),
        ("Čačak Šid Ćuprija", "cacak sid cuprija"),
        ("Straße", "strasse"),
        ("  MANY\n\tspaces  ", "many spaces"),
    ],
)
def test_normalise_folds_scripts_marks_and_case(text, folded):
    assert normalise(text) == folded


def test_every_alias_group_is_written_as_normalise_leaves_it():
    # A member written with a mark or a capital would never meet a folded word.
    for group in ALIASES:
        for member in group:
            assert normalise(member) == member


def test_a_stored_name_adds_the_other_members_of_its_group_and_a_word_inside_another_adds_none():
    assert search_text(["Belgrade"]) == "belgrade belgrad beograd beogradi"
    assert search_text(["Hotel Beograd"]) == "hotel beograd belgrad belgrade beogradi"
    # "pec" (Peć) inside "specific" names no city.
    assert search_text(["A specific agenda"]) == "a specific agenda"


# --- The required examples, through the filter ---------------------------------


def test_a_word_without_its_marks_finds_the_place_written_with_them():
    meeting("Border police chiefs", city="Portorož")
    meeting("Alpine border crossing", city="Thörl-Maglern")
    meeting("Somewhere else", city="Tirana")

    assert found("Portoroz") == ["Border police chiefs"]
    assert found("portorož") == ["Border police chiefs"]
    assert found("Thorl") == ["Alpine border crossing"]
    assert found("THÖRL") == ["Alpine border crossing"]


@pytest.mark.parametrize("query", ["Београд", "Beograd", "Belgrade", "BEOGRAD", "beogr"])
def test_belgrade_in_either_script_or_language(query):
    meeting("Steering group", city="Belgrade")
    meeting("Elsewhere", city="Sarajevo")

    assert found(query) == ["Steering group"]


@pytest.mark.parametrize("stored", ["Pristina", "Prishtinë"])
@pytest.mark.parametrize("query", ["Pristina", "Priština", "Приштина", "Prishtinë", "prishtina"])
def test_pristina_every_way_it_is_written(stored, query):
    meeting("Kosovo* working group", city=stored)
    meeting("Elsewhere", city="Skopje")

    assert found(query) == ["Kosovo* working group"]


def test_a_serbian_name_in_latin_script_without_its_marks():
    meeting("Opening by Minister Đorđević")
    meeting("Closing remarks", description="Chaired by Ana Đorđević.")
    meeting("Unrelated")

    assert found("Djordjevic") == ["Closing remarks", "Opening by Minister Đorđević"]
    assert found("Đorđević") == ["Closing remarks", "Opening by Minister Đorđević"]
    assert found("Ђорђевић") == ["Closing remarks", "Opening by Minister Đorđević"]


def test_a_macedonian_name_in_the_official_romanisation():
    meeting("Средба во Ѓорче Петров")
    meeting("Средба во Гостивар")

    assert found("Gjorce") == ["Средба во Ѓорче Петров"]
    assert found("Ѓорче") == ["Средба во Ѓорче Петров"]
    # Folding Ѓ to a plain G would have let this through.
    assert found("Gorce") == []


def test_case_folds_and_a_word_matches_inside_longer_words():
    meeting("Counter-Terrorism Coordinators")
    meeting("Cybercrime unit")

    assert found("TERROR") == ["Counter-Terrorism Coordinators"]
    assert found("coordinat") == ["Counter-Terrorism Coordinators"]
    assert found("crim") == ["Cybercrime unit"]


def test_every_word_must_be_found_each_anywhere():
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    eu = OrganisationFactory(name="Europska unija", acronym="EU", slug="eu")
    first = meeting("Board meeting", city="Београд")
    MeetingOrganiserFactory(meeting=first, organisation=rcc)
    MeetingFunderFactory(meeting=first, organisation=eu)
    meeting("Board meeting", city="Sarajevo", slug="other-board")

    assert found("board Beograd") == ["Board meeting"]
    assert found("rcc beograd") == ["Board meeting"]
    assert found("europska board") == ["Board meeting"]
    assert found("board vienna") == []


def test_an_organiser_or_funder_named_in_another_script():
    body = OrganisationFactory(name="Министерство за внатрешни работи", acronym="МВР", slug="mvr")
    funder = OrganisationFactory(name="Ministria e Punëve të Brendshme", acronym="", slug="mpb")
    organised = meeting("Organised")
    funded = meeting("Funded")
    MeetingOrganiserFactory(meeting=organised, organisation=body)
    MeetingFunderFactory(meeting=funded, organisation=funder)

    assert found("ministerstvo") == ["Organised"]
    assert found("MVR") == ["Organised"]
    assert found("puneve") == ["Funded"]


def test_a_withheld_venue_is_found_by_its_city_never_by_its_name_or_address():
    hidden = meeting(
        "Closed meeting", city="Skopje", venue_name="Hotel Continental", access=Access.CLOSED, withhold_venue=True
    )
    Venue.objects.filter(pk=hidden.venue_id).update(address="Bulevar Aleksandar Makedonski")
    hidden.venue.save()
    meeting("Open meeting", city="Ohrid", venue_name="Hotel Continental")

    assert found("Continental") == ["Open meeting"]
    assert found("Makedonski") == []
    assert found("Скопје") == ["Closed meeting"]
    assert found("Shkup") == ["Closed meeting"]


def test_through_the_list_page(client):
    meeting("Regional conference", city="Belgrade", start_date=datetime.date(2030, 5, 14))
    meeting("Other conference", city="Zagreb", start_date=datetime.date(2030, 5, 15))

    response = client.get("/meetings/", {"q": "Београд"})

    assert response.status_code == 200
    assert meeting_titles(response) == ["Regional conference"]


# --- Every write keeps the column -----------------------------------------------


def test_editing_a_field_by_name_refolds_the_search_text():
    edited = meeting("Before")
    edited.title = "Sastanak u Čačku"
    edited.save(update_fields=["title"])
    body = OrganisationFactory(name="Old name", acronym="", slug="body")
    body.name = "Ђорђе"
    body.save(update_fields=["name"])

    assert Meeting.objects.get(pk=edited.pk).search_text == "sastanak u cacku a regional meeting."
    assert Organisation.objects.get(pk=body.pk).search_text == "djordje"


def test_the_seed_loaded_raw_from_its_fixtures_has_its_search_text(seed):
    assert not Meeting.objects.filter(search_text="").exists()
    assert not Venue.objects.filter(search_text="").exists()
    assert not Organisation.objects.filter(search_text="").exists()
    one = Meeting.objects.first()
    assert one.search_text == search_text(one.search_values())


def test_an_imported_calendar_is_searchable_on_create_and_on_update():
    CountryFactory(code="RS", name="Serbia")
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partner//EN\r\n"
        "BEGIN:VEVENT\r\nUID:one@partner.example\r\nDTSTAMP:20300101T000000Z\r\n"
        "DTSTART;VALUE=DATE:20300505\r\nSUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    import_calendar(calendar.format(title="Састанак у Нишу").encode())
    assert found("Nisu") == ["Састанак у Нишу"]

    import_calendar(calendar.format(title="Sastanak u Čačku").encode())
    assert found("Nisu") == []
    assert found("cacku") == ["Sastanak u Čačku"]


def test_generated_meetings_are_searchable(settings):
    generate_meetings(20, seed=1)

    assert not Meeting.objects.filter(search_text="").exists()
    sample = Meeting.objects.order_by("pk").first()
    assert sample.search_text == search_text(sample.search_values())
    assert Venue.objects.get(city="Portorož", name="Hotel Europa").search_text == "hotel europa portoroz"
    assert found("Portoroz") == sorted(Meeting.objects.filter(venue__city="Portorož").values_list("title", flat=True))
