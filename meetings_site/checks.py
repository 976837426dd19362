"""System checks for settings that a wrong value breaks quietly rather than loudly."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@checks.register(checks.Tags.compatibility)
def check_site_url(app_configs, **kwargs):
    """SITE_URL must be an absolute http(s) address: every link written into feeds and calendars starts with it."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        return [
            checks.Error(
                _("SITE_URL %(value)r is not an absolute http or https address.") % {"value": settings.SITE_URL},
                hint=_("Set SITE_URL to the site's public address, e.g. https://meetings.example.org."),
                id="meetings_site.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_site_url_deployed(app_configs, **kwargs):
    """In production a loopback SITE_URL means it was never set: subscribers would get links to nowhere."""
    if settings.DEBUG or not is_loopback(urlsplit(settings.SITE_URL).hostname or ""):
        return []
    return [
        checks.Warning(
            _("SITE_URL is %(value)s: links in feeds, calendar links and canonical links point at this machine.")
            % {"value": settings.SITE_URL},
            hint=_("Set SITE_URL to the site's public address, e.g. https://meetings.example.org."),
            id="meetings_site.W001",
        )
    ]


@checks.register(checks.Tags.compatibility)
def check_identity(app_configs, **kwargs):
    """The accent colour must be a colour, and should keep AA contrast (4.5:1) with white: it is
    the colour of links on white and the background of white button text."""
    from django.contrib.staticfiles import finders

    from meetings_site import identity

    config = getattr(settings, "IDENTITY", {}) or {}
    # A static path that is not there fails every page once collectstatic's manifest is in use.
    missing = [
        checks.Error(
            _("%(setting)s names %(path)r, which is not among the static files.") % {"setting": setting, "path": path},
            hint=_("Put the file in static/ or in SITE_STATIC_DIR (then name it site/…)."),
            id="meetings_site.E003",
        )
        for setting, key in (("SITE_LOGO", "logo"), ("SITE_FAVICON", "favicon"), ("SITE_TOUCH_ICON", "touch_icon"))
        if (path := config.get(key)) and not finders.find(path)
    ]
    if missing:
        return missing
    accent = config.get("accent") or identity.DEFAULT_ACCENT
    try:
        accent = identity.parse_colour(accent)
    except ValueError as error:
        return [
            checks.Error(
                _("The accent colour is not valid: %(error)s") % {"error": error},
                hint=_("Set SITE_ACCENT_COLOUR to a colour written as #rrggbb."),
                id="meetings_site.E002",
            )
        ]
    ratio = identity.contrast(accent, identity.WHITE)
    if ratio < identity.MINIMUM_CONTRAST:
        return [
            checks.Warning(
                _(
                    "The accent colour %(colour)s has a contrast of %(ratio).2f:1 with white; links and"
                    " buttons in it need at least 4.5:1 to be readable (WCAG 2.1 AA)."
                )
                % {"colour": accent, "ratio": ratio},
                hint=_("Choose a darker shade of the colour for SITE_ACCENT_COLOUR."),
                id="meetings_site.W002",
            )
        ]
    return []
