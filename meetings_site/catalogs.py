"""Building the compiled catalogs (.mo) from the project's .po files, in Python (no GNU gettext).

Three things happen here beyond compiling, each because Django cannot do it alone:
- Serbian Latin is written from Serbian Cyrillic by transliteration (cyrtranslit), never by hand,
  so the two catalogs cannot drift;
- Montenegrin, for which Django and the apps ship no catalogs, gets their strings (admin, forms)
  from the nearest languages that have them (meetings_site.languages.DJANGO_FALLBACKS); the
  project's own translations always win;
- fuzzy entries are left out, as msgfmt does.

``make run`` and ``make test`` build them (``manage.py compilecatalogs``); the .mo files are not
kept in git. ``make messages`` re-extracts the strings first (that step needs GNU gettext).
"""

import os
import re
import tempfile
from pathlib import Path

import cyrtranslit
from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog
from django.apps import apps
from django.conf import settings
from django.utils.translation import to_locale

from meetings_site.languages import DERIVED, DJANGO_FALLBACKS, OFFERED

DOMAINS = ("django", "djangojs")


def locale_dir():
    return Path(settings.LOCALE_PATHS[0])


def po_path(locale, domain="django"):
    return locale_dir() / locale / "LC_MESSAGES" / f"{domain}.po"


def mo_path(locale, domain="django"):
    return locale_dir() / locale / "LC_MESSAGES" / f"{domain}.mo"


def translated_locales():
    return [to_locale(language.code) for language in OFFERED if language.code != settings.LANGUAGE_CODE]


def edited_locales():
    """The catalogs translators edit: every offered language but English and the derived ones."""
    return [locale for locale in translated_locales() if locale not in DERIVED]


def read_catalog(path, locale):
    with open(path, "rb") as file:
        return pofile.read_po(file, locale=locale)


def transliterated(catalog, locale):
    """A copy of a Cyrillic catalog with every translation in Latin script (ids untouched)."""
    latin = Catalog(domain=catalog.domain, fuzzy=False)
    latin.mime_headers = catalog.mime_headers  # the same plural rule
    for message in catalog:
        if not message.id:
            continue
        string = message.string
        if isinstance(string, (tuple, list)):
            string = tuple(cyrtranslit.to_latin(form, "sr") for form in string)
        else:
            string = cyrtranslit.to_latin(string, "sr")
        latin.add(message.id, string, context=message.context, flags=message.flags)
    return latin


def django_catalog_dirs():
    """Where Django and the installed apps keep their own catalogs."""
    import django

    dirs = [Path(django.__file__).parent / "conf" / "locale"]
    dirs += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    return [path for path in dirs if path.is_dir() and path != locale_dir()]


def read_compiled(path):
    with open(path, "rb") as file:
        return mofile.read_mo(file)


def add_missing(catalog, other):
    """Messages of another catalog that this one lacks (its own translations stay as they are)."""
    for message in other:
        if message.id and message.string and catalog.get(message.id, context=message.context) is None:
            catalog.add(message.id, message.string, context=message.context)


def with_fallbacks(catalog, locale, domain):
    for fallback in DJANGO_FALLBACKS.get(locale, []):
        for folder in django_catalog_dirs():
            compiled = folder / fallback / "LC_MESSAGES" / f"{domain}.mo"
            if compiled.is_file():
                add_missing(catalog, read_compiled(compiled))
    return catalog


def source_catalog(locale, domain):
    if locale in DERIVED:
        source, _rule = DERIVED[locale]
        path = po_path(source, domain)
        return transliterated(read_catalog(path, source), locale) if path.is_file() else None
    path = po_path(locale, domain)
    if path.is_file():
        return read_catalog(path, locale)
    if locale in DJANGO_FALLBACKS and domain in DOMAINS:
        return Catalog(locale=locale, domain=domain)
    return None


def write_atomically(path, catalog):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".mo.tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            mofile.write_mo(file, catalog, use_fuzzy=False)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


# --- Django's own strings that Django leaves untranslated ------------------------------
#
# The admin, form errors and the history screens come from Django and its apps, whose catalogs
# for the region's languages have gaps (Bosnian lacks a third of the admin). Where a string our
# pages can show has no translation in a language's own catalog (nor, for Montenegrin, in the
# one it falls back to first), the project supplies it in locale/<language>/LC_MESSAGES/
# django-supplement.po, written by make messages and translated like the rest.
SUPPLEMENT = "django-supplement"
# The admin's scripts (calendar and clock pop-ups, the selection boxes) have a catalog of their own.
SUPPLEMENTS = {"django": SUPPLEMENT, "djangojs": "djangojs-supplement"}
SUPPLEMENTED_CATALOGS = ("django", "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes")
SUPPLEMENTED_APPS_WITHOUT_OUR_LANGUAGES = ("simple_history",)


def supplemented_folders():
    import importlib

    folders = []
    for name in (*SUPPLEMENTED_CATALOGS, *SUPPLEMENTED_APPS_WITHOUT_OUR_LANGUAGES):
        module = importlib.import_module(name)
        folder = Path(module.__file__).parent / ("conf/locale" if name == "django" else "locale")
        folders.append(folder)
    return folders


def message_key(message):
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def is_translated(message):
    """Translated as Django ships it compiled: a fuzzy entry is left out of the .mo, so it reads English."""
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(message.id) and all(strings) and not message.fuzzy


def english_messages(folder, domain="django"):
    """The messages of an app's catalog: its English one, or for an app without one, every message
    any of its catalogs holds (their ids are the English; no one catalog need be up to date)."""
    english = folder / "en" / "LC_MESSAGES" / f"{domain}.po"
    sources = [english] if english.is_file() else sorted(folder.glob(f"*/LC_MESSAGES/{domain}.po"))
    messages = {}
    for source in sources:
        with open(source, "rb") as file:
            for message in pofile.read_po(file):
                if message.id:
                    messages.setdefault(message_key(message), message)
    return list(messages.values())


def is_a_language_name(message):
    """Django's names of the world's languages (its LANGUAGES setting): never shown on our pages,
    where the switcher names each language in itself."""
    return bool(message.locations) and all(path.endswith("global_settings.py") for path, _line in message.locations)


def django_gaps(locale, domain="django"):
    """Django's own messages (of SUPPLEMENTED_CATALOGS) with no translation for this locale."""
    chain = [locale, *DJANGO_FALLBACKS.get(locale, [])[:1]]
    gaps = {}
    for folder in supplemented_folders():
        translated = set()
        for code in chain:
            path = folder / code / "LC_MESSAGES" / f"{domain}.po"
            if path.is_file():
                with open(path, "rb") as file:
                    translated |= {message_key(m) for m in pofile.read_po(file) if is_translated(m)}
        for message in english_messages(folder, domain):
            key = message_key(message)
            if key in translated or key in gaps or is_a_language_name(message):
                continue
            gaps[key] = message
    return list(gaps.values())


def update_supplement(locale, domain="django"):
    """Write the locale's supplement: today's gaps, with the translations it already holds."""
    path = po_path(locale, SUPPLEMENTS[domain])
    held = {}
    if path.is_file():
        held = {message_key(m): m for m in read_catalog(path, locale) if m.id}
    ours = read_catalog(po_path(locale), locale)
    supplement = Catalog(locale=locale, domain=SUPPLEMENTS[domain], fuzzy=False)
    supplement.mime_headers = ours.mime_headers  # the same plural rule
    supplement.header_comment = (
        f"# Django's own strings that Django's {locale} catalogs leave untranslated (meetings_site/catalogs.py).\n"
        "# A first translation by the project team, awaiting review by a native speaker.\n"
        "# Terms follow docs/glossary.md; it says how to submit a correction."
    )
    for message in django_gaps(locale, domain):
        old = held.get(message_key(message))
        empty = ("",) * ours.num_plurals if message.pluralizable else ""
        supplement.add(
            message.id,
            old.string if old else empty,
            context=message.context,
            locations=message.locations,
            auto_comments=message.auto_comments,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        pofile.write_po(file, supplement, width=79, omit_header=False, include_previous=False)
    # Without the dates and placeholders babel writes, so a run that changes nothing changes no line.
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'"(POT-Creation-Date|PO-Revision-Date|Last-Translator|Generated-By): [^"]*\\n"\n', "", text)
    path.write_text(text.replace("Project-Id-Version:  ", "Project-Id-Version: "), encoding="utf-8")
    return path


def compile_all():
    """Write every offered language's .mo files; returns the paths written."""
    written = []
    for locale in translated_locales():
        for domain in DOMAINS:
            catalog = source_catalog(locale, domain)
            supplement = source_catalog(locale, SUPPLEMENTS[domain]) if domain in SUPPLEMENTS else None
            if catalog is None and supplement is None:
                continue
            if catalog is None:  # the project has no strings of this domain, only Django's missing ones
                catalog = Catalog(domain=domain, fuzzy=False)
                catalog.mime_headers = supplement.mime_headers
            if supplement is not None:
                add_missing(catalog, supplement)
            catalog = with_fallbacks(catalog, locale, domain)
            path = mo_path(locale, domain)
            write_atomically(path, catalog)
            written.append(path)
    return written


# %(name)s, %s, %d and {name}: what Python fills in; an HTML tag the text carries.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdfi]|%[sdfi]|\{[a-z_0-9]*\}|</?[a-z]+[^>]*>", re.IGNORECASE)


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def problems(locale, domain="django"):
    """What keeps a catalog from being offered: untranslated or fuzzy entries, and placeholder
    mismatches (a translation that drops, adds or renames what the code fills in)."""
    found = []
    catalog = read_catalog(po_path(locale, domain), locale)
    for message in catalog:
        if not message.id:
            continue
        where = f"{locale}: {message.id if isinstance(message.id, str) else message.id[0]!r}"
        if message.fuzzy:
            found.append(f"{where} is fuzzy")
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings) or (message.pluralizable and len(strings) != catalog.num_plurals):
            found.append(f"{where} is not translated (every plural form)")
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        expected = [placeholders(text) for text in ids]
        for string in strings:
            if placeholders(string) not in expected:
                found.append(f"{where}: placeholders {placeholders(string)} where the original has {expected[-1]}")
    return found
