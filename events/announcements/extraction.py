"""An announcement's prose read into draft meetings, by rules over the text and the database's names.

The page is split into announcements (a heading is a short line without a final full stop; an
announcement may have none, and then starts where a paragraph announces a second meeting with
its date). Each announcement gives its meeting, plus one draft for every meeting it mentions in
passing (listed back-to-back events, "back-to-back with …", "on the margins of …", "within the
framework of the … Conference", a study visit). Each draft is read from its own words only: the
main meeting's text has the passing meetings' words blanked out (same length, so offsets stay
true), and a passing meeting reads only its own phrase.

Years. A date without a year takes, in this order: the year of the meeting it is mentioned
with; a year the announcement speaks of as planned ("plans for 2019", "planned activities in
2019"); the year of the nearest announcement on the page that states one; else the first
occurrence of that day no more than ``RECENT_DAYS`` before ``today`` (announcements are of coming
or just-held meetings). The reason goes into the draft's notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from dateparser.languages.loader import default_loader
from django.utils import timezone

from events.models import DatePrecision, LinkKind, OrganiserRole
from organisations.models import Programme

from .drafts import Draft, NamedRef, Phrase
from .names import Names, fold

# The languages whose month words dates are read in (dateparser's data): English first, then the
# region's. Only dates follow the region's languages so far; the phrases around them are English.
LANGUAGES = ["en", "sq", "bs", "hr", "sr", "mk", "sl"]
RECENT_DAYS = 90

MONTH_KEYS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december"]  # fmt: skip


def _month_words():
    """Month word -> month number, from dateparser's data for ``LANGUAGES`` (the first language's reading wins).

    English keeps its abbreviations; the other languages bring their full words only (their
    abbreviations include "pri", "tet", "pro": ordinary words in the region's place names).
    """
    words = {}
    for language in LANGUAGES:
        info = default_loader.get_locale(language).info
        for number, key in enumerate(MONTH_KEYS, start=1):
            for word in info.get(key, []):
                if language == LANGUAGES[0] or len(word) > 3:
                    words.setdefault(word.lower(), number)
    return words


MONTH_WORDS = _month_words()
MONTHS = "(?:" + "|".join(re.escape(w) for w in sorted(MONTH_WORDS, key=len, reverse=True)) + r")\.?"
DAY = r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th|\.)?"
YEAR = r"(?:,?\s+(\d{4}))?"
DASH = r"\s*(?:–|—|-|to|until|till|and)\s*"
DATE_PATTERNS = [
    # 23 October – 2 November 2018
    ("span", re.compile(rf"\b{DAY}(?:\s+of)?\s+({MONTHS}){YEAR}{DASH}{DAY}(?:\s+of)?\s+({MONTHS}){YEAR}", re.I)),
    # from 23th – 25th October 2018, 18-19 July 2018, from 1 to 3 October 2018
    ("range", re.compile(rf"\b{DAY}{DASH}{DAY}(?:\s+of)?\s+({MONTHS}){YEAR}", re.I)),
    # October 23–25, 2018
    ("mrange", re.compile(rf"\b({MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?{DASH}(\d{{1,2}})(?:st|nd|rd|th)?{YEAR}", re.I)),
    # on 24th April, on the 23rd of April 2020
    ("day", re.compile(rf"\b{DAY}(?:\s+of)?\s+({MONTHS}){YEAR}", re.I)),
    # on April 23, April 23rd, 2019
    ("mday", re.compile(rf"\b({MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*[:.]\d){YEAR}", re.I)),
    # in May 2020
    ("month", re.compile(rf"\b(?:in|during|for)\s+(?:early\s+|mid-?\s*|late\s+)?({MONTHS})(?:,?\s+(\d{{4}}))", re.I)),
]
TIME = r"(\d{1,2})[:.](\d{2})\s*(?:h\b|hrs\b)?"
RANGE_TIME = re.compile(rf"\b(?:from\s+)?{TIME}\s*(?:–|—|-|to|until|till)\s*{TIME}", re.I)
START_TIME = re.compile(rf"\b(?:starting|start(?:s|ing)?|beginning|begins?|opens?|commencing)\s+at\s+{TIME}", re.I)
AT_TIME = re.compile(rf"\bat\s+{TIME}", re.I)

ANNOUNCING = re.compile(
    r"\b(?:will\s+(?:take\s+place|be\s+held|be\s+organi[sz]ed|gather|bring)|is\s+(?:to|going\s+to)\s+(?:take\s+place|be\s+held)"
    r"|takes\s+place|took\s+place|(?:is|are|was|were)\s+(?:being\s+)?(?:held|co-?organi[sz]ing|organi[sz]ing|hosting)"
    r"|(?:is|are)\s+to\s+be\s+held|to\s+be\s+held)\b",
    re.I,
)
SUBJECT_END = re.compile(
    r"\s+(?:will\s+(?:take\s+place|be\s+held)|is\s+(?:to|going\s+to)\s+(?:take\s+place|be\s+held)|takes\s+place|took\s+place"
    r"|(?:is|was)\s+held|is\s+to\s+be\s+held)\b",
    re.I,
)
SUBJECT_VERB = re.compile(r"\s+(?:is|are|were|was)\s+(co-?)?(organi[sz]ing|hosting)\b", re.I)
ROLE_PHRASES = [
    (OrganiserRole.CO_CHAIR, re.compile(r"\bco-?chaired\s+by\b", re.I)),
    (OrganiserRole.CHAIR, re.compile(r"(?<!co-)(?<!co)\bchaired\s+by\b", re.I)),
    (OrganiserRole.CO_ORGANISER, re.compile(r"\bco-?organi[sz]ed\s+by\b", re.I)),
    (OrganiserRole.ORGANISER, re.compile(r"(?<!co-)(?<!co)\borgani[sz]ed\s+by\b", re.I)),
    (OrganiserRole.HOST, re.compile(r"\bhosted\s+by\b", re.I)),
    (
        OrganiserRole.IN_COOPERATION_WITH,
        re.compile(r"\bin\s+(?:close\s+)?(?:cooperation|co-operation|partnership)\s+with\b", re.I),
    ),
    (OrganiserRole.SECRETARIAT, re.compile(r"\bsecretariat\s+(?:provided\s+)?by\b", re.I)),
]
FUNDING = re.compile(
    r"\b(?:(?:jointly\s+|generously\s+)?(?:co-?)?(?:funded|financed|supported|sponsored)\s+by|with\s+(?:the\s+)?(?:financial\s+)?support\s+(?:of|from)|with\s+funding\s+from)\b",
    re.I,
)
FRAMEWORK = re.compile(r"\b(?:(?:under|within)\s+the\s+(?:framework|auspices)\s+of|(?:hosting\s+)?framework\b)", re.I)
# Words after which a name in a title is the meeting's subject, not its owner ("Contribution to IISG Action").
SUBJECT_PREPOSITIONS = {"to", "on", "for", "against", "about", "towards"}
QUALIFIER = re.compile(r"\b(?:hosted|led|represented|chaired|headed)\s+by\b|\bbased\s+in\b", re.I)
PERSON = re.compile(r"^(?:H\.\s?E\.|Mr\.?|Ms\.?|Mrs\.?|Dr\.?|Prof\.?)\s", re.I)
# After a comma, words that end a list of names (a new clause begins).
CLAUSE_START = re.compile(
    r"^\s*(?:and\s+)?(?:co-|chaired|organi[sz]|hosted|funded|financed|supported|in\s+co|back-to-back|starting|will|"
    r"is\b|are\b|on\b|in\b|from\b|which|who|the\s+(?:meeting|event|conference)|with\b|under\b|within\b)",
    re.I,
)
FUNDING_STOP = re.compile(rf"{CLAUSE_START.pattern}|\s+the\s", re.I)
STOPWORDS = {"the", "a", "an", "and", "by", "with", "of", "on", "in"}
BULLET = re.compile(r"^\s*(?:[•◦▪·*‣-]|\d+[.)])\s+")
PASSING_INTRO = re.compile(r"\bback-?\s?to-?\s?back\b|\bside[- ]events?\b|\bmargins?\s+of\b", re.I)
BACK_TO_BACK_WITH = re.compile(
    r"\bback-?\s?to-?\s?back\s+with\s+(?:the\s+|a\s+|an\s+)?(?P<title>[^,.;]+?)"
    r"(?P<when>\s+(?:the\s+day\s+(?:before|after)|on\s+[^,.;]+)|(?=[,.;]))",
    re.I,
)
MARGINS_OF = re.compile(r"\b(?:on|at)\s+the\s+margins?\s+of\s+(?:the\s+)?(?P<title>[^,.;]+)", re.I)
FRAMEWORK_MEETING = re.compile(
    r"\b(?:held\s+)?(?:within|under|in)\s+the\s+framework\s+of\s+(?:the\s+)?(?P<title>[^,.;]*?"
    r"\b(?:Conference|Summit|Forum|Ministerial|Meeting|Congress)\b[^,.;]*)",
    re.I,
)
STUDY_VISIT = re.compile(
    r"\bstudy\s+visit\s+to\s+(?:the\s+)?(?P<place>[^,.;]+?)(?:\s+in\s+(?P<country>[A-Z][^,.;]*?))?(?=[,.;]|\s+where\b|\s+on\b|$)",
    re.I,
)
# A place's name: capitalised words, maybe joined by a short lower-case word ("Brdo pri Kranju").
CITY = re.compile(r"\b(?:in|at)\s+(?P<city>[A-ZÀ-Ž][\w’'-]+(?:(?:\s[a-zß]{2,3})?[ -][A-ZÀ-Ž][\w’'-]+){0,2})")


@dataclass
class Section:
    """One announcement of the page: its heading (if any) and its paragraphs, as spans of the text."""

    heading: tuple[int, int] | None
    paragraphs: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class DateRead:
    """A date phrase as the text gives it (year may be missing)."""

    precision: str
    start: tuple[int | None, int, int | None]  # year, month, day
    end: tuple[int | None, int, int | None]
    phrase: Phrase


@dataclass
class Reading:
    """A draft while it is being read: the draft, the text it reads, and what is left to settle."""

    draft: Draft
    text: str  # the page with everything not this draft's blanked out
    section: int
    date: DateRead | None = None
    parent: int | None = None  # index of the meeting it was mentioned with
    relative_days: int | None = None  # "the day before": days from the parent's start
    day_of_parent: str = ""  # "first" / "final" day of the parent
    relative_phrase: Phrase | None = None  # the words that give the date relative to the parent
    base: int = 0  # where the announcement's window starts in the page
    links: list[tuple[str, int]] = field(default_factory=list)  # (kind, index in the section, then on the page)


def extract(text: str, *, today: date | None = None) -> list[Draft]:
    """One draft per meeting the text announces."""
    today = today or timezone.localdate()
    names = Names()
    readings: list[Reading] = []
    for number, section in enumerate(split_sections(text)):
        # Each announcement is read in its own window of the page (offsets moved back at the end),
        # so a long page costs its length once, not once per meeting.
        low = section.heading[0] if section.heading else section.paragraphs[0][0]
        high = section.paragraphs[-1][1]
        local = Section(
            (section.heading[0] - low, section.heading[1] - low) if section.heading else None,
            [(start - low, end - low) for start, end in section.paragraphs],
        )
        offset = len(readings)
        for reading in _read_section(text[low:high], local, number, names):
            reading.links = [(kind, offset + index) for kind, index in reading.links]
            reading.base = low
            if reading.parent is not None:
                _narrow(reading)
            readings.append(reading)
    _settle_dates(readings, today)
    for reading in readings:
        _finish(reading, names)
        reading.draft.evidence = {
            name: [Phrase(p.text, p.start + reading.base, p.end + reading.base) for p in phrases]
            for name, phrases in reading.draft.evidence.items()
        }
    for reading in readings:
        _inherit(reading, readings)
    return _announced([reading.draft for reading in readings])


# A title that names a gathering. A text that names none and gives no date, place, organiser,
# funder, programme or link announces no meeting ("Thank you for reading…"): no draft is made
# up from it.
GATHERING = re.compile(
    r"\b(?:meetings?|conferences?|workshops?|seminars?|trainings?|courses?|visits?\s+(?:to|of)|fora|forums?|sessions?"
    r"|summits?|round\s?tables?|roundtables?|consultations?|exercises?|dialogues?|boards?|assembl(?:y|ies)"
    r"|committees?|councils?|networks?|groups?|webinars?|symposi(?:um|a)|events?|gatherings?|talks"
    r"|retreats?|panels?|hearings?|briefings?|launch(?:es)?|ministerials?|plenar(?:y|ies)|days?)\b",
    re.I,
)
READ_FROM_TEXT = ("start_date", "date_precision", "city", "venue", "country", "organisers", "funders", "programmes")


def _announced(drafts):
    """The drafts that announce a meeting, their links renumbered past the ones left out."""
    kept = [
        index
        for index, draft in enumerate(drafts)
        if draft.links
        or any(index in (target for _kind, target in other.links) for other in drafts)
        or GATHERING.search(draft.title)
        or any(draft.evidence.get(name) for name in READ_FROM_TEXT)
    ]
    position = {old: new for new, old in enumerate(kept)}
    for index in kept:
        draft = drafts[index]
        draft.links = [(kind, position[target]) for kind, target in draft.links if target in position]
    return [drafts[index] for index in kept]


def _narrow(reading):
    """A meeting mentioned in passing reads only its own words: its window shrinks to them."""
    words = reading.text.strip()
    if not words:
        return
    first = len(reading.text) - len(reading.text.lstrip())
    reading.text = words
    reading.base += first

    def moved(phrase):
        return Phrase(phrase.text, phrase.start - first, phrase.end - first) if phrase else None

    reading.draft.evidence = {name: [moved(p) for p in phrases] for name, phrases in reading.draft.evidence.items()}
    reading.relative_phrase = moved(reading.relative_phrase)
    if reading.date:
        reading.date.phrase = moved(reading.date.phrase)


def _inherit(reading, readings):
    """A study visit is part of its meeting: it shares the meeting's programmes, and its topics when it names none."""
    for kind, index in reading.draft.links:
        if kind != LinkKind.STUDY_VISIT:
            continue
        visit, meeting = readings[index].draft, reading.draft
        for name in ("programmes", "topics"):
            if not getattr(visit, name) and getattr(meeting, name):
                setattr(visit, name, list(getattr(meeting, name)))
                visit.evidence[name] = list(meeting.evidence.get(name, []))
                visit.notes.append(f"{name.capitalize()} as those of {meeting.title}, which the visit is part of.")


def split_sections(text: str) -> list[Section]:
    """The page's announcements: a heading starts one, and so does a second paragraph announcing a dated meeting."""
    sections: list[Section] = []
    current = Section(None)
    announced = False
    for start, end in _paragraphs(text):
        paragraph = text[start:end]
        if _is_heading(paragraph):
            if current.heading or current.paragraphs:
                sections.append(current)
            current, announced = Section((start, end)), False
            continue
        bullet = bool(BULLET.match(paragraph))
        announces = not bullet and bool(ANNOUNCING.search(paragraph)) and _first_date(paragraph) is not None
        if announces and announced:
            sections.append(current)
            current = Section(None)
        announced = announced or announces
        current.paragraphs.append((start, end))
    if current.heading or current.paragraphs:
        sections.append(current)
    return [s for s in sections if s.paragraphs]


def _paragraphs(text):
    """Blank-line separated blocks; each bullet line a block of its own."""
    for block in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        lines = list(re.finditer(r"[^\n]+", block.group()))
        if any(BULLET.match(line.group()) for line in lines):
            for line in lines:
                if line.group().strip():
                    yield _stripped(text, block.start() + line.start(), block.start() + line.end())
        else:
            yield _stripped(text, block.start(), block.end())


def _stripped(text, start, end):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_heading(paragraph):
    words = paragraph.split()
    return (
        "\n" not in paragraph
        and 0 < len(words) <= 30
        and not BULLET.match(paragraph)
        and paragraph[-1] not in ".:;,!?"
        and (paragraph[0].isupper() or paragraph[0].isdigit())
    )


def _sentences(text, start, end):
    """Sentence spans in text[start:end]; "H.E. Mr" and similar abbreviations do not end one."""
    spans, begin = [], start
    for stop in re.finditer(r"[.!?](?=\s+[A-Z“\"(]|\s*$)", text[start:end]):
        position = start + stop.end()
        before = text[begin:position].split()
        last = before[-1] if before else ""
        if re.fullmatch(r"(?:[A-Z]\.)+|Mr\.|Ms\.|Mrs\.|Dr\.|Prof\.|St\.|No\.|e\.g\.|i\.e\.", last):
            continue
        spans.append(_stripped(text, begin, position))
        begin = position
    if text[begin:end].strip():
        spans.append(_stripped(text, begin, end))
    return spans


def _blank(text, keep):
    """The text with every character outside the ``keep`` spans replaced by a space (newlines kept)."""
    chars = [c if c == "\n" else " " for c in text]
    for start, end in keep:
        chars[start:end] = text[start:end]
    return "".join(chars)


def _read_section(text, section, number, names):
    body = list(section.paragraphs)
    passing: list[tuple[Reading, tuple[int, int], str]] = []  # reading, its span, link kind
    taken: list[tuple[int, int]] = []

    # Listed meetings after a "back-to-back with two other events:" paragraph.
    intro_kind = ""
    for start, end in section.paragraphs:
        paragraph = text[start:end]
        if BULLET.match(paragraph):
            if intro_kind:
                listed = _listed_meeting(text, start, end, number)
                if listed:
                    passing.append((listed, (start, end), intro_kind))
                    taken.append((start, end))
            continue
        intro_kind = ""
        if PASSING_INTRO.search(paragraph) and paragraph.rstrip().endswith(":"):
            intro_kind = LinkKind.SIDE_EVENT if re.search(r"side|margin", paragraph, re.I) else LinkKind.BACK_TO_BACK
    for start, end in body:
        if (start, end) in taken:
            continue
        for kind, pattern in (
            (LinkKind.BACK_TO_BACK, BACK_TO_BACK_WITH),
            ("margins", MARGINS_OF),
            (LinkKind.FRAMEWORK, FRAMEWORK_MEETING),
            (LinkKind.STUDY_VISIT, STUDY_VISIT),
        ):
            for match in pattern.finditer(text, start, end):
                reading = _inline_meeting(text, match, kind, number, names)
                if reading:
                    passing.append((reading, (match.start(), match.end()), kind))
                    taken.append(
                        _sentence_of(text, match.start(), start, end)
                        if kind == LinkKind.STUDY_VISIT
                        else (match.start(), match.end())
                    )

    keep = ([section.heading] if section.heading else []) + [(s, e) for s, e in body]
    main_text = _blank(text, keep)
    main_chars = list(main_text)
    for start, end in taken:
        main_chars[start:end] = [" "] * (end - start)
    main_text = "".join(main_chars)
    main = Reading(Draft(title=""), main_text, number)
    _read_title(main, text, section)
    main.date = _first_date_in(main.text, body)
    readings = [main]
    for reading, _span, _kind in passing:
        reading.parent = 0
        readings.append(reading)
    offset_links = []
    for position, (_reading, _span, kind) in enumerate(passing, start=1):
        if kind == "margins":
            offset_links.append((position, LinkKind.SIDE_EVENT, 0))
        else:
            offset_links.append((0, kind, position))
    for source, kind, target in offset_links:
        readings[source].links.append((kind, target))
    return readings


def _sentence_of(text, position, start, end):
    for s, e in _sentences(text, start, end):
        if s <= position < e:
            return s, e
    return start, end


def _listed_meeting(text, start, end, number):
    line = text[start:end]
    bullet = BULLET.match(line)
    first = _first_date(line)
    title_end = first[1].start() if first else len(line)
    head = line[bullet.end() : title_end]
    head = re.sub(r"\s+(?:on|from|in)\s*$", "", head).rstrip(" ,;–-")
    if not head or not re.search(
        r"\b(?:meeting|conference|forum|workshop|seminar|session|training|summit|visit)\b", head, re.I
    ):
        return None
    title_start = start + bullet.end()
    reading = Reading(Draft(title=head.strip()), _blank(text, [(start, end)]), number)
    reading.draft.add_evidence("title", Phrase(head.strip(), title_start, title_start + len(head.strip())))
    if first:
        reading.date = _date_read(first, start)
    return reading


def _inline_meeting(text, match, kind, number, names):
    if kind == LinkKind.STUDY_VISIT:
        place = match.group("place").strip()
        venues = names.venues.find(place)
        title_place = venues[0].row.name if venues else place
        reading = Reading(
            Draft(title=f"Study visit to the {title_place}"), _blank(text, [(match.start(), match.end())]), number
        )
        reading.draft.add_evidence("title", Phrase(match.group(), match.start(), match.end()))
        before = text[max(0, match.start() - 120) : match.start()]
        days = re.search(r"\b(first|final|last|second)\s+day\b", before, re.I)
        if days:
            reading.day_of_parent = days.group(1).lower()
            begin = match.start() - len(before) + days.start()
            reading.relative_phrase = Phrase(text[begin : begin + len(days.group())], begin, begin + len(days.group()))
        return reading
    title = match.group("title").strip()
    title = re.sub(r"\s+(?:organi[sz]ed|hosted|chaired)\s+by\b.*$", "", title, flags=re.I)
    if not re.search(
        r"\b(?:meeting|conference|forum|workshop|seminar|session|summit|ministerial|congress)\b", title, re.I
    ):
        return None
    start = match.start("title")
    words = title[:1].upper() + title[1:] if kind == LinkKind.FRAMEWORK else title
    reading = Reading(Draft(title=words), _blank(text, [(match.start(), match.end())]), number)
    reading.draft.add_evidence("title", Phrase(title, start, start + len(title)))
    when = match.groupdict().get("when") or ""
    if re.search(r"day\s+(?:before|after)", when, re.I):
        reading.relative_days = -1 if re.search(r"before", when, re.I) else 1
        words = when.strip()
        begin = match.start("when") + when.find(words)
        reading.relative_phrase = Phrase(words, begin, begin + len(words))
    elif when.strip():
        found = _first_date(when)
        if found:
            reading.date = _date_read(found, match.start("when"))
    return reading


def _read_title(main, text, section):
    draft = main.draft
    subject = None
    for start, end in section.paragraphs:
        for s, e in _sentences(main.text, start, end):
            sentence = main.text[s:e]
            found = SUBJECT_END.search(sentence)
            if found:
                words = re.sub(
                    r"^(?:On|In|From)\s+[^,]*?\d{1,2}(?:st|nd|rd|th)?\s+\w+\s*(?:\d{4})?,?\s+",
                    "",
                    sentence[: found.start()],
                )
                offset = s + len(sentence[: found.start()]) - len(words)
                subject = (words, offset)
                break
            verb = SUBJECT_VERB.search(sentence)
            if verb:
                tail = sentence[verb.end() :]
                obj = re.match(
                    r"\s+(?:the\s+)?[“\"]?(?P<t>[^”\",]+?)[”\"]?(?=\s+(?:in|at|on|from|which|to\s+be)\b|[,.]|$)", tail
                )
                if obj:
                    subject = (obj.group("t"), s + verb.end() + obj.start("t"))
                    break
        if subject:
            break
    if section.heading:
        start, end = section.heading
        heading = text[start:end]
        draft.title = heading
        draft.add_evidence("title", Phrase(heading, start, end))
        # The body may name the meeting more fully: "35th Meeting of the Board … (RCC)".
        pattern = re.compile(rf"(\d+(?:st|nd|rd|th)\s+)?{re.escape(heading)}(\s+\([A-Z][\w ]+\))?", re.I)
        for s, e in section.paragraphs:
            fuller = pattern.search(text, s, e)
            if fuller and (fuller.group(1) or fuller.group(2)):
                draft.title = fuller.group(0)
                draft.add_evidence("title", Phrase(fuller.group(0), fuller.start(), fuller.end()))
                break
        return
    if subject:
        words, offset = subject
        words = re.sub(r"^(?:The|the)\s+", "", words)
        offset = offset + len(subject[0]) - len(words)
        generic = fold(words) in {"meeting", "event", "conference"}
        if not generic:
            draft.title = _capitalised(words.strip())
            draft.add_evidence("title", Phrase(words.strip(), offset, offset + len(words.strip())))
            return
    first = section.paragraphs[0]
    sentence = _sentences(text, *first)[0]
    draft.title = text[sentence[0] : sentence[1]][:120]
    draft.notes.append("No title found in the announcement: its first words are used; please give it one.")


def _capitalised(words):
    """Each word after an ordinal stays as written, but the first word with letters starts upper case."""
    parts = words.split(" ")
    for index, part in enumerate(parts):
        if part[:1].isalpha():
            parts[index] = part[:1].upper() + part[1:]
            break
    return " ".join(parts)


# --- dates ---------------------------------------------------------------------------------


def _first_date(text):
    """The earliest date phrase in ``text``: (kind, match)."""
    best = None
    for kind, pattern in DATE_PATTERNS:
        match = pattern.search(text)
        if match and _plausible(match) and (best is None or match.start() < best[1].start()):
            best = (kind, match)
    return best


def _plausible(match):
    groups = list(match.groups())
    days = [int(g) for g in groups if g and g.isdigit() and len(g) <= 2]
    return all(1 <= d <= 31 for d in days)


def _first_date_in(masked, paragraphs):
    """The meeting's date: the first exact date in its words, else a month with its year, else none."""
    day_found = month_found = None
    for start, end in paragraphs:
        for s, e in _sentences(masked, start, end):
            sentence = masked[s:e]
            if not sentence.strip():
                continue
            found = _first_date(sentence)
            while found:
                kind, match = found
                if re.search(
                    r"\bperiod\s+$|\bsince\s+$|\bestablished\s+(?:in\s+)?$", sentence[: match.start()][-30:], re.I
                ):
                    found = _first_date(
                        sentence[: match.start()] + " " * (match.end() - match.start()) + sentence[match.end() :]
                    )
                    continue
                if kind == "month":
                    if month_found is None and ANNOUNCING.search(sentence):
                        month_found = _date_read(found, s)
                elif day_found is None:
                    day_found = _date_read(found, s)
                break
            if day_found:
                return day_found
    return day_found or month_found


def _month(word):
    return MONTH_WORDS[word.lower().rstrip(".")]


def _date_read(found, offset):
    kind, match = found
    g = match.groups()
    phrase = Phrase(match.group(0), offset + match.start(), offset + match.end())
    number = lambda v: int(v) if v else None  # noqa: E731 -- one-line reader
    if kind == "span":
        d1, m1, y1, d2, m2, y2 = g
        y = number(y2)
        return DateRead("day", (number(y1) or y, _month(m1), int(d1)), (y, _month(m2), int(d2)), phrase)
    if kind == "range":
        d1, d2, m, y = g
        return DateRead("day", (number(y), _month(m), int(d1)), (number(y), _month(m), int(d2)), phrase)
    if kind == "mrange":
        m, d1, d2, y = g
        return DateRead("day", (number(y), _month(m), int(d1)), (number(y), _month(m), int(d2)), phrase)
    if kind == "day":
        d, m, y = g
        return DateRead("day", (number(y), _month(m), int(d)), (number(y), _month(m), int(d)), phrase)
    if kind == "mday":
        m, d, y = g
        return DateRead("day", (number(y), _month(m), int(d)), (number(y), _month(m), int(d)), phrase)
    m, y = g
    return DateRead("month", (number(y), _month(m), None), (number(y), _month(m), None), phrase)


PLANNED_YEAR = re.compile(r"\b(?:plans?|planned|planning|priorities|programme)\b[^.;]{0,60}?\b((?:19|20)\d\d)\b", re.I)


def _settle_dates(readings, today):
    """Give every draft its dates, inferring missing years (see the module's docstring)."""
    # Sections' bounds on the page and the years they state, for the neighbouring-year rule.
    stated = {r.section: (r.date.start[0], r) for r in readings if r.date and r.date.start[0] and r.parent is None}
    base = {}
    for index, reading in enumerate(readings):
        if reading.parent is None:
            base[reading.section] = index
    for reading in readings:
        if reading.parent is not None:
            reading.parent = base[reading.section]
    for reading in sorted(readings, key=lambda r: r.parent is not None):
        draft = reading.draft
        if reading.date is None:
            continue
        start_year, end_year = reading.date.start[0], reading.date.end[0]
        year, reason, evidence = end_year or start_year, "", None
        if year is None:
            if reading.parent is not None and readings[reading.parent].draft.start_date:
                parent = readings[reading.parent].draft
                year = parent.start_date.year
                reason = f"from the meeting it is mentioned with ({parent.title})"
            if year is None:
                planned = PLANNED_YEAR.search(reading.text)
                if planned:
                    year = int(planned.group(1))
                    reason = f"from “{planned.group(0)}” in the announcement"
                    evidence = Phrase(planned.group(0), planned.start(), planned.end())
            if year is None and stated:
                nearest = min(stated, key=lambda s: (abs(s - reading.section), -s))
                year, other = stated[nearest]
                reason = f"from the nearest announcement on the page that states its year ({other.draft.title})"
            if year is None:
                month, day = reading.date.start[1], reading.date.start[2] or 1
                year = today.year
                while date(year, month, min(day, 28)) < today - timedelta(days=RECENT_DAYS):
                    year += 1
                while date(year - 1, month, min(day, 28)) >= today - timedelta(days=RECENT_DAYS):
                    year -= 1
                reason = (
                    f"relative to today ({today.isoformat()}): the first such date no more than {RECENT_DAYS} days ago"
                )
            draft.year_inferred = True
            draft.notes.append(f"Year not stated; {year} inferred {reason}.")
            if evidence:
                draft.add_evidence("year_inferred", evidence)
        try:
            _apply_date(draft, reading.date, year)
        except ValueError:
            draft.notes.append(f"“{reading.date.phrase.text}” is not a date; left to be confirmed.")
            continue
        draft.add_evidence("start_date", reading.date.phrase)
        draft.add_evidence("end_date", reading.date.phrase)
        draft.add_evidence("date_precision", reading.date.phrase)
    for reading in readings:
        parent = readings[reading.parent].draft if reading.parent is not None else None
        if parent is None or reading.date is not None or parent.date_precision != DatePrecision.DAY:
            continue
        day = None
        if reading.relative_days is not None:
            day = parent.start_date + timedelta(days=reading.relative_days)
        elif reading.day_of_parent in {"final", "last"}:
            day = parent.end_date
        elif reading.day_of_parent == "first":
            day = parent.start_date
        elif reading.day_of_parent == "second" and parent.end_date > parent.start_date:
            day = parent.start_date + timedelta(days=1)
        if day:
            reading.draft.date_precision = DatePrecision.DAY
            reading.draft.start_date = reading.draft.end_date = day
            reading.draft.year_inferred = parent.year_inferred
            reading.draft.notes.append(f"Date read relative to {parent.title}.")
            for name in ("start_date", "end_date", "date_precision"):
                reading.draft.add_evidence(name, reading.relative_phrase)


def _apply_date(draft, read, year):
    start_year = read.start[0] or year
    if read.start[0] is None and read.end[0] is None:
        start_year = year
    if read.precision == "month":
        first = date(year, read.start[1], 1)
        draft.date_precision = DatePrecision.MONTH
        draft.start_date, draft.end_date = first, None
        return
    start = date(start_year, read.start[1], read.start[2])
    end = date(year, read.end[1], read.end[2])
    if end < start and read.start[0] is None:
        start = date(year - 1, read.start[1], read.start[2])
    draft.date_precision = DatePrecision.DAY
    draft.start_date, draft.end_date = start, end


# --- the rest of a draft -------------------------------------------------------------------


def _finish(reading, names):
    draft = reading.draft
    text = reading.text
    _read_times(draft, text)
    _read_place(draft, text, names)
    _read_organisers(draft, text, names)
    _read_funders_and_programmes(draft, text, names)
    _read_title_owners(draft, names)
    _read_topics(draft, text, names)
    draft.links = list(reading.links)


def _read_times(draft, text):
    span = RANGE_TIME.search(text)
    if span and re.search(r"from\s*$|\b(?:between)\s*$", text[: span.start()][-12:] + span.group()[:5], re.I):
        _set_time(draft, "start_time", span, 1, 2)
        _set_time(draft, "end_time", span, 3, 4)
        return
    for pattern in (START_TIME, AT_TIME):
        match = pattern.search(text)
        if match:
            _set_time(draft, "start_time", match, 1, 2)
            return


def _set_time(draft, name, match, hour, minute):
    h, m = int(match.group(hour)), int(match.group(minute))
    if h < 24 and m < 60:
        setattr(draft, name, time(h, m))
        draft.add_evidence(name, Phrase(match.group(), match.start(), match.end()))


def _read_place(draft, text, names):
    for venue_match in names.venues.find(text):
        before = text[max(0, venue_match.start - 12) : venue_match.start]
        if re.search(r"\b(?:at|in|to)\s+(?:the\s+)?$", before, re.I):
            venue = names.venue_rows[venue_match.row.pk]
            _set_venue(
                draft, venue, Phrase(text[venue_match.start : venue_match.end], venue_match.start, venue_match.end)
            )
            after = text[venue_match.end : venue_match.end + 60]
            city = re.match(r"\s+in\s+([A-ZÀ-Ž][\w’'-]+)", after)
            if city:
                start = venue_match.end + city.start(1)
                said = "country" if names.countries.find(city.group(1)) else "city"
                draft.add_evidence(said, Phrase(city.group(1), start, start + len(city.group(1))))
            return
    countries = {fold(c.name) for c in names.country_rows.values()}
    for match in CITY.finditer(text):
        # The longest run of words that is a place: "Tirana and Albania" is Tirana.
        whole = match.group("city")
        for cut in sorted({m.start() for m in re.finditer(r"[ -]", whole)} | {len(whole)}, reverse=True):
            words = whole[:cut]
            if words[-1:].islower() and " " in words and len(words.rsplit(" ", 1)[1]) <= 3:
                continue
            if _read_city(draft, text, names, countries, words, match.start("city")):
                return


def _read_city(draft, text, names, countries, words, start):
    if fold(words) in countries or names.countries.find(words):
        return False
    phrase = Phrase(words, start, start + len(words))
    country = _country_after(text, start + len(words), names)
    known = names.cities.find(words)
    if known and known[0].start == 0 and known[0].end == len(words):
        _set_venue(draft, names.venue_rows[known[0].row.pk], phrase)
        if country:
            draft.add_evidence("country", country[1])
        return True
    code = names.gazetteer.get(fold(words))
    if not (country or code):
        return False
    draft.city = words
    draft.add_evidence("city", phrase)
    if country:
        row = country[0].row
        draft.country = NamedRef(row.name, row.pk)
        draft.add_evidence("country", country[1])
    else:
        row = names.country_rows[code]
        draft.country = NamedRef(row.name, row.pk)
        draft.add_evidence("country", phrase)
        draft.notes.append(f"Country not named in the text; {words} is in {row.name}.")
    return True


def _country_after(text, position, names):
    after = re.match(r",\s+(?:the\s+)?", text[position : position + 5])
    if not after:
        return None
    start = position + after.end()
    found = names.countries.find(text[start : start + 60])
    if found and found[0].start == 0:
        match = found[0]
        return match, Phrase(text[start + match.start : start + match.end], start + match.start, start + match.end)
    return None


def _set_venue(draft, venue, phrase):
    draft.venue = NamedRef(venue.name or venue.city, venue.pk)
    draft.city = venue.city
    draft.country = NamedRef(venue.country.name, venue.country.pk)
    draft.add_evidence("venue", phrase)
    draft.add_evidence("city", phrase)
    draft.add_evidence("country", phrase)


def _country_code(draft, names):
    if draft.country and draft.country.pk:
        for code, row in names.country_rows.items():
            if row.pk == draft.country.pk:
                return code
    return ""


def _add_named(items, ref, draft, field_name, phrase):
    if all(existing.name != ref.name for existing in items):
        items.append(ref)
    draft.add_evidence(field_name, phrase)


def _read_organisers(draft, text, names):
    country = _country_code(draft, names)
    consumed = []
    for s, e in _all_sentences(text):
        sentence = text[s:e]
        verb = SUBJECT_VERB.search(sentence)
        if verb:
            role = (
                OrganiserRole.HOST
                if verb.group(2).lower() == "hosting"
                else (OrganiserRole.CO_ORGANISER if verb.group(1) else OrganiserRole.ORGANISER)
            )
            subject_start = s
            lead = re.match(r"(?:On|In|From)\s+[^,]*?\d{1,2}(?:st|nd|rd|th)?\s+\w+(?:\s+\d{4})?,?\s+", sentence)
            if lead:
                subject_start += lead.end()
            _take_bodies(draft, text, subject_start, s + verb.start(), role, names, country)
            consumed.append((s, s + verb.start()))
    for s, e in _all_sentences(text):
        phrases = sorted(
            ((match, role) for role, pattern in ROLE_PHRASES for match in pattern.finditer(text, s, e)),
            key=lambda found: found[0].start(),
        )
        for match, role in phrases:
            if any(a <= match.start() < b for a, b in consumed):
                continue
            end = _next_phrase(text, match.end(), _span_end(text, match.end(), e, names, country))
            _take_bodies(draft, text, match.end(), end, role, names, country)


def _next_phrase(text, start, end):
    """A list of names ends where the next role or funding phrase begins ("by SEESAC and funded by Germany")."""
    for pattern in [pattern for _role, pattern in ROLE_PHRASES] + [FUNDING]:
        found = pattern.search(text, start, end)
        if found:
            joint = re.search(r"(?:,?\s+and)?\s*$", text[start : found.start()])
            end = min(end, start + joint.start())
    return end


def _all_sentences(text):
    spans = []
    for block in re.finditer(r"[^\n]+", text):
        if block.group().strip():
            spans.extend(_sentences(text, block.start(), block.end()))
    return spans


def _span_end(text, start, limit, names, country):
    """Where a list of names after "organised by" ends: at a comma, unless the words before it name no body
    yet (a person's name and title: "H.E. Mr X, Minister of Internal Affairs")."""
    position = start
    while True:
        comma = text.find(",", position, limit)
        if comma == -1:
            return limit
        chunk = text[start:comma]
        if _bodies_in(chunk, names, country) or CLAUSE_START.match(text[comma + 1 : limit]):
            return comma
        position = comma + 1


def _bodies_in(chunk, names, country):
    chunk = _without_qualifiers(chunk)
    chunk = re.sub(r"\bMinister\b", "Ministry", chunk)
    return names.organisations.find(chunk, country_code=country)


def _without_qualifiers(chunk):
    """Words that describe a body, not the meeting, blanked out.

    In "the IISG Support Group hosted by DCAF Ljubljana", DCAF hosts the group, not the meeting.
    """
    out = list(chunk)
    for match in QUALIFIER.finditer(chunk):
        stop = chunk.find(",", match.end())
        stop = len(chunk) if stop == -1 else stop
        out[match.start() : stop] = [" "] * (stop - match.start())
    return "".join(out)


def _take_bodies(draft, text, start, end, role, names, country):
    chunk = _without_qualifiers(text[start:end])
    search = re.sub(r"\bMinister\b", "Ministry", chunk)
    found = names.organisations.find(search, country_code=country)
    for match in found:
        phrase = Phrase(text[start + match.start : start + match.end], start + match.start, start + match.end)
        if any(o.pk == match.row.pk for o in draft.organisers):
            draft.add_evidence("organisers", phrase)
            continue
        # A secretariat among those organising is there as the secretariat.
        own_role = (
            OrganiserRole.SECRETARIAT
            if role == OrganiserRole.ORGANISER and fold(match.row.name).endswith("secretariat")
            else role
        )
        _add_named(draft.organisers, NamedRef(match.row.name, match.row.pk, role=own_role), draft, "organisers", phrase)
    if PERSON.search(chunk.strip()) or re.search(r"\s(?:H\.\s?E\.|Mr\.?|Ms\.?|Mrs\.?)\s", chunk):
        return  # "H.E. Mr X, Deputy Director-General": what is not a known body is a person and titles
    rest = list(chunk)
    for match in found:
        rest[match.start : match.end] = [","] * (match.end - match.start)
    for name, s, e in _new_names("".join(rest), start, names):
        _add_named(draft.organisers, NamedRef(name, None, role=role), draft, "organisers", Phrase(text[s:e], s, e))


def _new_names(chunk, offset, names):
    """Names the database does not know, proposed as the text writes them (each a list item).

    Items are split at commas and at "and", but not at the "and" of a country's name ("Ministry of
    Security of Bosnia and Herzegovina").
    """
    protected = list(chunk)
    for match in names.countries.find(chunk):
        for index in range(match.start, match.end):
            if protected[index] == " ":
                protected[index] = "\x00"
    masked = "".join(protected)
    found = []
    for part in re.finditer(r"[^,;]+", masked):
        position = part.start()
        for item in re.split(r"(\s+and\s+(?:by\s+)?)", part.group()):
            item_start, position = position, position + len(item)
            words = re.sub(r"^(?:the|a|an)\s+", "", item.strip(), flags=re.I).strip(" –-.:")
            if not words or not words[0].isupper() or PERSON.match(words) or len(words) < 2:
                continue
            if fold(words) in STOPWORDS or (re.match(r"^(?:On|In|From|The)\b", words) and re.search(r"\d", words)):
                continue
            begin = offset + item_start + item.find(words)
            found.append((chunk[begin - offset : begin - offset + len(words)], begin, begin + len(words)))
    return found


def _read_funders_and_programmes(draft, text, names):
    country = _country_code(draft, names)
    for s, e in _all_sentences(text):
        for match in FUNDING.finditer(text, s, e):
            end = _next_phrase(text, match.end(), _funding_end(text, match.end(), e))
            for item_start, item_end in _items(text, match.end(), end):
                _read_funding_item(draft, text, item_start, item_end, names, country)
        for match in FRAMEWORK.finditer(text, s, e):
            comma = text.find(",", match.end(), e)
            end = e if comma == -1 else comma
            for found in names.programmes.find(text[match.end() : end]):
                begin = match.end() + found.start
                phrase = Phrase(text[begin : match.end() + found.end], begin, match.end() + found.end)
                _add_named(draft.programmes, NamedRef(found.row.name, found.row.pk), draft, "programmes", phrase)


def _funding_end(text, start, limit):
    """Where the funders' list ends: at a comma outside brackets that starts a new clause."""
    depth = 0
    for index in range(start, limit):
        char = text[index]
        if char in "(“":
            depth += 1
        elif char in ")”":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0 and FUNDING_STOP.match(text[index + 1 : limit]):
            return index
    return limit


def _items(text, start, end):
    """The list's items: split at "and (by)" outside brackets and quotes."""
    items, depth, begin = [], 0, start
    index = start
    while index < end:
        char = text[index]
        if char in '(“"':
            depth += 1
        elif char in ")”":
            depth = max(0, depth - 1)
        elif depth == 0:
            joint = re.match(r"\s+and\s+(?:by\s+)?", text[index:end])
            if joint and index > begin:
                items.append((begin, index))
                begin = index + joint.end()
                index = begin
                continue
        index += 1
    items.append((begin, end))
    return items


def _read_funding_item(draft, text, start, end, names, country):
    item = text[start:end]
    instrument = None
    via = re.search(r"\s+(?:via|through|under)\s+(?:the\s+)?(.+)$", item, re.I)
    if via:
        instrument = (via.group(1).strip(), start + via.start(1))
        item_end = start + via.start()
    else:
        item_end = end
    body = text[start:item_end]
    programmes = names.programmes.find(body)
    for found in programmes:
        begin = start + found.start
        _add_named(
            draft.programmes,
            NamedRef(found.row.name, found.row.pk),
            draft,
            "programmes",
            Phrase(text[begin : start + found.end], begin, start + found.end),
        )
    if programmes:
        # "the WBCTi (EU IPAII2016 Multi-Country Action …)": the funder and its instrument in brackets.
        bracket = re.search(r"\((.+)\)\s*$", body)
        if not bracket:
            return
        start, body = start + bracket.start(1), bracket.group(1)
        item_end = start + len(body)
        funders = names.organisations.find(body, country_code=country)
        if funders and funders[0].start == 0:
            rest = body[funders[0].end :].strip()
            instrument = (rest, start + body.find(rest)) if rest else instrument
        else:
            return
    by = re.match(r"\s*(?:the\s+)?(?P<what>[^,]+?)\s+by\s+", body)
    if by and not names.organisations.find(by.group("what"), country_code=country):
        instrument = (by.group("what"), start + by.start("what"))
    funders = names.organisations.find(body, country_code=country)
    refs = [(NamedRef(f.row.name, f.row.pk), start + f.start, start + f.end) for f in funders]
    if not refs:
        chunk = body[by.end() :] if by else body
        offset = start + (by.end() if by else 0)
        refs = [(NamedRef(n, None), s, e) for n, s, e in _new_names(chunk, offset, names)][:1]
    for index, (ref, s, e) in enumerate(refs):
        if index == 0 and instrument:
            words, begin = instrument
            words = words.strip(" ,.;")
            ref.instrument = words
            draft.add_evidence("funders", Phrase(text[begin : begin + len(words)], begin, begin + len(words)))
        if all(f.pk != ref.pk or (ref.pk is None and f.name != ref.name) for f in draft.funders):
            draft.funders.append(ref)
        draft.add_evidence("funders", Phrase(text[s:e], s, e))


def _read_title_owners(draft, names):
    """A programme or body named in the title as its owner ("Meeting of the IISG Board", "SEESAC Meeting of …")."""
    title = draft.title
    evidence = draft.evidence.get("title", [])
    title_phrase = evidence[-1] if evidence else None
    for found in names.programmes.find(title) if title_phrase else []:
        before = title[: found.start].split()
        if before and before[-1].lower() in SUBJECT_PREPOSITIONS:
            continue
        phrase = _title_phrase(title_phrase, title, found)
        _add_named(draft.programmes, NamedRef(found.row.name, found.row.pk), draft, "programmes", phrase)
    organising = {OrganiserRole.ORGANISER, OrganiserRole.CO_ORGANISER, OrganiserRole.SECRETARIAT}
    if any(o.role in organising for o in draft.organisers):
        return
    if not title_phrase:
        return
    for found in names.organisations.find(title):
        before = title[: found.start].split()
        leading = not before or re.fullmatch(r"\d+(?:st|nd|rd|th)", before[-1])
        owner = before[-2:] == ["of", "the"] or before[-1:] == ["of"]
        after = title[found.end :].lstrip()
        if (leading and re.match(r"(?:Meeting|Conference|Forum|Board|Group)\b", after)) or owner:
            phrase = _title_phrase(title_phrase, title, found)
            draft.organisers.insert(0, NamedRef(found.row.name, found.row.pk, role=OrganiserRole.ORGANISER))
            draft.add_evidence("organisers", phrase)
            draft.notes.append(f"{found.row.name} as organiser: named in the meeting's title.")
            return
    owners = dict(
        Programme.objects.filter(pk__in=[p.pk for p in draft.programmes], organisation__isnull=False).values_list(
            "pk", "organisation_id"
        )
    )
    for programme in draft.programmes:
        if programme.pk in owners and programme.pk and "programmes" in draft.evidence:
            from organisations.models import Organisation  # one row, rarely read: kept out of the module's imports

            organisation = Organisation.objects.get(pk=owners[programme.pk])
            draft.organisers.insert(0, NamedRef(organisation.name, organisation.pk, role=OrganiserRole.ORGANISER))
            draft.evidence.setdefault("organisers", []).extend(draft.evidence["programmes"][:1])
            draft.notes.append(
                f"{organisation.name} as organiser: the meeting is held under its programme ({programme.name}) "
                "and the text names no organiser."
            )
            return


def _title_phrase(title_phrase, title, found):
    if title_phrase and title_phrase.text == title:
        return Phrase(title[found.start : found.end], title_phrase.start + found.start, title_phrase.start + found.end)
    return title_phrase


def _read_topics(draft, text, names):
    # Programme names are not topics ("Countering Serious Crime in the Western Balkans" is a project).
    chars = list(text)
    for found in names.programmes.find(text):
        chars[found.start : found.end] = [" "] * (found.end - found.start)
    masked = "".join(chars)
    for row, start, end in names.find_topics(masked):
        _add_named(draft.topics, NamedRef(row.name, row.pk), draft, "topics", Phrase(text[start:end], start, end))
