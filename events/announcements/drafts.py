"""What an announcement is read into: one ``Draft`` per meeting, with the words behind each field.

This is the contract between the extraction engine, the admin's review screen and the public
proposal form: the names and shapes here do not change without all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time


@dataclass
class Phrase:
    """Words of the pasted text a field was read from: ``text[start:end] == phrase.text``."""

    text: str
    start: int
    end: int


@dataclass
class NamedRef:
    """An organisation, programme, topic, venue or country named by the text.

    ``name`` is the name the site shows when the text's words matched a row (``pk`` set), else
    the text's own words, proposed as a new name (``pk`` is None; nothing is created on reading).
    A venue that is only a city (most of them) is named by its city.
    """

    name: str
    pk: int | None
    role: str = ""  # organisers only: an ``OrganiserRole`` value
    instrument: str = ""  # funders only: the grant, fund or programme the money came through


@dataclass
class Draft:
    """One meeting as the announcement states it; what the text does not say stays empty."""

    title: str
    date_precision: str = "unknown"  # a ``DatePrecision`` value: "day" | "month" | "unknown"
    start_date: date | None = None
    end_date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    year_inferred: bool = False
    venue: NamedRef | None = None
    city: str | None = None
    country: NamedRef | None = None
    organisers: list[NamedRef] = field(default_factory=list)
    funders: list[NamedRef] = field(default_factory=list)
    programmes: list[NamedRef] = field(default_factory=list)
    topics: list[NamedRef] = field(default_factory=list)
    # (LinkKind value, index of the other Draft in the same list). Links point between the
    # drafts of one reading only, from the meeting announced to the one it is linked with
    # (the direction of ``BackToBack.from_meeting`` -> ``to_meeting``); a link to a meeting
    # already on the site is the editor's to add after saving.
    links: list[tuple[str, int]] = field(default_factory=list)
    evidence: dict[str, list[Phrase]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the meeting's editor_notes

    def add_evidence(self, field_name: str, phrase: Phrase) -> None:
        """Record the words a field came from, once each."""
        phrases = self.evidence.setdefault(field_name, [])
        if all((p.start, p.end) != (phrase.start, phrase.end) for p in phrases):
            phrases.append(phrase)

    def as_json(self, drafts: list[Draft]) -> dict:
        """The draft as ``draft_from_announcement --json`` prints it (``drafts``: the whole reading, for links)."""
        return {
            "title": self.title,
            "date_precision": self.date_precision,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "start_time": self.start_time.strftime("%H:%M") if self.start_time else None,
            "end_time": self.end_time.strftime("%H:%M") if self.end_time else None,
            "year_inferred": self.year_inferred,
            "venue": self.venue.name if self.venue else None,
            "city": self.city,
            "country": self.country.name if self.country else None,
            "organisers": [{"name": o.name, "role": o.role} for o in self.organisers],
            "funders": [{"name": f.name, "instrument": f.instrument} for f in self.funders],
            "programmes": [p.name for p in self.programmes],
            "topics": [t.name for t in self.topics],
            "links": [{"kind": kind, "title": drafts[index].title} for kind, index in self.links],
            "evidence": {
                name: phrases[0].text if len(phrases) == 1 else [p.text for p in phrases]
                for name, phrases in self.evidence.items()
            },
        }
