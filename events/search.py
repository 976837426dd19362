"""Search text that matches whatever script and diacritics a visitor types.

The region writes its names in Latin and Cyrillic, with and without diacritics, and in more than
one language: "Priština", "Pristina", "Приштина" and "Prishtinë" are one city. Stored text and the
words of a search go through the one ``normalise``, so they meet in a single folded form: Latin
letters without marks, lower case. What a visitor can search is kept, folded, in a ``search_text``
column on meetings, organisations and venues (filled on save and by every bulk write, through
``search_text`` here), so the search is a plain substring test on an indexed column, the same on
SQLite and PostgreSQL.
"""

import re
import unicodedata

import cyrtranslit

# Macedonian letters the Serbian mapping lacks, in the official Macedonian romanisation. The generic
# mapping gives Ǵ and Ḱ, which fold to g and k and would not meet "Gjorce" as a visitor types it.
MACEDONIAN = str.maketrans({"Ѓ": "Gj", "ѓ": "gj", "Ќ": "Kj", "ќ": "kj", "Ѕ": "Dz", "ѕ": "dz"})
# Latin letters that carry no combining mark to strip (NFKD leaves them whole).
LATIN_LETTERS = str.maketrans(
    {
        "Đ": "Dj",
        "đ": "dj",
        "ß": "ss",
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Æ": "Ae",
        "æ": "ae",
        "Œ": "Oe",
        "œ": "oe",
        "ı": "i",
    }
)
CYRILLIC = re.compile("[\u0400-\u04ff]")
WHITESPACE = re.compile(r"\s+")

# Names no folding joins: exonyms and endonyms of places a visitor of this region would type, and
# the spellings of the languages around them, each group written as ``normalise`` leaves it. A stored
# text naming one member also holds the others (``expand_aliases``); a search word is not expanded,
# so any member finds text naming any other.
ALIASES = [
    {"pristina", "prishtina", "prishtine"},
    {"skopje", "shkup", "shkupi", "skoplje"},
    {"belgrade", "beograd", "belgrad", "beogradi"},
    {"tirana", "tirane", "tiranu"},
    {"podgorica", "podgorice"},
    {"mitrovica", "mitrovice"},
    {"durres", "durazzo", "drac"},
    {"shkoder", "skadar", "shkodra", "scutari"},
    {"gjakova", "djakovica", "gjakove"},
    {"peja", "pec", "peje"},
    {"prizren", "prizreni"},
    {"vienna", "wien", "bec", "vjena", "vienne"},
    {"geneva", "geneve", "zeneva", "genf", "gjeneve"},
    {"brussels", "bruxelles", "brisel", "bruksel", "brussel"},
    {"rome", "roma", "rim"},
    {"ljubljana", "lubiana"},
    {"thessaloniki", "solun", "selanik", "saloniki"},
    {"sarajevo"},
    {"zagreb", "zagrebi"},
    {"novi pazar", "pazari i ri"},
    {"ohrid", "ohri"},
    {"tetovo", "tetove", "tetova"},
    {"bitola", "manastir"},
    {"ulcinj", "ulqin"},
    {"athens", "athina", "atina", "athine"},
    {"north macedonia", "sjeverna makedonija", "severna makedonija", "maqedonia e veriut", "makedonija"},
    {"albania", "shqiperia", "albanija", "shqiperi"},
    {"kosovo", "kosova"},
    {"montenegro", "crna gora", "mali i zi"},
    {"serbia", "srbija", "serbija", "serbi"},
    {"croatia", "hrvatska", "kroacia"},
    {"bosnia and herzegovina", "bosna i hercegovina", "bosnja dhe hercegovina", "bih"},
    {"slovenia", "slovenija", "sllovenia"},
    {"greece", "grcka", "greqia", "hellas"},
    {"italy", "italia", "italija"},
    {"germany", "deutschland", "njemacka", "nemacka", "gjermania"},
    {"austria", "osterreich", "austrija"},
    {"switzerland", "schweiz", "suisse", "svicarska", "zvicra"},
    {"belgium", "belgique", "belgija", "belgjika"},
]
# The groups re-folded, so a slip in how one is written above cannot leave it unreachable.
ALIASES = [frozenset(" ".join(member.split()) for member in group) for group in ALIASES]


def normalise(text):
    """``text`` in the one folded form stored text and search words share."""
    if not text:
        return ""
    if not text.isascii():
        if CYRILLIC.search(text):
            text = cyrtranslit.to_latin(text.translate(MACEDONIAN), "sr")
        text = unicodedata.normalize("NFKD", text.translate(LATIN_LETTERS))
        text = "".join(char for char in text if not unicodedata.combining(char))
    return WHITESPACE.sub(" ", text.casefold()).strip()


_MEMBERS = {member: group for group in ALIASES for member in group}
# Whole words only: "pec" inside "specific" names no city. Longest first, so "novi pazar" is found
# before any shorter member could take its place.
_ALIAS_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(member) for member in sorted(_MEMBERS, key=len, reverse=True)) + r")\b"
)


def expand_aliases(folded):
    """The other members of every alias group a folded text names, in a fixed order."""
    named = {match.group(1) for match in _ALIAS_PATTERN.finditer(folded)}
    return sorted(set().union(*(_MEMBERS[member] for member in named)) - named)


def search_text(values):
    """What to store in a ``search_text`` column for these strings: each folded, then the aliases
    they call for. Spaces between them, which no search word holds, so no word matches across two."""
    folded = " ".join(filter(None, (normalise(value) for value in values)))
    return " ".join([folded, *expand_aliases(folded)]).strip()


def search_terms(words):
    """Search words (events.filters.search_words) in the stored form: folded, each once, none empty."""
    terms = {}
    for word in words:
        term = normalise(word)
        if term:
            terms.setdefault(term, None)
    return list(terms)
