"""Read rendered pages with the standard library's HTML parser, as a browser would see their text."""

from html.parser import HTMLParser

# Elements that start a new line of text: their boundaries separate words, as in a browser's rendering.
BLOCK_ELEMENTS = {"br", "dd", "div", "dt", "h1", "h2", "h3", "h4", "li", "p", "section", "td", "th", "tr", "ul", "ol"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Collector(HTMLParser):
    def __init__(self, match):
        super().__init__(convert_charrefs=True)
        self.match = match
        self.stack = []  # one entry per open element: index into self.found or None
        self.found = []

    def separate(self, tag):
        if tag in BLOCK_ELEMENTS:
            self.handle_data(" ")

    def handle_starttag(self, tag, attrs):
        self.separate(tag)
        attributes = dict(attrs)
        if tag in VOID_ELEMENTS:
            if self.match(tag, attributes):
                self.found.append({"tag": tag, "attrs": attributes, "text": ""})
            return
        index = None
        if self.match(tag, attributes):
            self.found.append({"tag": tag, "attrs": attributes, "text": ""})
            index = len(self.found) - 1
        self.stack.append((tag, index))

    def handle_endtag(self, tag):
        self.separate(tag)
        while self.stack:
            open_tag, _index = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _tag, index in self.stack:
            if index is not None:
                self.found[index]["text"] += data


def elements(html, tag=None, class_name=None, **attributes):
    """Elements matching a tag, a class and exact attribute values, each as {"tag", "attrs", "text"}."""

    def match(found_tag, found_attrs):
        if tag and found_tag != tag:
            return False
        if class_name and class_name not in (found_attrs.get("class") or "").split():
            return False
        return all(found_attrs.get(name.replace("_", "-")) == value for name, value in attributes.items())

    collector = _Collector(match)
    collector.feed(html if isinstance(html, str) else html.decode())
    collector.close()
    for element in collector.found:
        element["text"] = " ".join(element["text"].split())
    return collector.found


def texts(html, tag=None, class_name=None, **attributes):
    return [element["text"] for element in elements(html, tag, class_name, **attributes)]


def meeting_titles(response):
    """Titles of the meetings listed on a page, in page order."""
    return texts(response.content, "a", "meeting-link")


def parse_xml(content):
    """Parse a feed or sitemap this site has just rendered (our own output, not untrusted input)."""
    import xml.etree.ElementTree as ET

    return ET.fromstring(content)  # noqa: S314 - our own server's output
