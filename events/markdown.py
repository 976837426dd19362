"""Editors write descriptions in Markdown; the public sees sanitised HTML.

Markdown is rendered first and the result is cleaned with nh3 (an allow-list
sanitiser), so raw HTML in a description can never inject script, styles or
event handlers. Links keep only http, https and mailto targets and open no
window reference back to this site.
"""

import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer"
# The page owns h1 and h2; a description's top headings become h3 so the outline stays sound.
TOP_HEADING = re.compile(r"<(/?)h[12]>")


def render_markdown(text):
    """Markdown to sanitised HTML, safe to put in a page."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    html = TOP_HEADING.sub(r"<\1h3>", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just sanitised it against an allow-list
