"""Text as the public pages and the RSS and Atom feeds may carry it.

An editor can paste characters that no page or feed may hold: C0 and C1 control characters
(a vertical tab from a word processor, an escape from a terminal) and the noncharacters
U+FFFE and U+FFFF. XML 1.0 forbids most of them, so a feed with one is not well-formed (and
Django refuses to write it); in HTML each is a parse error. Tab, line feed and carriage
return are ordinary white space and stay. Calendar files have their own rule
(events.calendar.ical.one_line): there a line break ends a property.
"""

import re

NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def printable(text):
    """text with each character no page or feed may carry turned into a space ("a\\x0bb" -> "a b")."""
    return NOT_PRINTABLE.sub(" ", text) if text else text
