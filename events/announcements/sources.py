"""An announcement's text from what was pasted or uploaded: plain text, or an HTML page's words.

HTML is read with the standard library's parser: scripts, styles and the page's head are
dropped, block elements end lines, list items become bullets, so the page reads like the pasted
prose ``extraction`` expects (headings on lines of their own).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.utils.translation import gettext_lazy as _

# Messages shown to whoever gave the text (module constants, so tests assert them exactly).
EMPTY_TEXT = _("The announcement is empty: there is no text to read.")
NOT_TEXT = _(
    "The announcement is not text (it looks like a binary file); paste the announcement's words or give a .txt "
    "or .html file."
)
MAX_CHARACTERS = 200_000
TOO_LONG = _("The announcement is longer than 200,000 characters; give one page at a time.")

BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "tr",
    "blockquote",
    "figure",
    "figcaption",
    "address",
    "pre",
    "dl",
    "dt",
    "dd",
    "hr",
}
DROPPED = {"script", "style", "head", "noscript", "template", "svg", "iframe", "object"}


class _Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropped = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED:
            self.dropped += 1
        elif tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n  • ")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.dropped:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The words of an HTML page, one paragraph per block, list items as bullets."""
    parser = _Words()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() if not line.strip().startswith("•") else "  " + line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(?:!doctype\s+html|html|body|p|div|h[1-6]|ul|li)\b", text[:5000], re.I))


def announcement_text(data: bytes | str, *, html: bool | None = None) -> str:
    """The text to read, from raw bytes or a string; ``ValueError`` with a message for bad input."""
    if isinstance(data, bytes):
        if b"\x00" in data[:8192]:
            raise ValueError(str(NOT_TEXT))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(str(NOT_TEXT)) from None
    if len(data) > MAX_CHARACTERS:
        raise ValueError(str(TOO_LONG))
    if re.search(r"[\x00-\x08\x0e-\x1f]", data):
        raise ValueError(str(NOT_TEXT))
    if html or (html is None and looks_like_html(data)):
        data = html_to_text(data)
    data = data.replace("\r\n", "\n").replace("\r", "\n")
    if not data.strip():
        raise ValueError(str(EMPTY_TEXT))
    return data
