"""Meeting descriptions from Markdown to safe HTML.

Minimal version written with the admin's preview; the public pages use the same
function, so the preview shows exactly what visitors will see.
"""

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text):
    """HTML for ``text`` written in Markdown, with anything unsafe (scripts, styles, raw HTML) removed."""
    html = markdown.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
