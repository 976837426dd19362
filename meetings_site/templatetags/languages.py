"""The language switcher and a page's addresses in its other languages (hreflang)."""

from django import template
from django.conf import settings
from django.utils import translation

from meetings_site.i18n import LANGUAGE_PER_URL_NAMESPACES, page_in_every_language
from meetings_site.languages import OFFERED

register = template.Library()


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    request = context.get("request")  # error pages may be rendered without one
    return {
        "languages": OFFERED,
        "current": translation.get_language(),
        "next": request.get_full_path() if request else "/",
    }


@register.inclusion_tag("includes/language_alternates.html", takes_context=True)
def language_alternates(context):
    """<link rel="alternate" hreflang> for every language and x-default, on pages with a language per URL."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in LANGUAGE_PER_URL_NAMESPACES:
        return {"alternates": []}  # the admin, account pages, and addresses that match nothing
    alternates = page_in_every_language(request)
    default = next(url for language, url in alternates if language.code == settings.LANGUAGE_CODE)
    return {"alternates": alternates, "x_default": default}
