"""events.ical.serialized folds lines itself (faster for ASCII); its bytes must be icalendar's own."""

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from events.calendar.ical import serialized

# Text editors type: ASCII, the region's letters, escapes that must not be cut from what they escape.
TEXT = st.text(
    alphabet=st.sampled_from([*"abcdefghij ,;:\\^\"'\n", "č", "ć", "š", "ž", "đ", "ë", "ș", "—", "€", "😀"]),
    max_size=400,
)


@settings(max_examples=300, deadline=None)
@given(summary=TEXT, description=TEXT, location=TEXT)
def test_serialized_is_byte_for_byte_what_icalendar_writes(summary, description, location):
    event = icalendar.Event()
    event.add("uid", "a1b2c3")
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", location)
    event.add("categories", [summary[:30] or "x", "Border security"])

    assert serialized(event) == event.to_ical()


def test_long_ascii_lines_are_folded_at_75_octets_and_unfold_to_the_original():
    event = icalendar.Event()
    text = "Regional meeting of the national coordinators, " * 12 + "\\ end"
    event.add("description", text)

    piece = serialized(event)

    assert all(len(line) <= 75 for line in piece.split(b"\r\n"))
    assert icalendar.Event.from_ical(piece)["description"] == text
