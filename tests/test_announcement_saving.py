"""Drafts saved as meetings (save_drafts) and the draft_from_announcement command."""

import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from events.announcements.extraction import extract
from events.announcements.saving import save_drafts
from events.announcements.sources import EMPTY_TEXT, NOT_TEXT
from events.management.commands.draft_from_announcement import NO_FILE
from events.models import END_BEFORE_START, BackToBack, Meeting, OrganiserRole, Publication, Venue
from organisations.models import Organisation

ANNOUNCEMENTS = Path(__file__).resolve().parent / "announcements"
WBCTI = (ANNOUNCEMENTS / "wbcti-steering-group.txt").read_text(encoding="utf-8")
JSON_KEYS = [
    "title",
    "date_precision",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "year_inferred",
    "venue",
    "city",
    "country",
    "organisers",
    "funders",
    "programmes",
    "topics",
    "links",
    "evidence",
]
TWO_MEETINGS_SECOND_BROKEN = """Meeting of Border Police Chiefs

The meeting will take place on 18-19 July 2018 in Tirana, Albania, organised by the Regional Cooperation Council.

Meeting of the SALW Commissions

The meeting will take place from 25 to 23 October 2018 in Belgrade, Serbia, hosted by the Ministry of Defence of Serbia.
"""


@pytest.fixture
def names(db):
    """The seed's organisations, programmes, topics, countries and venues, without its meetings."""
    call_command("loaddata", "countries", "topics", "organisations", "venues", verbosity=0)


def read(text):
    return extract(text, today=date(2026, 12, 2))


def test_save_drafts_saves_every_meeting_with_roles_fundings_and_links_as_drafts(names):
    page = (ANNOUNCEMENTS / "rcc-sarajevo-study-visit.txt").read_text(encoding="utf-8")

    workshop, visit = save_drafts(read(page), create_new_names=["Ministry of Security of Bosnia and Herzegovina"])

    assert (workshop.title_en, workshop.publication) == ("Regional Workshop on Border Management", Publication.DRAFT)
    assert (workshop.start_date, workshop.end_date) == (date(2020, 3, 11), date(2020, 3, 12))
    assert (str(workshop.start_time), str(workshop.end_time)) == ("10:00:00", "13:00:00")
    assert str(workshop.venue) == "RCC Secretariat, Sarajevo, Bosnia and Herzegovina"
    assert [(r.organisation.name, r.role) for r in workshop.organiser_roles.order_by("position")] == [
        ("Regional Cooperation Council", OrganiserRole.ORGANISER),
        ("Ministry of Security of Bosnia and Herzegovina", OrganiserRole.HOST),
    ]
    assert [t.name for t in workshop.topics.all()] == ["Border security"]
    assert [(link.from_meeting, link.to_meeting, link.kind) for link in BackToBack.objects.all()] == [
        (workshop, visit, "study_visit")
    ]
    assert (visit.start_date, str(visit.venue)) == (date(2020, 3, 12), "PCCC Thörl-Maglern, Thörl-Maglern, Austria")
    assert visit.editor_notes == (
        "Date read relative to Regional Workshop on Border Management.\n"
        "Topics as those of Regional Workshop on Border Management, which the visit is part of."
    )


def test_save_drafts_leaves_out_unknown_names_unless_asked_and_says_so(names):
    (steering, cti) = save_drafts(read(WBCTI))

    assert [(r.organisation.name, r.role) for r in steering.organiser_roles.order_by("position")] == [
        ("IISG Support Group", OrganiserRole.CO_CHAIR)
    ]
    assert [(f.organisation.name, f.instrument) for f in steering.fundings.all()] == [("European Union", "IPA II")]
    assert steering.editor_notes.splitlines() == [
        "Country not named in the text; Podgorica is in Montenegro.",
        "Venue created for Podgorica (Montenegro); its time zone Europe/Belgrade was assumed: please check it.",
        "Organiser not saved, not on the site yet: Ministry of Interior of Montenegro (host).",
        "Organiser not saved, not on the site yet: DG HOME (co_chair).",
    ]
    assert not Organisation.objects.filter(name="Ministry of Interior of Montenegro").exists()
    assert [(v.city, v.country.name) for v in Venue.objects.filter(city="Podgorica")] == [("Podgorica", "Montenegro")]
    assert (cti.title_en, cti.start_date) == ("CTI Network meeting", date(2019, 11, 13))
    assert [(link.from_meeting, link.to_meeting, link.kind) for link in BackToBack.objects.all()] == [
        (steering, cti, "back_to_back")
    ]


def test_save_drafts_creates_the_new_names_it_is_given(names):
    (steering, _cti) = save_drafts(read(WBCTI), create_new_names=["Ministry of Interior of Montenegro"], publish=True)

    assert steering.publication == Publication.PUBLISHED
    assert [(r.organisation.name, r.role) for r in steering.organiser_roles.order_by("position")] == [
        ("Ministry of Interior of Montenegro", OrganiserRole.HOST),
        ("IISG Support Group", OrganiserRole.CO_CHAIR),
    ]


def test_save_drafts_records_who_saved_them_in_the_history(names, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")

    meetings = save_drafts(read(WBCTI), user=editor)

    assert [{h.history_user for h in m.history.all()} for m in meetings] == [{editor}, {editor}]


def test_save_drafts_gives_each_meeting_its_own_slug(names):
    first = save_drafts(read(WBCTI))
    second = save_drafts(read(WBCTI))

    assert [m.slug for m in first + second] == [
        "12th-wbcti-steering-group-meeting",
        "cti-network-meeting",
        "12th-wbcti-steering-group-meeting-2",
        "cti-network-meeting-2",
    ]


def test_save_drafts_saves_nothing_when_one_draft_cannot_be_saved(names):
    drafts = read(TWO_MEETINGS_SECOND_BROKEN)
    meetings, venues, organisations = Meeting.objects.count(), Venue.objects.count(), Organisation.objects.count()

    with pytest.raises(ValidationError) as error:
        save_drafts(drafts, create_new_names=["Ministry of Defence of Serbia"])

    assert error.value.messages == [
        f"“Meeting of the SALW Commissions” cannot be saved, so nothing was: {END_BEFORE_START}"
    ]
    assert (Meeting.objects.count(), Venue.objects.count(), Organisation.objects.count()) == (
        meetings,
        venues,
        organisations,
    )


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def run(*args):
    out = io.StringIO()
    call_command("draft_from_announcement", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_json_with_exactly_the_keys_and_writes_nothing(names, tmp_path):
    path = write(tmp_path, "wbcti.txt", WBCTI)

    printed = json.loads(run(path, "--json"))

    assert [list(item) for item in printed] == [JSON_KEYS, JSON_KEYS]
    assert printed == json.loads((ANNOUNCEMENTS / "wbcti-steering-group.json").read_text(encoding="utf-8"))
    assert Meeting.objects.count() == 0
    assert Venue.objects.filter(city="Podgorica").count() == 0


def test_the_command_reads_html_and_standard_input(names, monkeypatch):
    html = (ANNOUNCEMENTS / "news-page.html").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(html), encoding="utf-8"))

    from_stdin = json.loads(run("-", "--json"))
    from_file = json.loads(run(str(ANNOUNCEMENTS / "news-page.html"), "--json"))

    assert [d["title"] for d in from_file] == [
        "Ministerial Meeting on Countering Violent Extremism",
        "Coordination Meeting of the SALW Commissions",
    ]
    assert from_stdin == from_file


def test_the_command_summary_is_readable(names, tmp_path):
    printed = run(write(tmp_path, "wbcti.txt", WBCTI))

    assert printed.splitlines()[:8] == [
        "1. 12th WBCTi Steering Group meeting",
        "   When: 2019-11-14, 09:30 (day)",
        "   Where: Podgorica, Montenegro",
        "   Organiser (host): Ministry of Interior of Montenegro",
        "   Organiser (co_chair): IISG Support Group",
        "   Organiser (co_chair): DG HOME",
        "   Funder: European Union (IPA II)",
        "   Programmes: Western Balkan Counter-Terrorism Initiative",
    ]


def test_the_command_saves_with_save_and_says_what_it_created(names, tmp_path):
    printed = run(write(tmp_path, "wbcti.txt", WBCTI), "--save", "--json")

    steering, cti = Meeting.objects.order_by("pk")
    assert printed.splitlines()[-2:] == [
        f"Created draft meeting {steering.pk}: 12th WBCTi Steering Group meeting (/12th-wbcti-steering-group-meeting/)",
        f"Created draft meeting {cti.pk}: CTI Network meeting (/cti-network-meeting/)",
    ]


def test_the_command_saves_nothing_when_the_second_draft_fails(names, tmp_path):
    path = write(tmp_path, "two.txt", TWO_MEETINGS_SECOND_BROKEN)

    with pytest.raises(CommandError) as error:
        run(path, "--save")

    assert str(error.value) == f"“Meeting of the SALW Commissions” cannot be saved, so nothing was: {END_BEFORE_START}"
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("   \n\n  ", EMPTY_TEXT),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_TEXT),
        (b"\xff\xfe\xfa not utf-8", NOT_TEXT),
    ],
    ids=["empty", "binary", "not-utf-8"],
)
def test_the_command_refuses_bad_input_with_a_clear_line(names, tmp_path, content, message):
    path = write(tmp_path, "bad.txt", content)

    with pytest.raises(CommandError) as error:
        run(path, "--json")

    assert str(error.value) == str(message)


def test_the_command_says_when_the_file_is_missing(names, tmp_path):
    missing = str(tmp_path / "nowhere.txt")

    with pytest.raises(CommandError) as error:
        run(missing)

    assert str(error.value) == NO_FILE.format(path=missing)
