"""Bodies that organise and fund meetings, and the programmes they run.

An organisation's facts are stored once. Whether it organises or funds is a property of its
link to a meeting, so those links and the queries about roles live with the meetings
(``events.models.MeetingOrganiser``, ``MeetingFunder``): this app knows nothing of meetings.
"""

import cyrtranslit
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

# Plain folding functions, no models: reading them keeps this app free of the meetings'.


def translated_values(instance, names):
    """Every language's text of the translated fields ``names`` (organisations/translation.py,
    events/translation.py), each once, English first: what the public search folds."""
    values = []
    for name in names:
        for code, _name in settings.LANGUAGES:
            value = getattr(instance, build_localized_fieldname(name, code), None)
            if value and value not in values:
                values.append(value)
    return values


def with_translation_columns(model, names):
    """``names`` for save(update_fields=…), each translated field with all its language columns:
    a change made in one language must not be left out because the caller named the field."""
    expanded = set(names)
    for name in names:
        for code, _name in settings.LANGUAGES:
            try:
                expanded.add(model._meta.get_field(build_localized_fieldname(name, code)).name)
            except FieldDoesNotExist:
                break
    return expanded


class EnglishColumnsMixin:
    """Saves with English active, so the untranslated column (``title``, ``name``) always holds the
    English text: reading it through the model gives the active language's, and a save would
    otherwise write whichever language the editor's admin was in. Raw SQL, exports and anything
    reading the column without the translation layer then read English, as before translations."""

    @property
    def in_english_only(self):
        """The translated fields read in English because the active language has no text for them:
        the page marks them lang="en" and says so. Empty when English is the active language."""
        from modeltranslation import utils
        from modeltranslation.translator import translator

        language = utils.get_language()
        if language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
            return frozenset()
        english = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        return frozenset(
            name
            for name in translator.get_options_for_model(type(self)).fields
            if not getattr(self, build_localized_fieldname(name, language), None)
            and getattr(self, build_localized_fieldname(name, english), None)
        )

    def save(self, *args, **kwargs):
        self.derive_serbian_latin()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_translation_columns(type(self), kwargs["update_fields"])
        with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
            super().save(*args, **kwargs)

    def derive_serbian_latin(self):
        """Serbian is entered once, in Cyrillic: its Latin text is written from it, as the catalogs
        are (Cyrillic to Latin is lossless), so Latin-script readers never get English instead."""
        from modeltranslation.translator import translator

        for name in translator.get_options_for_model(type(self)).fields:
            cyrillic = getattr(self, build_localized_fieldname(name, "sr"), None)
            if cyrillic:
                setattr(self, build_localized_fieldname(name, "sr-latn"), cyrtranslit.to_latin(cyrillic, "sr"))


class OrganisationKind(models.TextChoices):
    REGIONAL = "regional", _("Regional organisation or initiative")
    EU = "eu", _("EU institution or body")
    UN = "un", _("UN agency")
    INTERNATIONAL = "international", _("International organisation")
    NATIONAL_AUTHORITY = "national_authority", _("National authority")
    GOVERNMENT = "government", _("Government")
    PROGRAMME_OFFICE = "programme_office", _("Programme office or support group")
    OTHER = "other", _("Other")


class Organisation(EnglishColumnsMixin, models.Model):
    """A body that organises, hosts, chairs or funds meetings."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(
        _("acronym or short name"),
        max_length=40,
        blank=True,
        help_text=_("As the body writes it, e.g. “RCC”, “UNODC”, “EUD/EUSR BiH”."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("short description"), blank=True)
    # Folded for the public search (events.search), from search_values(); kept on every save by a
    # receiver in events.models, which owns the search.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    # Who may change this body's meetings (events.editors.permissions); regional editors, a
    # group, change every body's. Kept here, not on the user: the auth app is Django's.
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editors"),
        blank=True,
        related_name="editing_organisations",
        help_text=_("Editors who may change the meetings this organisation organises, in any role."),
    )

    class Meta:
        # By the English name, the column every body has: the same order in every language.
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # What makes a regional editor (the "Regional editors" group holds it): a permission rather
        # than a group name, so asking costs no query beyond the permissions Django reads anyway.
        permissions = [("change_every_organisations", _("Can change every organisation's meetings and shared records"))]

    def __str__(self):
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name

    @property
    def short_name(self):
        return self.acronym or self.name

    def search_values(self):
        """The strings the public search reads of this body (search_text): its name in every language."""
        return [*translated_values(self, ["name"]), self.acronym]


class Programme(EnglishColumnsMixin, models.Model):
    """A programme, project or framework under which meetings are held."""

    name = models.CharField(_("name"), max_length=250, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("run by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="programmes",
        help_text=_("Leave empty when the announcement does not say who runs it."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.short_name or self.name
