"""One address per language, "/" by the visitor's choice, the switcher, hreflang, feeds per language,
the admin in the editor's language, and Montenegrin as a language of its own."""

import datetime
import re

import icalendar
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info

from events.models import KOSOVO_FOOTNOTE
from tests.support.factories import CountryFactory, MeetingFactory, TopicFactory, VenueFactory
from tests.support.html import elements

pytestmark = pytest.mark.django_db

CODES = [code for code, _name in settings.LANGUAGES]
PREFIXES = {code: "" if code == "en" else f"/{code}" for code in CODES}


@pytest.fixture
def meeting():
    albania = CountryFactory(code="AL", name="Albania")
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    meeting = MeetingFactory(
        title="NFP Group meeting",
        slug="nfp",
        start_date=datetime.date(2030, 4, 23),
        venue=VenueFactory(city="Tirana", country=albania, timezone="Europe/Tirane"),
    )
    meeting.topics.add(pcve)
    return meeting


def in_language(code, text):
    with translation.override(code):
        return translation.gettext(text)


@pytest.mark.parametrize("code", CODES)
def test_every_language_has_its_own_addresses(client, meeting, code):
    for path in ["/", "/meetings/", "/meetings/nfp/", "/calendar/2030/4/", "/organisers/", "/subscribe/"]:
        response = client.get(PREFIXES[code] + path)
        assert response.status_code == 200, path
        assert response["Content-Language"] == code
        assert f'<html lang="{code}">' in response.content.decode()
        if PREFIXES[code] + path != "/":  # only the bare "/" follows the visitor (below)
            # The address says the language: no shared cache needs to split it by browser.
            assert "accept-language" not in response.get("Vary", "").lower(), path


def test_an_unprefixed_public_address_is_english_whatever_the_browser_asks(client, meeting):
    response = client.get("/meetings/", headers={"accept-language": "sq"})
    assert response["Content-Language"] == "en"
    assert "<h1>Meetings</h1>" in response.content.decode()


def test_the_home_address_follows_the_saved_choice_then_the_browser(client, meeting):
    plain = client.get("/")
    by_browser = client.get("/", headers={"accept-language": "mk,en;q=0.5"})
    by_latin_serbian_browser = client.get("/", headers={"accept-language": "sr-Latn-RS"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cnr"
    by_choice = client.get("/?utm_source=x", headers={"accept-language": "mk"})

    assert plain.status_code == 200 and plain["Content-Language"] == "en"
    assert (by_browser.status_code, by_browser["Location"]) == (302, "/mk/")
    assert by_latin_serbian_browser["Location"] == "/sr-latn/"
    assert (by_choice.status_code, by_choice["Location"]) == (302, "/cnr/?utm_source=x")
    for response in (plain, by_browser, by_choice):
        assert {"accept-language", "cookie"} <= {part.strip().lower() for part in response["Vary"].split(",")}


def test_the_switcher_saves_the_choice_and_keeps_the_page_and_its_filters(client, meeting):
    response = client.post("/language/", {"language": "sr", "next": "/meetings/?topic=p-cve&country=AL"})

    assert (response.status_code, response["Location"]) == (302, "/sr/meetings/?topic=p-cve&country=AL")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["max-age"], cookie["samesite"]) == ("sr", settings.LANGUAGE_COOKIE_AGE, "Lax")
    assert client.get("/")["Location"] == "/sr/"

    back = client.post("/language/", {"language": "en", "next": "/sr/meetings/nfp/"})
    assert back["Location"] == "/meetings/nfp/"


@pytest.mark.parametrize(
    "data",
    [
        {"language": "xx", "next": "/meetings/"},
        {"language": "", "next": "/meetings/"},
        {"next": "/meetings/"},
    ],
)
def test_an_unknown_language_is_a_400_that_says_why(client, data):
    response = client.post("/language/", data)
    assert response.status_code == 400
    assert response.content.decode() == "There is no such language on this site."


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_switcher_never_leaves_the_site(client, next_url):
    response = client.post("/language/", {"language": "sq", "next": next_url})
    assert (response.status_code, response["Location"]) == (302, "/sq/")


def test_the_switcher_is_a_form_on_every_page_naming_each_language_in_itself(client, meeting):
    response = client.get("/sr/meetings/?topic=p-cve")
    buttons = elements(response.content, "button", name="language")

    assert [(b["attrs"]["value"], b["attrs"]["lang"], b["text"]) for b in buttons] == [
        ("en", "en", "English"),
        ("sq", "sq", "Shqip"),
        ("bs", "bs", "Bosanski"),
        ("hr", "hr", "Hrvatski"),
        ("mk", "mk", "Македонски"),
        ("cnr", "cnr", "Crnogorski"),
        ("sr", "sr", "Српски"),
        ("sr-latn", "sr-latn", "Srpski"),
        ("sl", "sl", "Slovenščina"),
    ]
    assert [b["attrs"]["value"] for b in buttons if b["attrs"].get("aria-current") == "true"] == ["sr"]
    assert [field["attrs"]["value"] for field in elements(response.content, "input", name="next")] == [
        "/sr/meetings/?topic=p-cve"
    ]


def test_every_page_names_its_other_languages_with_its_filters(client, meeting):
    response = client.get("/sq/meetings/?topic=p-cve")
    links = [
        (link["attrs"]["hreflang"], link["attrs"]["href"])
        for link in elements(response.content, "link", rel="alternate")
        if "hreflang" in link["attrs"]
    ]
    assert links == [
        *[(code, f"{settings.SITE_URL}{PREFIXES[code]}/meetings/?topic=p-cve") for code in CODES],
        ("x-default", f"{settings.SITE_URL}/meetings/?topic=p-cve"),
    ]


def test_a_feed_per_language_has_that_languages_texts_and_the_same_uids(client, meeting):
    english = icalendar.Calendar.from_ical(client.get("/calendar.ics?topic=p-cve").content)
    albanian = icalendar.Calendar.from_ical(client.get("/sq/calendar.ics?topic=p-cve").content)

    assert str(english["X-WR-CALNAME"]).startswith("Security meetings")
    assert str(albanian["X-WR-CALNAME"]).startswith("Takime për sigurinë")
    uids = [[str(event["UID"]) for event in calendar.walk("VEVENT")] for calendar in (english, albanian)]
    assert uids[0] == uids[1] and len(uids[0]) == 1
    albanian_event = albanian.walk("VEVENT")[0]
    assert "http://" in str(albanian_event["URL"]) and "/sq/meetings/nfp/" in str(albanian_event["URL"])


def test_subscribe_and_add_to_calendar_links_point_at_the_visitors_language(client, meeting):
    listing = client.get("/mk/meetings/?topic=p-cve").content.decode()
    page = client.get("/mk/meetings/nfp/").content.decode()

    assert re.search(r'href="webcal://[^"]*/mk/calendar\.ics\?topic=p-cve"', listing)
    assert 'href="/mk/meetings/nfp.ics"' in page
    assert "/en/" not in listing


@pytest.mark.parametrize("code", [code for code in CODES if code != "en"])
def test_the_kosovo_footnote_is_in_each_language(client, code):
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    MeetingFactory(slug="in-pristina", start_date=datetime.date(2030, 5, 1), venue=VenueFactory(country=kosovo))
    with translation.override(code):
        footnote = str(KOSOVO_FOOTNOTE)
    with translation.override("en"):
        english = str(KOSOVO_FOOTNOTE)

    page = client.get(f"/{code}/meetings/in-pristina/").content.decode()

    assert footnote != english and footnote.startswith("*")
    assert [p["text"] for p in elements(page.encode(), "p", "designation-footnote")] == [footnote]


def test_the_admin_follows_the_editors_language(client, admin_user):
    client.force_login(admin_user)
    by_browser = client.get("/admin/", headers={"accept-language": "hr"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sq"
    by_choice = client.get("/admin/", headers={"accept-language": "hr"})

    assert by_browser["Content-Language"] == "hr"
    assert by_choice["Content-Language"] == "sq"
    assert in_language("sq", "Log out") in by_choice.content.decode()


def test_montenegrin_is_a_language_of_its_own_with_djangos_strings_from_its_neighbours(client):
    info = get_language_info("cnr")
    login = client.get("/admin/login/", headers={"accept-language": "cnr"})

    assert (info["name"], info["name_local"]) == ("Montenegrin", "Crnogorski")
    assert login["Content-Language"] == "cnr"
    # Django has no Montenegrin: its own strings come from Bosnian (ijekavian, Latin).
    with translation.override("bs"):
        bosnian = translation.gettext("Log in")
    assert bosnian != "Log in"
    assert bosnian in login.content.decode()
    assert "srpski" not in login.content.decode().lower()


@pytest.mark.parametrize("code", ["sr", "sq"])
def test_an_error_met_before_any_view_is_in_the_language_of_the_address(client, code):
    client.get("/mk/meetings/")  # another language served just before, in the same thread
    response = client.get(f"/{code}/meetings/", headers={"host": "not-our-host.example"})

    assert response.status_code == 400
    assert f"<h1>{in_language(code, 'Bad request')}</h1>" in response.content.decode()
    assert in_language(code, "Bad request") != "Bad request"


@pytest.mark.parametrize(
    "code, north_macedonia, kosovo",
    [
        ("en", "North Macedonia", "Kosovo*"),
        ("sq", "Maqedonia e Veriut", "Kosovë*"),
        ("mk", "Северна Македонија", "Косово*"),
        ("sr", "Северна Македонија", "Косово*"),
        ("sr-latn", "Severna Makedonija", "Kosovo*"),
        # Montenegrin writes ijekavian: never the Serbian (ekavian) names.
        ("cnr", "Sjeverna Makedonija", "Kosovo*"),
        ("sl", "Severna Makedonija", "Kosovo*"),
    ],
)
def test_country_names_come_from_cldr_in_each_language(client, code, north_macedonia, kosovo):
    CountryFactory(code="MK", name="North Macedonia")
    CountryFactory(code="XK", name="Kosovo", needs_designation=True)

    labels = [label["text"] for label in elements(client.get(f"{PREFIXES[code]}/meetings/").content, "label")]

    # Each option's label is the name, then its count of meetings.
    names = [label.rsplit(" (", 1)[0].strip() for label in labels]
    assert north_macedonia in names and kosovo in names


def test_a_title_naming_kosovo_in_albanian_carries_the_footnote(client):
    CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    MeetingFactory(title="Takim rajonal në Kosovë", slug="takim", start_date=datetime.date(2030, 6, 1))

    page = client.get("/sq/meetings/").content

    assert len(elements(page, "p", "designation-footnote")) == 1


def test_the_sitemap_index_lists_the_sections_of_its_own_address(client, meeting):
    serbian = client.get("/sr/sitemap.xml").content.decode()
    english = client.get("/sitemap.xml").content.decode()

    assert "<loc>http://testserver/sr/sitemap-pages.xml</loc>" in serbian
    assert "<loc>http://testserver/sitemap-pages.xml</loc>" in english
    assert "/sr/" not in english


@pytest.mark.parametrize(
    "language, next_url, location",
    [
        ("en", "/sq/no-such-page/?x=1", "/no-such-page/?x=1"),
        ("sq", "/no-such-page/", "/sq/no-such-page/"),
        ("mk", "/sr/meetings/no-such-meeting/", "/mk/meetings/no-such-meeting/"),
        ("sq", "/admin/events/meeting/", "/admin/events/meeting/"),
    ],
)
def test_the_switcher_on_a_page_not_found_opens_it_in_the_chosen_language(client, language, next_url, location):
    response = client.post("/language/", {"language": language, "next": next_url})
    assert response["Location"] == location


def test_serbian_latin_content_is_written_from_the_cyrillic(client, meeting):
    meeting.title_sr = "Састанак националних координатора у Тирани"
    meeting.summary_sr = "Регионални састанак."
    meeting.description_sr = meeting.description and "Дневни ред."
    meeting.save()

    latin = client.get("/sr-latn/meetings/nfp/").content.decode()

    assert "<h1>Sastanak nacionalnih koordinatora u Tirani</h1>" in latin
    assert "Regionalni sastanak." in latin
    assert in_language("sr-latn", "Available in English only") not in latin


def test_the_language_cookie_is_secure_exactly_when_the_site_is_https_only():
    assert settings.LANGUAGE_COOKIE_SECURE == settings.HTTPS_ONLY == settings.SESSION_COOKIE_SECURE


@pytest.mark.parametrize("code", [code for code in CODES if code != "en"])
def test_the_invitation_quotes_the_login_pages_own_label(code):
    """The e-mail names the link the editor will see on the login page, in the same words."""
    with translation.override(code):
        label = translation.gettext("Forgotten your login credentials?")
        line = translation.gettext(
            "Then sign in at %(login_url)s. If the link has expired, use “Forgotten your login credentials?” there."
        )
    assert label != "Forgotten your login credentials?"
    assert label in line


@pytest.mark.parametrize(
    "code, belgrade, vienna",
    [
        ("en", "Belgrade", "Vienna"),
        ("sr", "Београд", "Беч"),
        ("sr-latn", "Beograd", "Beč"),
        ("sq", "Beograd", "Vjenë"),
        ("mk", "Белград", "Виена"),
        ("sl", "Beograd", "Dunaj"),
    ],
)
def test_city_names_come_from_cldr_where_it_names_them(client, code, belgrade, vienna):
    serbia = CountryFactory(code="RS", name="Serbia")
    austria = CountryFactory(code="AT", name="Austria")
    for slug, city, country, zone in [
        ("in-belgrade", "Belgrade", serbia, "Europe/Belgrade"),
        ("in-vienna", "Vienna", austria, "Europe/Vienna"),
        ("in-thorl", "Thörl-Maglern", austria, "Europe/Vienna"),
    ]:
        MeetingFactory(
            slug=slug,
            start_date=datetime.date(2030, 7, 1),
            venue=VenueFactory(city=city, country=country, timezone=zone),
        )

    places = " ".join(
        p["text"] for p in elements(client.get(f"{PREFIXES[code]}/meetings/").content, "p", "meeting-meta")
    )

    assert belgrade in places and vienna in places
    # A city CLDR does not name keeps the name it was entered with.
    assert "Thörl-Maglern" in places


@pytest.mark.parametrize("typed", ["Belgrade", "belgrade", "Beograd", "Београд", "Белград"])
def test_the_city_filter_takes_the_city_in_any_script_or_language(client, typed):
    serbia = CountryFactory(code="RS", name="Serbia")
    MeetingFactory(
        title="In Belgrade",
        slug="in-belgrade",
        start_date=datetime.date(2030, 7, 1),
        venue=VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade"),
    )
    MeetingFactory(
        title="In Novi Beograd",
        slug="novi",
        start_date=datetime.date(2030, 7, 2),
        venue=VenueFactory(city="Novi Sad", country=serbia, timezone="Europe/Belgrade"),
    )

    titles = [a["text"] for a in elements(client.get("/sr/meetings/", {"city": typed}).content, "a", "meeting-link")]

    assert titles == ["In Belgrade"]


@pytest.mark.parametrize("typed", ["Dunaj", "Беч", "Vjenë", "Виена", "Wien"])
def test_a_search_finds_a_city_by_the_name_any_language_of_the_site_gives_it(client, typed):
    austria = CountryFactory(code="AT", name="Austria")
    MeetingFactory(
        title="Expert meeting",
        slug="expert",
        start_date=datetime.date(2030, 7, 1),
        venue=VenueFactory(city="Vienna", country=austria, timezone="Europe/Vienna"),
    )

    titles = [a["text"] for a in elements(client.get("/sl/meetings/", {"q": typed}).content, "a", "meeting-link")]

    assert titles == ["Expert meeting"]


def test_the_history_screen_is_in_the_editors_language_with_no_none_for_an_empty_reason(client, admin_user):
    meeting = MeetingFactory(title="History meeting", slug="history")
    meeting.summary = "Changed once."
    meeting.save()
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sq"

    page = client.get(f"/admin/events/meeting/{meeting.pk}/history/").content

    headers = [th["text"] for th in elements(page, "th")]
    assert in_language("sq", "Changes") in headers and "Changes" not in headers
    assert "None" not in [td["text"] for td in elements(page, "td")]
