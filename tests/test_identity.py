"""The site's identity: name, publisher, contact, logo, icons and accent colour, set from the
environment (settings.IDENTITY), reach every page, the admin and the theme stylesheets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import Client

from meetings_site import identity
from meetings_site.checks import check_identity
from tests.support.factories import MeetingFactory, MeetingFunderFactory, MeetingOrganiserFactory, OrganisationFactory
from tests.support.html import elements, texts

ROOT = Path(__file__).resolve().parent.parent

SECRETARIAT = {
    "name": {"": "Regional Secretariat meetings", "sq": "Takimet e Sekretariatit Rajonal"},
    "short_name": {"": "RS meetings"},
    "publisher": {"": "Regional Secretariat"},
    "publisher_url": "https://secretariat.example.org/",
    "contact_email": "calendar@secretariat.example.org",
    "logo": "img/favicon.svg",
    "accent": "#8a1c4a",
}


@pytest.fixture
def secretariat(settings):
    settings.IDENTITY = SECRETARIAT
    return settings


def settings_from_environment(**environment):
    """settings.IDENTITY as a process started with these variables reads it (or its error)."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.IDENTITY)"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1", **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Pages ------------------------------------------------------------------


def test_masthead_shows_the_configured_name_short_name_logo_and_publisher(client, db, secretariat):
    page = client.get("/meetings/").content

    assert texts(page, "span", "brand-name") == ["Regional Secretariat meetings"]
    assert texts(page, "span", "brand-short-name") == ["RS meetings"]
    assert [img["attrs"] for img in elements(page, "img", "brand-logo")] == [
        {"class": "brand-logo", "src": "/static/img/favicon.svg", "alt": "", "width": "48", "height": "48"}
    ]
    assert texts(page, "p", "masthead-publisher") == ["Regional Secretariat"]
    masthead = page.decode().split('class="masthead-publisher"')[1].split("</p>")[0]
    assert '<a href="https://secretariat.example.org/">Regional Secretariat</a>' in masthead


def test_masthead_without_settings_names_the_site_and_shows_the_shipped_mark(client, db):
    page = client.get("/").content

    assert texts(page, "span", "brand-name") == ["Western Balkans security meetings"]
    assert texts(page, "span", "brand-short-name") == []
    assert [img["attrs"]["src"] for img in elements(page, "img", "brand-logo")] == ["/static/img/logo.svg"]
    assert elements(page, "p", "masthead-publisher") == []
    assert texts(page, "title") == ["Western Balkans security meetings"]


def test_footer_shows_the_publisher_with_its_link_and_the_contact_address(client, db, secretariat):
    page = client.get("/meetings/").content

    assert texts(page, "p", "footer-name") == ["Regional Secretariat meetings"]
    assert texts(page, "p", "footer-publisher") == ["Published by Regional Secretariat"]
    assert texts(page, "p", "footer-contact") == ["Questions and corrections: calendar@secretariat.example.org"]
    footer = page.decode().split('<footer class="site-footer">')[1]
    assert '<a href="https://secretariat.example.org/">Regional Secretariat</a>' in footer
    assert '<a href="mailto:calendar@secretariat.example.org">' in footer
    # The proposal form, the feeds and the site map stay.
    assert texts(page, "ul", "footer-links") == [
        "Propose a meeting RSS feed of new meetings Atom feed of new meetings Site map (XML)"
    ]


def test_title_of_the_home_and_error_pages_carries_the_configured_name(client, db, secretariat):
    assert texts(client.get("/").content, "title") == ["Regional Secretariat meetings"]
    assert texts(client.get("/no-such-page/").content, "title") == ["Page not found – Regional Secretariat meetings"]


def test_a_custom_name_is_given_per_language_and_falls_back_to_the_common_one(client, db, secretariat):
    assert texts(client.get("/sq/").content, "span", "brand-name") == ["Takimet e Sekretariatit Rajonal"]
    assert texts(client.get("/sq/").content, "title") == ["Takimet e Sekretariatit Rajonal"]
    assert texts(client.get("/hr/").content, "span", "brand-name") == ["Regional Secretariat meetings"]


def test_serbian_latin_name_is_written_from_the_serbian_one_when_not_given(client, db, settings):
    settings.IDENTITY = {"name": {"": "Regional meetings", "sr": "Регионални састанци"}}

    assert texts(client.get("/sr/").content, "span", "brand-name") == ["Регионални састанци"]
    assert texts(client.get("/sr-latn/").content, "span", "brand-name") == ["Regionalni sastanci"]


def test_default_name_is_translated_in_each_language(client, db):
    albanian = texts(client.get("/sq/").content, "span", "brand-name")
    assert albanian != ["Western Balkans security meetings"]
    assert len(albanian) == 1 and albanian[0]


def test_a_changed_identity_is_not_served_from_the_cached_header(client, db, settings):
    client.get("/meetings/")  # the header and footer of the list are now cached in process memory
    settings.IDENTITY = {"name": {"": "Renamed calendar"}}
    page = client.get("/meetings/?q=border").content  # the same view, a page the page cache has not seen
    assert texts(page, "span", "brand-name") == ["Renamed calendar"]
    assert texts(page, "p", "footer-name") == ["Renamed calendar"]


def public_pages():
    organiser = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    funder = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    meeting = MeetingFactory(title="Border police heads", slug="border-police-heads")
    MeetingOrganiserFactory(meeting=meeting, organisation=organiser)
    MeetingFunderFactory(meeting=meeting, organisation=funder)
    return [
        "/",
        "/meetings/",
        "/meetings/?q=border",
        "/meetings/2030/",
        "/meetings/2030/5/",
        "/meetings/border-police-heads/",
        "/calendar/2030/5/",
        "/organisers/",
        "/organisers/rcc/",
        "/funders/",
        "/funders/eu/",
        "/subscribe/",
        "/no-such-page/",
        "/sq/meetings/",
    ]


def test_every_public_page_kind_has_one_non_empty_meta_description(client, db):
    for url in public_pages():
        response = client.get(url)
        descriptions = [
            meta["attrs"].get("content", "") for meta in elements(response.content, "meta", name="description")
        ]
        assert len(descriptions) == 1, url
        assert descriptions[0].strip(), url


def test_error_pages_describe_themselves(client, db):
    (description,) = elements(client.get("/no-such-page/").content, "meta", name="description")
    assert description["attrs"]["content"] == (
        "There is no page at this address. The meeting may have been removed, or the address mistyped."
    )


def test_every_page_names_the_icons_the_manifest_and_the_theme_colour(client, db, secretariat):
    page = client.get("/meetings/").content
    version = identity.current().version

    assert [
        (link["attrs"]["rel"], link["attrs"]["href"])
        for link in elements(page, "link")
        if "icon" in link["attrs"]["rel"] or link["attrs"]["rel"] == "manifest"
    ] == [
        ("icon", "/static/img/favicon.svg"),
        ("apple-touch-icon", "/static/img/apple-touch-icon.png"),
        ("manifest", f"/site.webmanifest?v={version}"),
    ]
    assert [meta["attrs"]["content"] for meta in elements(page, "meta", name="theme-color")] == ["#611434"]
    stylesheets = [link["attrs"]["href"] for link in elements(page, "link", rel="stylesheet")]
    # The theme comes right after the base sheet, so every other sheet sees its colours.
    assert stylesheets[:2] == ["/static/css/site.css", f"/theme.css?v={version}"]


def test_not_found_page_offers_a_labelled_search_of_the_meetings(client, db):
    page = client.get("/meetings/no-such-meeting/").content

    (form,) = elements(page, "form", "error-search")
    assert (form["attrs"]["method"], form["attrs"]["action"]) == ("get", "/meetings/")
    assert [label["attrs"]["for"] for label in elements(page, "label") if label["text"] == "Search meetings"] == [
        "not-found-search"
    ]
    assert [field["attrs"]["name"] for field in elements(page, "input", id="not-found-search")] == ["q"]


# --- Theme stylesheets, icons, manifest, robots.txt ----------------------------------------


def test_theme_css_writes_the_accent_and_its_shades(client, db, secretariat):
    version = identity.current().version
    response = client.get(f"/theme.css?v={version}")

    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.content.decode().splitlines()[1:] == [
        ":root {",
        "  --accent: #8a1c4a;",
        "  --accent-dark: #611434;",
        "  --accent-soft: #f3e8ed;",
        "  --on-accent: #ffffff;",
        "  --on-accent-dark: #ffffff;",
        "}",
    ]


def test_theme_css_of_another_version_is_not_kept_long(client, db):
    response = client.get("/theme.css?v=old")
    assert response["Cache-Control"] == "public, max-age=60"
    assert "--accent: #0b4f8a;" in response.content.decode()


def test_theme_version_changes_with_the_identity(settings):
    before = identity.current().version
    settings.IDENTITY = {**SECRETARIAT}
    assert identity.current().version != before


def test_default_theme_matches_the_defaults_written_in_site_css(client, db):
    site_css = (ROOT / "static/css/site.css").read_text()
    theme = client.get("/theme.css").content.decode()
    for line in theme.splitlines()[2:-1]:
        name, value = line.strip().rstrip(";").split(": ")
        written = value.replace("#ffffff", "#fff")
        assert f"  {name}: {written};" in site_css, name


def test_admin_theme_sets_the_admins_own_variables_in_the_accent(client, db, secretariat):
    css = client.get("/admin-theme.css").content.decode()

    assert "  --header-bg: #611434;\n" in css
    assert "  --button-bg: #8a1c4a;\n" in css
    # Links take the accent only in the light scheme: the dark scheme keeps its own light blues.
    light = css.split("@media (prefers-color-scheme: light)")[1]
    assert "  --link-fg: #8a1c4a;\n" in light
    assert "--link-fg" not in css.split("@media")[0]


def test_favicon_ico_answers_with_the_shipped_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_favicon_ico_leads_to_a_configured_favicon(client, db, settings):
    settings.IDENTITY = {"favicon": "img/logo.svg"}
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, "/static/img/logo.svg")


def test_shipped_icons_are_served_with_their_sizes(client, db):
    for path, size in [("img/apple-touch-icon.png", 180), ("img/icon-192.png", 192), ("img/icon-512.png", 512)]:
        data = (ROOT / "static" / path).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (size, size), path


def test_manifest_names_the_site_and_its_icons(client, db, settings):
    settings.IDENTITY = {**SECRETARIAT, "favicon": "img/logo.svg"}
    manifest = client.get("/site.webmanifest").json()

    assert (manifest["name"], manifest["short_name"], manifest["theme_color"]) == (
        "Regional Secretariat meetings",
        "RS meetings",
        "#611434",
    )
    assert [icon["src"] for icon in manifest["icons"]] == ["/static/img/apple-touch-icon.png", "/static/img/logo.svg"]


def test_manifest_with_the_shipped_icons_names_their_sizes(client, db):
    manifest = client.get("/site.webmanifest").json()
    assert [(icon["src"], icon["sizes"]) for icon in manifest["icons"]] == [
        ("/static/img/icon-192.png", "192x192"),
        ("/static/img/icon-512.png", "512x512"),
        ("/static/img/favicon.svg", "any"),
    ]


def test_robots_txt_allows_everything_and_names_the_sitemap(client, db, settings):
    settings.SITE_URL = "https://meetings.example.org"
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://meetings.example.org/sitemap.xml\n"
    )


# --- Admin ------------------------------------------------------------------


def test_admin_header_and_title_carry_the_name_logo_and_theme(db, secretariat, django_user_model):
    editor = django_user_model.objects.create_superuser(username="editor", password="x")
    client = Client()
    client.force_login(editor)
    page = client.get("/admin/").content

    assert texts(page, "div", id="site-name") == ["Regional Secretariat meetings"]
    assert texts(page, "title")[0].endswith("| Regional Secretariat meetings")
    assert [img["attrs"]["src"] for img in elements(page, "img", "admin-logo")] == ["/static/img/favicon.svg"]
    version = identity.current().version
    assert f'<link rel="stylesheet" href="/admin-theme.css?v={version}">' in page.decode()
    assert elements(page, "style") == []


def test_admin_login_page_is_branded_too(client, db, secretariat):
    page = client.get("/admin/login/").content
    assert texts(page, "div", id="site-name") == ["Regional Secretariat meetings"]


# --- Settings and checks ------------------------------------------------------


@pytest.mark.parametrize("value", ["red", "#12345", "0b4f8a", "#0b4f8g", "rgb(0,0,0)", "#0b4f8a;}"])
def test_a_malformed_accent_colour_is_refused(value):
    with pytest.raises(ValueError, match="is not a colour written as #rgb or #rrggbb"):
        identity.parse_colour(value)


def test_short_accent_colours_are_written_out():
    assert identity.parse_colour(" #0B5 ") == "#00bb55"


def test_a_malformed_accent_colour_in_the_environment_stops_the_site():
    result = settings_from_environment(SITE_ACCENT_COLOUR="navy")
    assert result.returncode != 0
    assert (
        "ImproperlyConfigured: SITE_ACCENT_COLOUR: 'navy' is not a colour written as #rgb or #rrggbb" in result.stderr
    )


def test_the_environment_names_the_site_per_language():
    result = settings_from_environment(
        SITE_NAME="Secretariat meetings",
        SITE_NAME_SR_LATN="Sastanci Sekretarijata",
        SITE_PUBLISHER_URL="https://secretariat.example.org/",
        SITE_ACCENT_COLOUR="#A1B",
    )
    assert result.returncode == 0, result.stderr
    assert "'name': {'': 'Secretariat meetings', 'sr-latn': 'Sastanci Sekretarijata'}" in result.stdout
    assert "'publisher_url': 'https://secretariat.example.org/'" in result.stdout
    assert "'accent': '#aa11bb'" in result.stdout


def test_check_warns_when_the_accent_has_too_little_contrast_with_white(settings):
    settings.IDENTITY = {"accent": "#6fa8dc"}
    (warning,) = check_identity(None)

    assert (warning.level, warning.id) == (checks.WARNING, "meetings_site.W002")
    assert warning.msg.startswith("The accent colour #6fa8dc has a contrast of 2.53:1 with white")


def test_check_is_silent_for_the_default_accent(settings):
    assert check_identity(None) == []


def test_check_refuses_a_malformed_accent(settings):
    settings.IDENTITY = {"accent": "blue"}
    (error,) = check_identity(None)
    assert (error.level, error.id) == (checks.ERROR, "meetings_site.E002")


def test_check_refuses_a_logo_that_is_not_among_the_static_files(settings):
    settings.IDENTITY = {"logo": "site/missing-logo.svg", "favicon": "img/favicon.svg"}
    (error,) = check_identity(None)
    assert (error.level, error.id) == (checks.ERROR, "meetings_site.E003")
    assert error.msg == "SITE_LOGO names 'site/missing-logo.svg', which is not among the static files."


def test_contrast_is_wcags():
    assert identity.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert identity.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
