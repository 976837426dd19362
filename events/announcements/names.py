"""The text's names matched to the database's rows: organisations, programmes, topics, venues, countries.

Every name is compared folded (case, accents, punctuation and spacing ignored, "IPAII" read as
"IPA II"), and each row brings its own variants: its acronym or short name, "A, B" read as
"B, A", "EUD/EUSR BiH" read as "EUD/EUSR in Bosnia and Herzegovina" when the name ends with that
place, "Ministry of X of Slovenia" read as "Slovenian Ministry of X". The only tables here are
generic ones (former country names, country adjectives, spelling variants, topic keywords), never
a list of particular bodies: a new organisation in the database is found by its own name.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from events.models import Country, Topic, Venue
from organisations.models import Organisation, Programme

# Names a country has been or is written by, keyed by ISO code (the site shows Country.name).
FORMER_COUNTRY_NAMES = {
    "MK": [
        "former Yugoslav Republic of Macedonia",
        "the former Yugoslav Republic of Macedonia",
        "FYROM",
        "FYR Macedonia",
    ],
    "CZ": ["Czech Republic"],
    "TR": ["Turkey"],
}
# Adjectives of countries, so "Slovenian Ministry of the Interior" finds "Ministry of the Interior
# of the Republic of Slovenia". Keyed by ISO code; countries not listed simply get no adjective.
COUNTRY_ADJECTIVES = {
    "AL": ["Albanian"],
    "AT": ["Austrian"],
    "BA": ["Bosnian", "Bosnia and Herzegovina's"],
    "BG": ["Bulgarian"],
    "HR": ["Croatian"],
    "DE": ["German"],
    "GR": ["Greek"],
    "IT": ["Italian"],
    "XK": ["Kosovan", "Kosovar"],
    "MD": ["Moldovan"],
    "ME": ["Montenegrin"],
    "MK": ["North Macedonian", "Macedonian"],
    "NO": ["Norwegian"],
    "RO": ["Romanian"],
    "RS": ["Serbian"],
    "SI": ["Slovenian", "Slovene"],
    "HU": ["Hungarian"],
    "FR": ["French"],
    "CH": ["Swiss"],
    "GB": ["British"],
    "US": ["American"],
}
# Generic ways one body's name is written: each set's phrases are read as one another.
NAME_VARIANTS = [
    ("ministry of the interior", "ministry of interior"),
    ("ministry of internal affairs", "ministry of the internal affairs"),
    ("ministry of foreign affairs", "ministry of the foreign affairs"),
]
# Words that name a topic besides its own name (regular expressions over the folded text),
# keyed by what the topic's name or slug contains.
TOPIC_KEYWORDS = {
    "p-cve": [r"p cve", r"countering violent extremism", r"violent extremism", r"radicali[sz]ation"],
    "counter-terrorism": [r"counter terrorism", r"terrorism", r"terrorist", r"\bct\b"],
    "salw": [r"small arms", r"light weapons", r"salw", r"firearms"],
    "border": [r"border"],
    "migration": [r"migra\w*"],
    "organised-crime": [r"organi[sz]ed crime", r"serious crime", r"cross border crime"],
    "police-cooperation": [r"police cooperation", r"police co operation"],
}

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.json"
ROMAN = {"ii", "iii", "iv"}


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """The text folded for comparison, and for each folded character the offset it came from.

    Lower case, accents dropped, every run of punctuation or space one space, a space between
    letters and digits ("ipaii2016" -> "ipaii 2016"), American spellings read as British ones.
    """
    chars, offsets = [], []
    previous = " "
    for index, char in enumerate(text):
        base = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in base if not unicodedata.combining(c)).lower() or " "
        for c in base:
            c = c if c.isalnum() else " "
            if c == " " and previous == " ":
                continue
            if c != " " and previous != " " and (c.isdigit() != previous.isdigit()):
                chars.append(" ")
                offsets.append(index)
            chars.append(c)
            offsets.append(index)
            previous = c
    folded = "".join(chars)
    # Same-length respellings, so the offsets stay right.
    folded = re.sub(r"organiz", "organis", folded)
    folded = re.sub(r"\bcenter\b", "centre", folded)
    return folded, offsets


def fold(text: str) -> str:
    return fold_with_offsets(text)[0].strip()


def _glued_roman(folded: str) -> set[str]:
    """ "ipa ii 2017" also as "ipaii 2017": texts write roman numerals glued to the acronym."""
    words = folded.split()
    glued = []
    for word in words:
        if word in ROMAN and glued and glued[-1].isalpha() and glued[-1] not in ROMAN:
            glued[-1] += word
        else:
            glued.append(word)
    return {folded, " ".join(glued)}


def _spelling_variants(folded: str) -> set[str]:
    variants = {folded}
    for group in NAME_VARIANTS:
        for phrase in group:
            if phrase in folded:
                variants |= {folded.replace(phrase, other) for other in group}
    return set().union(*(_glued_roman(v) for v in variants))


@dataclass(frozen=True)
class Row:
    """One database row a name can point to."""

    pk: int
    name: str  # as the site shows it
    country_code: str = ""  # the country a bare variant of the name needs as context


@dataclass(frozen=True)
class Match:
    row: Row
    start: int  # offsets into the original text
    end: int
    scoped: bool = False  # matched through a variant valid only in the meeting's country


class Index:
    """Folded variants of one kind of row, searched in a text."""

    def __init__(self):
        self.variants: dict[str, list[tuple[Row, bool]]] = {}

    def add(self, variant: str, row: Row, *, scoped: bool = False):
        for folded in _spelling_variants(fold(variant)):
            if len(folded) >= 2:
                self.variants.setdefault(folded, []).append((row, scoped))

    def find(self, text: str, *, country_code: str = "") -> list[Match]:
        """Non-overlapping matches in ``text``, longest first, in text order."""
        folded, offsets = fold_with_offsets(text)
        padded = f" {folded} "
        found: list[tuple[int, int, Row, bool]] = []
        for variant in sorted(self.variants, key=len, reverse=True):
            start = padded.find(f" {variant} ")
            while start != -1:
                begin, end = start, start + len(variant)  # indices into folded (padded shifts by one)
                if all(end <= b or begin >= e for b, e, _r, _s in found):
                    for row, scoped in self.variants[variant]:
                        if not scoped or row.country_code == country_code:
                            found.append((begin, end, row, scoped))
                            break
                start = padded.find(f" {variant} ", start + 1)
        matches = []
        for begin, end, row, scoped in sorted(found, key=lambda f: f[0]):
            matches.append(Match(row, offsets[begin], offsets[end - 1] + 1, scoped))
        return matches


class Names:
    """Everything the database can name, read once per extraction."""

    @cached_property
    def countries(self) -> Index:
        index = Index()
        for country in Country.objects.all():
            row = Row(country.pk, country.name, country.code)
            index.add(country.name, row)
            for former in FORMER_COUNTRY_NAMES.get(country.code, []):
                index.add(former, row)
        return index

    @cached_property
    def country_rows(self) -> dict[str, Row]:
        return {c.code: Row(c.pk, c.name, c.code) for c in Country.objects.all()}

    @cached_property
    def country_adjectives(self) -> dict[str, list[str]]:
        return {code: COUNTRY_ADJECTIVES.get(code, []) for code in self.country_rows}

    @cached_property
    def organisations(self) -> Index:
        index = Index()
        countries = list(Country.objects.all())
        for organisation in Organisation.objects.all():
            row = Row(organisation.pk, organisation.name)
            self._add_body(index, row, organisation.name, organisation.acronym, countries)
        return index

    @cached_property
    def programmes(self) -> Index:
        index = Index()
        for programme in Programme.objects.all():
            row = Row(programme.pk, programme.name)
            index.add(programme.name, row)
            if programme.short_name:
                index.add(programme.short_name, row)
        return index

    @cached_property
    def venues(self) -> Index:
        """Named venues by their names; city-only venues are found through ``cities``."""
        index = Index()
        for venue in Venue.objects.select_related("country").exclude(name=""):
            index.add(venue.name, Row(venue.pk, venue.name, venue.country.code))
        return index

    @cached_property
    def venue_rows(self) -> dict[int, Venue]:
        return {venue.pk: venue for venue in Venue.objects.select_related("country")}

    @cached_property
    def cities(self) -> Index:
        """Cities of the database's venues, then the gazetteer's (a city the site has no venue for yet)."""
        index = Index()
        for venue in sorted(self.venue_rows.values(), key=lambda v: (v.name != "", v.pk)):
            index.add(venue.city, Row(venue.pk, venue.city, venue.country.code))
        return index

    @cached_property
    def gazetteer(self) -> dict[str, str]:
        """Folded city name -> ISO code, for cities no venue has yet."""
        try:
            places = json.loads(GAZETTEER.read_text(encoding="utf-8"))["places"]
        except (OSError, ValueError, KeyError):
            return {}
        known = set(self.country_rows)
        return {fold(city): code for code, cities in places.items() if code in known for city in cities}

    @cached_property
    def topics(self) -> list[tuple[Row, list[re.Pattern]]]:
        rows = []
        for topic in Topic.objects.all():
            patterns = [re.escape(fold(topic.name))]
            acronym = re.search(r"\(([^)]+)\)", topic.name)
            if acronym:
                patterns.append(re.escape(fold(acronym.group(1))))
            key = f"{fold(topic.slug)} {fold(topic.name)}"
            for stem, words in TOPIC_KEYWORDS.items():
                if all(part in key for part in fold(stem).split()):
                    patterns.extend(words)
            rows.append((Row(topic.pk, topic.name), [re.compile(rf"\b(?:{p})\b") for p in patterns]))
        return rows

    def find_topics(self, text: str) -> list[tuple[Row, int, int]]:
        """Topics the text speaks of, each once, with the first words that name it."""
        folded, offsets = fold_with_offsets(text)
        found = []
        for row, patterns in self.topics:
            hits = [m for p in patterns for m in p.finditer(folded)]
            if hits:
                first = min(hits, key=lambda m: m.start())
                found.append((row, offsets[first.start()], offsets[first.end() - 1] + 1))
        return sorted(found, key=lambda f: f[1])

    def _add_body(self, index, row, name, acronym, countries):
        index.add(name, row)
        variants = {name}
        if ", " in name:
            head, _, tail = name.partition(", ")
            variants.add(f"{tail}, {head}")
        for country in countries:
            place = re.search(rf"\s+(?:of|in) (?:the Republic of )?{re.escape(country.name)}$", name)
            if place:
                base = name[: place.start()]
                for adjective in COUNTRY_ADJECTIVES.get(country.code, []):
                    variants.add(f"{adjective} {base}")
                # "Minister of Internal Affairs" at a meeting in that country means its ministry.
                index.add(base, Row(row.pk, row.name, country.code), scoped=True)
            # A state's formal name is written as its country's: "Federal Republic of Germany", "Germany".
            if re.fullmatch(rf"(?:the )?(?:\w+ )?(?:Republic|Kingdom|State) of {re.escape(country.name)}", name):
                variants.add(country.name)
            if acronym and name.endswith(f" in {country.name}"):
                tokens = acronym.split()
                if len(tokens) > 1:
                    variants.add(f"{' '.join(tokens[:-1])} in {country.name}")
        for variant in variants:
            index.add(variant, row)
        if acronym:
            index.add(acronym, row)
