"""The site's identity: its name, publisher, contact, logo, icons and accent colour.

An institution makes the site its own from the environment alone (settings.IDENTITY, read in
settings.py, "Identity"; README.md, "Your institution's name, logo and colours"): no template is
edited. Templates get one ``identity`` object (the context processor below); the accent reaches
CSS through ``/theme.css`` (and ``/admin-theme.css`` for the admin), small stylesheets written
from the setting, so no page needs an inline style (the CSP allows none).

The colour arithmetic is WCAG 2.1's: relative luminance and contrast ratio.
"""

import dataclasses
import functools
import hashlib
import json
import re

import cyrtranslit
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.http import require_safe

DEFAULT_NAME = gettext_lazy("Western Balkans security meetings")
DEFAULT_ACCENT = "#0b4f8a"
DEFAULT_LOGO = "img/logo.svg"
DEFAULT_FAVICON = "img/favicon.svg"
DEFAULT_TOUCH_ICON = "img/apple-touch-icon.png"
# Shipped with the default mark; a custom favicon is named by the manifest instead.
DEFAULT_APP_ICONS = (("img/icon-192.png", "192x192"), ("img/icon-512.png", "512x512"))
DEFAULT_FAVICON_ICO = "img/favicon.ico"

WHITE = "#ffffff"
INK = "#1a1a1a"
# WCAG 2.1 AA for normal text (1.4.3): links in the accent on white, white text on the accent.
MINIMUM_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# A year: the address changes with the identity (?v=), so a browser never keeps a stale one.
THEME_MAX_AGE = 365 * 24 * 3600


def parse_colour(value):
    """'#rrggbb' (lower case) from '#rgb' or '#rrggbb'; ValueError for anything else."""
    text = (value or "").strip()
    if not HEX_COLOUR.fullmatch(text):
        raise ValueError(f"{value!r} is not a colour written as #rgb or #rrggbb (e.g. {DEFAULT_ACCENT}).")
    digits = text[1:].lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def rgb(colour):
    return tuple(int(colour[index : index + 2], 16) for index in (1, 3, 5))


def luminance(colour):
    """WCAG 2.1 relative luminance, 0 (black) to 1 (white)."""

    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    """WCAG 2.1 contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour, other, share):
    """colour with `share` (0 to 1) of other mixed in, channel by channel in sRGB."""
    channels = (round(a + (b - a) * share) for a, b in zip(rgb(colour), rgb(other), strict=True))
    return "#" + "".join(f"{channel:02x}" for channel in channels)


@dataclasses.dataclass(frozen=True)
class Palette:
    """The accent and what is derived from it, as theme.css writes them."""

    accent: str
    accent_dark: str
    accent_soft: str
    on_accent: str
    on_accent_dark: str

    @classmethod
    def from_accent(cls, accent):
        accent = parse_colour(accent)
        # Darker for hover, the masthead and the admin header; a tint for backgrounds under ink.
        dark = mix(accent, "#000000", 0.3)
        return cls(
            accent=accent,
            accent_dark=dark,
            accent_soft=mix(accent, WHITE, 0.9),
            on_accent=text_on(accent),
            on_accent_dark=text_on(dark),
        )


def text_on(background):
    """White or ink, whichever reads better on the background."""
    return WHITE if contrast(background, WHITE) >= contrast(background, INK) else INK


def by_language(value):
    """A setting that may be given per language: a text, or {"": default, "sq": …}."""
    if isinstance(value, dict):
        return {code: text for code, text in value.items() if text}
    return {"": value} if value else {}


def in_language(texts, language):
    """The text for the language, else the default one. Serbian Latin not given is written from
    the Serbian (Cyrillic) text, as its catalog is (meetings_site/catalogs.py)."""
    language = (language or "").lower()
    if language in texts:
        return texts[language]
    if language == "sr-latn" and "sr" in texts:
        return cyrtranslit.to_latin(texts["sr"], "sr")
    return texts.get("", "")


@dataclasses.dataclass(frozen=True)
class Identity:
    names: dict = dataclasses.field(default_factory=dict)
    short_names: dict = dataclasses.field(default_factory=dict)
    publishers: dict = dataclasses.field(default_factory=dict)
    publisher_url: str = ""
    contact_email: str = ""
    logo_path: str = DEFAULT_LOGO
    favicon_path: str = DEFAULT_FAVICON
    touch_icon_path: str = DEFAULT_TOUCH_ICON
    accent: str = DEFAULT_ACCENT

    @classmethod
    def from_settings(cls):
        config = getattr(settings, "IDENTITY", {}) or {}
        return cls(
            names=by_language(config.get("name")),
            short_names=by_language(config.get("short_name")),
            publishers=by_language(config.get("publisher")),
            publisher_url=config.get("publisher_url") or "",
            contact_email=config.get("contact_email") or "",
            logo_path=config.get("logo") or DEFAULT_LOGO,
            favicon_path=config.get("favicon") or DEFAULT_FAVICON,
            touch_icon_path=config.get("touch_icon") or DEFAULT_TOUCH_ICON,
            accent=config.get("accent") or DEFAULT_ACCENT,
        )

    @functools.cached_property
    def version(self):
        """Changes with any part of the identity: keys the header and footer and versions theme.css."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    @functools.cached_property
    def palette(self):
        return Palette.from_accent(self.accent)

    # In the active language, as templates read them.
    @property
    def name(self):
        return in_language(self.names, get_language()) or gettext(DEFAULT_NAME)

    @property
    def short_name(self):
        return in_language(self.short_names, get_language()) or self.name

    @property
    def has_short_name(self):
        return self.short_name != self.name

    @property
    def publisher(self):
        return in_language(self.publishers, get_language())

    # Addresses of the files (static paths: a deploy's collectstatic hashes them).
    @property
    def logo_url(self):
        return static(self.logo_path)

    @property
    def favicon_url(self):
        return static(self.favicon_path)

    @property
    def favicon_type(self):
        return image_type(self.favicon_path)

    @property
    def touch_icon_url(self):
        return static(self.touch_icon_path)

    @property
    def theme_url(self):
        return f"{reverse('theme_css')}?v={self.version}"

    @property
    def admin_theme_url(self):
        return f"{reverse('admin_theme_css')}?v={self.version}"

    @property
    def manifest_url(self):
        return f"{reverse('web_manifest')}?v={self.version}"

    @property
    def is_default_icon(self):
        return self.favicon_path == DEFAULT_FAVICON

    def theme_css(self):
        colours = self.palette
        return (
            "/* Written from the site's accent colour (settings IDENTITY, SITE_ACCENT_COLOUR). */\n"
            ":root {\n"
            f"  --accent: {colours.accent};\n"
            f"  --accent-dark: {colours.accent_dark};\n"
            f"  --accent-soft: {colours.accent_soft};\n"
            f"  --on-accent: {colours.on_accent};\n"
            f"  --on-accent-dark: {colours.on_accent_dark};\n"
            "}\n"
        )

    def admin_theme_css(self):
        """The admin's own variables (django/contrib/admin/static/admin/css/base.css) in the accent.

        The header and buttons take it in both colour schemes; links and the lighter blues only in
        the light one (the dark scheme's own light blues stay readable on its dark background).
        """
        colours = self.palette
        everywhere = (
            f"  --secondary: {colours.accent_dark};\n"
            f"  --header-bg: {colours.accent_dark};\n"
            f"  --header-color: {colours.on_accent_dark};\n"
            f"  --header-branding-color: {colours.on_accent_dark};\n"
            f"  --header-link-color: {colours.on_accent_dark};\n"
            f"  --button-bg: {colours.accent};\n"
            f"  --button-fg: {colours.on_accent};\n"
            f"  --button-hover-bg: {colours.accent_dark};\n"
            f"  --default-button-bg: {colours.accent_dark};\n"
            f"  --default-button-hover-bg: {colours.accent};\n"
        )
        light = (
            f"  --primary: {colours.accent};\n"
            f"  --primary-fg: {colours.on_accent};\n"
            f"  --breadcrumbs-bg: {colours.accent};\n"
            f"  --breadcrumbs-fg: {colours.accent_soft};\n"
            f"  --link-fg: {colours.accent};\n"
            f"  --link-hover-color: {colours.accent_dark};\n"
            f"  --link-selected-fg: {colours.accent_dark};\n"
        )
        return (
            "/* The admin in the site's accent colour (settings IDENTITY, SITE_ACCENT_COLOUR). */\n"
            f":root {{\n{everywhere}}}\n"
            "#site-name a { display: inline-flex; align-items: center; gap: .5em; }\n"
            "#site-name a:link, #site-name a:visited { color: var(--header-branding-color); }\n"
            ".admin-logo { flex: none; width: 32px; height: 32px; }\n"
            f"@media (prefers-color-scheme: light) {{\n:root {{\n{light}}}\n}}\n"
            f'html[data-theme="light"] {{\n{light}}}\n'
        )

    def manifest(self):
        if self.is_default_icon:
            icons = [{"src": static(path), "sizes": sizes, "type": "image/png"} for path, sizes in DEFAULT_APP_ICONS]
        else:
            icons = [{"src": self.touch_icon_url, "sizes": "180x180", "type": image_type(self.touch_icon_path)}]
        icons.append({"src": self.favicon_url, "sizes": "any", "type": self.favicon_type})
        return {
            "name": self.name,
            "short_name": self.short_name,
            "start_url": reverse("events:home"),
            "display": "browser",
            "background_color": WHITE,
            "theme_color": self.palette.accent_dark,
            "icons": icons,
        }


def image_type(path):
    suffix = path.rsplit(".", 1)[-1].lower()
    return {
        "svg": "image/svg+xml",
        "png": "image/png",
        "ico": "image/x-icon",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "webp": "image/webp",
    }.get(suffix, "application/octet-stream")


@functools.cache
def current():
    """The identity in force (read once per process; a test's change of IDENTITY reads it afresh)."""
    return Identity.from_settings()


@receiver(setting_changed)
def forget_identity(setting, **kwargs):
    if setting in {"IDENTITY", "STATIC_URL", "STORAGES"}:
        current.cache_clear()


def identity(request):
    """Context processor: templates read {{ identity.name }}, {{ identity.logo_url }}, …"""
    return {"identity": current()}


def stylesheet(text, request):
    response = HttpResponse(text, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == current().version:
        response["Cache-Control"] = f"public, max-age={THEME_MAX_AGE}, immutable"
    else:
        # An old or missing version: the current colours, but not kept.
        response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def theme_css(request):
    return stylesheet(current().theme_css(), request)


@require_safe
def admin_theme_css(request):
    return stylesheet(current().admin_theme_css(), request)


@require_safe
def web_manifest(request):
    response = HttpResponse(
        json.dumps(current().manifest(), ensure_ascii=False, indent=2),
        content_type="application/manifest+json; charset=utf-8",
    )
    # In the visitor's language (as the admin and account pages): not shared between visitors.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def favicon_ico(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the page names: the shipped icon,
    or the address of the one the site is configured with."""
    site = current()
    if not site.is_default_icon:
        return HttpResponsePermanentRedirect(site.favicon_url)
    from django.contrib.staticfiles import finders

    found = finders.find(DEFAULT_FAVICON_ICO)
    if not found:  # a deploy that collected static files into STATIC_ROOT only
        found = settings.STATIC_ROOT / DEFAULT_FAVICON_ICO
    try:
        handle = open(found, "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError as error:
        raise Http404("No favicon.") from error
    response = FileResponse(handle, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def robots_txt(request):
    """Everything may be crawled; the sitemap's absolute address (SITE_URL) is named."""
    sitemap = settings.SITE_URL + reverse("events:sitemap")
    response = HttpResponse(
        f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n", content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response
