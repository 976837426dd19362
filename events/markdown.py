"""Editors write descriptions in Markdown; the public sees sanitised HTML.

Markdown is rendered first and the result is cleaned with nh3 (an allow-list
sanitiser), so raw HTML in a description can never inject script, styles or
event handlers. Links keep only http, https and mailto targets and open no
window reference back to this site.

Rendering must cost a bounded time whatever the text, since a description
reaches the renderer from editors, from imported calendars and from the live
preview, and the meeting page renders it on every page-cache miss. So the
renderer is markdown-it (CommonMark), whose parse is linear in the text and
whose nesting is capped, rather than Python-Markdown, whose link and list
parsing is quadratic or recursive in the text (a run of ``[`` or a deeply
nested list took minutes or raised RecursionError). And at most
``MAX_DESCRIPTION_CHARACTERS`` are rendered: the admin form refuses a longer
description (``validate_description_length``), and anything longer stored by
another path (an import, an older row) is shown cut at that length, never
rejected, so the stored text is kept whole.
"""

import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext_lazy
from markdown_it import MarkdownIt

# Real descriptions are a few paragraphs (the seed's longest is under 1,000 characters);
# ten times the longest real one still renders quickly in the worst case (docs/performance.md).
MAX_DESCRIPTION_CHARACTERS = 10_000
DESCRIPTION_TOO_LONG = ngettext_lazy(
    # Translators: the plural form follows %(length)d, the description's length; %(limit)d is the site's
    # limit, in the thousands of characters.
    "The description is %(length)d character long; shorten it to at most %(limit)d characters.",
    "The description is %(length)d characters long; shorten it to at most %(limit)d characters.",
    "length",
)

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

# Raw HTML is let through to nh3, which keeps only the allow-list, so editors' <abbr> survive.
_RENDERER = MarkdownIt("commonmark", {"html": True})


def validate_description_length(text):
    """Refuse a description the renderer would cut, with a message saying by how much."""
    if text and len(text) > MAX_DESCRIPTION_CHARACTERS:
        raise ValidationError(
            DESCRIPTION_TOO_LONG,
            code="description_too_long",
            params={"length": len(text), "limit": MAX_DESCRIPTION_CHARACTERS},
        )


def render_markdown(text):
    """Markdown to sanitised HTML, safe to put in a page; text beyond the limit is not rendered."""
    if not text:
        return mark_safe("")
    html = _RENDERER.render(text[:MAX_DESCRIPTION_CHARACTERS]).rstrip("\n")
    html = TOP_HEADING.sub(r"<\1h3>", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 has just sanitised it against an allow-list
