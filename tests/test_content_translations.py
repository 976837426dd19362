"""Meetings, topics and organisations in several languages, and a meeting's working languages."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import translation

from events.calendar.importer import import_calendar
from events.editors.actions import duplicate_as_next_edition
from events.models import Meeting
from organisations.models import Organisation
from tests.support.admin_forms import form_data
from tests.support.calendars import content_of, parse
from tests.support.factories import (
    MeetingFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
)
from tests.support.html import elements, texts
from tests.test_admin import make_editor

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def translated_meeting(**fields):
    meeting = MeetingFactory(
        title="Regional conference on border security",
        slug="border-conference",
        summary="Heads of border police meet.",
        description="The **agenda** follows.",
        **fields,
    )
    meeting.title_sq = "Konferenca rajonale për sigurinë e kufijve"
    meeting.summary_sq = "Takohen drejtuesit e policisë kufitare."
    meeting.save()
    return meeting


# --- Pages: the visitor's language, English where there is no translation ------


def test_the_page_shows_the_visitors_language_where_the_meeting_is_translated(client):
    translated_meeting()

    albanian = client.get("/sq/meetings/border-conference/")
    english = client.get("/meetings/border-conference/")

    assert texts(albanian.content, "h1") == ["Konferenca rajonale për sigurinë e kufijve"]
    assert not elements(albanian.content, "h1", lang="en")
    assert texts(albanian.content, "p", "lead") == ["Takohen drejtuesit e policisë kufitare."]
    # The description has no Albanian text: English, marked as such.
    assert [element["text"] for element in elements(albanian.content, "div", lang="en")] == ["The agenda follows."]
    assert texts(english.content, "h1") == ["Regional conference on border security"]
    assert not texts(english.content, "p", "translation-note")


def test_an_untranslated_meeting_says_it_is_in_english_only_and_marks_the_english_text(client):
    translated_meeting()

    response = client.get("/bs/meetings/border-conference/")

    heading = elements(response.content, "h1")
    assert [(element["text"], element["attrs"].get("lang")) for element in heading] == [
        ("Regional conference on border security", "en")
    ]
    assert texts(response.content, "p", "lead") == ["Heads of border police meet."]
    assert elements(response.content, "p", "lead", lang="en")
    with translation.override("bs"):
        note = translation.gettext("Available in English only")
    assert texts(response.content, "p", "translation-note") == [note]


def test_organisation_and_topic_names_in_english_carry_their_language(client):
    meeting = translated_meeting()
    organisation = OrganisationFactory(name="Border Police Network", acronym="BPN")
    MeetingOrganiserFactory(meeting=meeting, organisation=organisation)
    topic = TopicFactory(name="Border security", slug="border-security")
    topic.name_sq = "Siguria e kufijve"
    topic.save()
    meeting.topics.add(topic)

    response = client.get("/sq/meetings/border-conference/")

    assert [
        element["attrs"].get("lang")
        for element in elements(response.content, "a")
        if element["text"] == "Border Police Network (BPN)"
    ] == ["en"]
    topics = [
        element
        for element in elements(response.content, "a")
        if "topic=border-security" in element["attrs"].get("href", "")
    ]
    assert [(element["text"], element["attrs"].get("lang")) for element in topics] == [("Siguria e kufijve", None)]


def test_the_list_names_meetings_in_the_visitors_language_and_orders_them_alike_everywhere(client):
    for title, albanian in [("Alpha meeting", "Zeta takim"), ("Beta meeting", None), ("Gamma meeting", "Alfa takim")]:
        meeting = MeetingFactory(title=title, start_date=D(2030, 5, 14))
        if albanian:
            meeting.title_sq = albanian
            meeting.save()

    english = texts(client.get("/meetings/").content, "a", "meeting-link")
    albanian = texts(client.get("/sq/meetings/").content, "a", "meeting-link")

    assert english == ["Alpha meeting", "Beta meeting", "Gamma meeting"]
    # Same order (the English titles'), each in Albanian where it has one.
    assert albanian == ["Zeta takim", "Beta meeting", "Alfa takim"]


def test_a_search_in_any_language_finds_the_meeting(client):
    translated_meeting()
    organisation = OrganisationFactory(name="Border Police Network", acronym="BPN")
    organisation.name_mk = "Мрежа на гранична полиција"
    organisation.save()

    for words in ["kufijve", "border security"]:
        found = texts(client.get("/meetings/", {"q": words}).content, "a", "meeting-link")
        assert found == ["Regional conference on border security"], words
    # Folded across scripts, as the search reads it.
    assert "granicna policija" in Organisation.objects.get(pk=organisation.pk).search_text


# --- Where the English text is kept -------------------------------------------


def test_a_save_in_another_language_keeps_the_untranslated_column_english():
    meeting = translated_meeting()
    with translation.override("sq"):
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting.status_note = "Shënim"
        meeting.save(update_fields=["status_note"])
        meeting.title = "Titull i ri"
        meeting.save(update_fields=["title"])

    stored = Meeting.objects.rewrite(False).values_list("title", "title_en", "title_sq").get(pk=meeting.pk)
    assert stored == ("Regional conference on border security", "Regional conference on border security", "Titull i ri")


def test_the_history_keeps_every_language():
    meeting = translated_meeting()

    latest = meeting.history.order_by("-history_date").first()

    assert (latest.title_en, latest.title_sq) == (meeting.title_en, "Konferenca rajonale për sigurinë e kufijve")
    assert latest.title == "Regional conference on border security"


def test_an_import_in_another_language_writes_the_english_text():
    calendar = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:one@example.org\r\nDTSTAMP:20300101T000000Z\r\nDTSTART;VALUE=DATE:20300601\r\n"
        b"SUMMARY:Imported meeting\r\nDESCRIPTION:Imported text\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    with translation.override("sq"):
        import_calendar(calendar)

    stored = Meeting.objects.rewrite(False).values_list("title", "title_en", "title_sq", "description_en").get()
    assert stored == ("Imported meeting", "Imported meeting", None, "Imported text")
    assert Meeting.history.get().title_en == "Imported meeting"


# --- Feeds --------------------------------------------------------------------


def test_the_calendar_feed_per_language_gives_the_translated_title_and_the_same_uid(client):
    translated_meeting()
    MeetingFactory(title="Untranslated meeting", slug="untranslated")

    english = parse(content_of(client.get("/calendar.ics")))
    albanian = parse(content_of(client.get("/sq/calendar.ics")))

    def events(calendar):
        return {uid: fields["summary"] for uid, fields in calendar.items()}

    assert set(events(english)) == set(events(albanian))
    assert sorted(events(albanian).values()) == ["Konferenca rajonale për sigurinë e kufijve", "Untranslated meeting"]
    assert sorted(events(english).values()) == ["Regional conference on border security", "Untranslated meeting"]


# --- Admin ---------------------------------------------------------------------


def test_an_editor_enters_translations_in_the_same_form(editor_client, client):
    meeting = translated_meeting()
    url = reverse("admin:events_meeting_change", args=[meeting.pk])
    page = editor_client.get(url)
    data = form_data(page)
    fields = set(page.context["adminform"].form.fields)
    assert {"title_en", "title_sq", "title_sr_latn", "summary_mk", "description_cnr"} <= fields
    assert "title" not in fields
    html = page.content.decode()
    assert "js/translation-tabs" in html
    assert "googleapis" not in html

    data.update(title_mk="Регионална конференција за безбедност на границите", _save="1")
    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.title_mk == "Регионална конференција за безбедност на границите"
    assert meeting.history.order_by("-history_date").first().title_mk == meeting.title_mk
    shown = client.get("/mk/meetings/border-conference/")
    assert texts(shown.content, "h1") == ["Регионална конференција за безбедност на границите"]


# --- Working languages and interpretation ---------------------------------------


def test_the_page_names_the_working_languages_in_the_visitors_language(client):
    MeetingFactory(slug="with-languages", working_languages="en", interpretation_into="sq mk")
    MeetingFactory(slug="in-montenegrin", working_languages="cnr sr")

    english = client.get("/meetings/with-languages/")
    serbian = client.get("/sr-latn/meetings/with-languages/")
    montenegrin = client.get("/sr-latn/meetings/in-montenegrin/")

    assert texts(english.content, "dd", "meeting-languages") == [
        "English, with interpretation into Albanian and Macedonian"
    ]
    with translation.override("sr-latn"):
        sentence = translation.gettext("%(languages)s, with interpretation into %(interpretation)s")
        montenegrin_name = translation.pgettext("language name in a list", "Montenegrin")
    assert texts(serbian.content, "dd", "meeting-languages") == [
        sentence % {"languages": "engleski", "interpretation": "albanski i makedonski"}
    ]
    shown = texts(montenegrin.content, "dd", "meeting-languages")[0]
    assert shown == f"{montenegrin_name} i srpski"
    assert not shown.startswith("srpski")


def test_json_ld_gives_the_languages_as_codes(client):
    MeetingFactory(slug="with-languages", working_languages="en", interpretation_into="sq mk")

    response = client.get("/meetings/with-languages/")

    script = elements(response.content, "script", type="application/ld+json")[0]["text"]
    assert json.loads(script)["inLanguage"] == ["en", "sq", "mk"]


def test_the_list_filters_by_working_language_or_interpretation(client):
    MeetingFactory(title="Held in Albanian", working_languages="sq")
    MeetingFactory(title="Interpreted into Albanian", working_languages="en", interpretation_into="mk sq")
    MeetingFactory(title="Interpreted into Serbian", working_languages="en", interpretation_into="sr")
    MeetingFactory(title="No languages given")

    albanian = texts(client.get("/meetings/", {"language": "sq"}).content, "a", "meeting-link")
    either = texts(client.get("/meetings/", {"language": ["sr", "sq"]}).content, "a", "meeting-link")

    assert albanian == ["Held in Albanian", "Interpreted into Albanian"]
    assert either == ["Held in Albanian", "Interpreted into Albanian", "Interpreted into Serbian"]


def test_the_language_filter_is_canonical():
    from django.http import QueryDict

    from events.filters import MeetingQuery

    assert MeetingQuery(QueryDict("language=sq&language=mk&language=sq")).key == "language=mk&language=sq"


def test_an_editor_ticks_the_languages_and_an_unknown_code_is_refused(editor_client):
    meeting = MeetingFactory(slug="border-conference")
    url = reverse("admin:events_meeting_change", args=[meeting.pk])
    data = form_data(editor_client.get(url))

    response = editor_client.post(url, {**data, "working_languages": ["sq", "en"], "interpretation_into": ["mk"]})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.working_languages, meeting.interpretation_into) == ("en sq", "mk")
    refused = editor_client.post(url, {**form_data(editor_client.get(url)), "working_languages": ["xx"]})
    assert list(refused.context["adminform"].form.errors) == ["working_languages"]


def test_the_next_edition_keeps_every_language_whatever_the_editors_language():
    meeting = MeetingFactory(title="7th Meeting of the NFP Group", summary="Annual meeting.")
    meeting.title_sq = "Takimi i 7-të i Grupit NFP"
    meeting.summary_sq = "Takim vjetor."
    meeting.save()

    with translation.override("sq"):
        copy = duplicate_as_next_edition(meeting)
    copy.refresh_from_db()

    assert (copy.title_en, copy.summary_en) == ("8th Meeting of the NFP Group", "Annual meeting.")
    assert (copy.title_sq, copy.summary_sq) == ("Takimi i 7-të i Grupit NFP", "Takim vjetor.")
    assert copy.slug == "8th-meeting-of-the-nfp-group"


def test_the_next_edition_form_offers_the_english_title_in_any_admin_language(editor_client):
    meeting = MeetingFactory(title="7th Meeting of the NFP Group")
    meeting.title_sq = "Takimi i 7-të i Grupit NFP"
    meeting.save()
    url = reverse("admin:events_meeting_duplicate", args=[meeting.pk])

    page = editor_client.get(url, headers={"accept-language": "sq"})

    assert [field["attrs"]["value"] for field in elements(page.content, "input", name="title")] == [
        "8th Meeting of the NFP Group"
    ]
