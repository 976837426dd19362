"""The organisations' texts offered in every language of the site (django-modeltranslation).

Each field gets one column per language (``name_en``, ``name_sq``…) in the same table; reading
``organisation.name`` gives the visitor's language, falling back to English.
"""

from modeltranslation.translator import TranslationOptions, register

from organisations.models import Organisation, Programme


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    # A name is unique in each language: an untranslated one is NULL, never "" twice.
    empty_values = {"name": None}


@register(Programme)
class ProgrammeTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    # A name is unique in each language: an untranslated one is NULL, never "" twice.
    empty_values = {"name": None}
