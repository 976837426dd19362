"""The seed fixtures say what ../shared/seed/announcements.txt says, meeting by meeting."""

import datetime

import pytest
from django.core.management import call_command

from events.models import DatePrecision, Meeting, Publication

D = datetime.date
WB6 = ["AL", "BA", "ME", "MK", "RS", "XK"]

# slug: (start, end, city, country code, [(organiser slug, role)], [(funder slug, instrument)])
EXPECTED = {
    "3rd-meeting-regional-network-national-p-cve-coordinators": (
        D(2019, 4, 24),
        D(2019, 4, 24),
        "Tirana",
        "AL",
        [("eud-eusr-bih", "organiser"), ("iisg-support-group", "organiser")],
        [("eu", "")],
    ),
    "7th-meeting-rcc-nfp-group": (D(2019, 4, 23), D(2019, 4, 23), None, None, [("rcc", "organiser")], []),
    "1st-iisg-national-p-cve-coordination-meeting-albania": (
        D(2019, 4, 25),
        D(2019, 4, 25),
        None,
        None,
        [("iisg-support-group", "organiser")],
        [],
    ),
    "informal-coordination-meeting-ipa-ii-2017-regional-programme": (
        D(2019, 4, 12),
        D(2019, 4, 12),
        "Vienna",
        "AT",
        [("unodc", "organiser")],
        [("eu", "")],
    ),
    "meeting-heads-police-cooperation-centres": (
        None,
        None,
        None,
        None,
        [("dcaf", "organiser"), ("slovenian-police-border-police-division", "in_cooperation_with")],
        [("norway-ministry-of-foreign-affairs", "PCIB Grant")],
    ),
    "study-visit-pccc-thorl-maglern": (None, None, "Thörl-Maglern", "AT", [], []),
    "seesac-meeting-regional-steering-group-salw": (
        D(2019, 3, 5),
        D(2019, 3, 5),
        "Belgrade",
        "RS",
        [("seesac", "organiser"), ("rcc", "co_chair"), ("undp", "co_chair")],
        [],
    ),
    "3rd-meeting-iisg-board": (
        D(2019, 2, 26),
        D(2019, 2, 26),
        "Skopje",
        "MK",
        [
            ("iisg-support-group", "co_organiser"),
            ("brdo-process-ministerial-conference", "co_organiser"),
            ("north-macedonia-ministry-of-internal-affairs", "host"),
            ("european-commission-dg-near", "chair"),
        ],
        [],
    ),
    "meeting-counter-terrorism-initiative-cti-network": (
        D(2018, 10, 23),
        D(2018, 10, 25),
        "Portorož",
        "SI",
        [("slovenian-police-criminal-police-directorate", "organiser"), ("iisg-support-group", "organiser")],
        [
            (
                "eu",
                "IPA II 2016 Multi-Country Action “Support to Prevention and Countering Violent Extremism "
                "in the Western Balkans”",
            ),
            ("slovenia-ministry-of-the-interior", "Internal Security Fund (ISF)"),
        ],
    ),
    "35th-meeting-board-regional-cooperation-council": (
        D(2018, 10, 18),
        D(2018, 10, 18),
        "Sarajevo",
        "BA",
        [("rcc", "organiser")],
        [],
    ),
    "pcc-see-meeting-heads-criminal-police": (
        D(2018, 10, 1),
        D(2018, 10, 3),
        "Tirana",
        "AL",
        [("pcc-see-chairmanship-albania", "organiser"), ("pcc-see-secretariat", "secretariat")],
        [],
    ),
    "meeting-border-police-chiefs": (
        D(2018, 7, 18),
        D(2018, 7, 19),
        "Tirana",
        "AL",
        [],
        [("eu", ""), ("germany", "")],
    ),
}


@pytest.fixture
def seeded(seed):
    return {m.slug: m for m in Meeting.objects.with_related()}


def test_seed_holds_exactly_the_announced_meetings(seeded):
    assert sorted(seeded) == sorted(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_seed_meeting_matches_the_announcement(seeded, slug):
    start, end, city, country, organisers, funders = EXPECTED[slug]
    meeting = seeded[slug]

    assert (meeting.start_date, meeting.end_date) == (start, end)
    assert meeting.date_precision == (DatePrecision.DAY if start else DatePrecision.UNKNOWN)
    assert (meeting.venue.city if meeting.venue else None) == city
    assert (meeting.venue.country.code if meeting.venue else None) == country
    assert [(r.organisation.slug, r.role) for r in meeting.organiser_roles.all()] == organisers
    assert [(f.organisation.slug, f.instrument) for f in meeting.fundings.all()] == funders
    assert meeting.publication == Publication.PUBLISHED


def test_seed_back_to_back_links_read_from_both_ends(seeded):
    rnnc = seeded["3rd-meeting-regional-network-national-p-cve-coordinators"]
    nfp = seeded["7th-meeting-rcc-nfp-group"]
    albania = seeded["1st-iisg-national-p-cve-coordination-meeting-albania"]

    assert [(label, m.slug) for label, m in rnnc.linked_meetings()] == [
        ("Back-to-back with", nfp.slug),
        ("Back-to-back with", albania.slug),
    ]
    assert [(label, m.slug) for label, m in nfp.linked_meetings()] == [("Back-to-back with", rnnc.slug)]
    assert [(label, m.slug) for label, m in albania.linked_meetings()] == [("Back-to-back with", rnnc.slug)]


def test_seed_study_visit_is_linked_to_the_pccc_meeting(seeded):
    pccc = seeded["meeting-heads-police-cooperation-centres"]
    visit = seeded["study-visit-pccc-thorl-maglern"]

    assert [(label, m.slug) for label, m in pccc.linked_meetings()] == [("Study visit", visit.slug)]
    assert [(label, m.slug) for label, m in visit.linked_meetings()] == [("Study visit during", pccc.slug)]


def test_seed_pccc_meeting_names_the_six_participants_with_kosovo_designated(seeded):
    pccc = seeded["meeting-heads-police-cooperation-centres"]

    assert sorted(c.code for c in pccc.countries.all()) == WB6
    assert sorted(c.display_name for c in pccc.countries.all()) == [
        "Albania",
        "Bosnia and Herzegovina",
        "Kosovo*",
        "Montenegro",
        "North Macedonia",
        "Serbia",
    ]


def test_seed_programmes_topics_and_level(seeded):
    def slugs(manager):
        return sorted(obj.slug for obj in manager.all())

    assert slugs(seeded["meeting-heads-police-cooperation-centres"].programmes) == ["dcaf-border-security-programme"]
    assert slugs(seeded["informal-coordination-meeting-ipa-ii-2017-regional-programme"].programmes) == [
        "ipa-ii-2017-regional-programme"
    ]
    assert slugs(seeded["meeting-counter-terrorism-initiative-cti-network"].programmes) == ["wbcti"]
    assert slugs(seeded["meeting-border-police-chiefs"].programmes) == ["countering-serious-crime-western-balkans"]
    assert slugs(seeded["3rd-meeting-iisg-board"].programmes) == ["brdo-process", "iisg"]
    assert slugs(seeded["seesac-meeting-regional-steering-group-salw"].topics) == ["salw"]
    assert slugs(seeded["meeting-counter-terrorism-initiative-cti-network"].topics) == ["counter-terrorism", "p-cve"]
    assert seeded["3rd-meeting-iisg-board"].level == "ministerial"


def test_seed_records_inferred_years_in_editor_notes(seeded):
    for slug in (
        "3rd-meeting-regional-network-national-p-cve-coordinators",
        "informal-coordination-meeting-ipa-ii-2017-regional-programme",
        "seesac-meeting-regional-steering-group-salw",
    ):
        assert "2019 inferred" in seeded[slug].editor_notes


def test_loadseed_twice_does_not_duplicate_or_overwrite_edits(db):
    call_command("loadseed", verbosity=0)
    meeting = Meeting.objects.get(slug="meeting-border-police-chiefs")
    meeting.summary = "Edited by an editor."
    meeting.save()

    call_command("loadseed", verbosity=0)

    assert Meeting.objects.count() == len(EXPECTED)
    assert Meeting.objects.get(slug="meeting-border-police-chiefs").summary == "Edited by an editor."
