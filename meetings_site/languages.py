"""The languages the site is offered in, each named in itself, and what Django needs told about them.

A language is offered only when its catalog is complete (tests/test_catalogs.py fails otherwise).
Serbian is written in Cyrillic (``sr``); its Latin catalog is derived from it at build time
(``manage.py compilecatalogs``), so the two never drift. Montenegrin (``cnr``) is a language of its
own: Django ships nothing for it, so it is registered here, its own catalog comes first and only
Django's own strings fall back (to Bosnian, then Serbian Latin: ijekavian and Latin first).
"""

import functools
from dataclasses import dataclass

from django.conf import locale
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Language:
    code: str  # as in URLs and <html lang>: BCP 47, lower case
    name: object  # in the visitor's language (lazy)
    name_local: str  # in itself, as the switcher shows it
    cldr: str  # the CLDR locale for country and territory names (Babel)

    @property
    def cldr_is_own(self):
        return self.cldr.split("_")[0] == self.code.split("-")[0]


OFFERED = [
    Language("en", _("English"), "English", "en_GB"),
    Language("sq", _("Albanian"), "Shqip", "sq"),
    Language("bs", _("Bosnian"), "Bosanski", "bs"),
    Language("hr", _("Croatian"), "Hrvatski", "hr"),
    Language("mk", _("Macedonian"), "Македонски", "mk"),
    # CLDR has no Montenegrin data. Country names are read from Bosnian's: the ijekavian Latin
    # forms Montenegrin writes (CLDR's sr_Latn_ME is Serbian, ekavian: "Severna Makedonija").
    # Only names are read from it: the language itself is never named from CLDR.
    Language("cnr", _("Montenegrin"), "Crnogorski", "bs"),
    Language("sr", _("Serbian (Cyrillic)"), "Српски", "sr_Cyrl"),
    Language("sr-latn", _("Serbian (Latin)"), "Srpski", "sr_Latn"),
    Language("sl", _("Slovenian"), "Slovenščina", "sl"),
]

BY_CODE = {language.code: language for language in OFFERED}

# Where Django's own strings (admin, forms) come from for a language Django has no catalog for.
DJANGO_FALLBACKS = {"cnr": ["bs", "sr_Latn"]}

# Which catalog another is derived from mechanically, and how (compilecatalogs).
DERIVED = {"sr_Latn": ("sr", "cyrillic-to-latin")}


def register():
    """Tell Django about Montenegrin and name every offered language in itself (its switcher, its admin)."""
    locale.LANG_INFO["cnr"] = {"bidi": False, "code": "cnr", "name": "Montenegrin", "name_local": "Crnogorski"}
    for language in OFFERED:
        info = locale.LANG_INFO.setdefault(language.code, {"bidi": False, "code": language.code})
        info["name_local"] = language.name_local


def settings_languages():
    return [(language.code, language.name) for language in OFFERED]


def territory_name(code, language_code):
    """A country's or territory's name in a language, from CLDR (Babel), or None when CLDR has none.

    CLDR, not a hand-kept list: its names are current (North Macedonia, never "Macedonia").
    """
    language = BY_CODE.get(language_code)
    if language is None or not code:
        return None
    return _territories(language.cldr).get(code.upper())


@functools.cache
def _territories(cldr_locale):
    from babel import Locale

    return dict(Locale.parse(cldr_locale).territories)


def city_name(city, zone_name, language_code):
    """A city's name in a language, from CLDR, where the city is the one its time zone is named for
    (Belgrade → Београд, Vienna → Beč, Tirana → Tiranë): CLDR names those cities in every language.
    Any other city keeps the name it was entered with."""
    language = BY_CODE.get(language_code)
    if language is None or language.code == "en" or not city or not zone_name:
        return city
    if city.casefold() != _zone_city(zone_name, "en_GB").casefold():
        return city
    return _zone_city(zone_name, language.cldr) or city


@functools.lru_cache(maxsize=1024)
def _zone_city(zone_name, cldr_locale):
    from babel.dates import get_timezone, get_timezone_location

    try:
        return get_timezone_location(get_timezone(zone_name), locale=cldr_locale, return_city=True)
    except LookupError:
        return ""
