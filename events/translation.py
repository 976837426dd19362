"""The meetings' texts offered in every language of the site (django-modeltranslation).

Each field gets one column per language (``title_en``, ``title_sq``…) in the same table, so lists
and feeds read them without a join; reading ``meeting.title`` gives the active language's text,
falling back to English.

The meetings' history is registered here, after the translated columns exist, rather than on the
model: django-simple-history copies a model's fields when it builds the history model, and built on
the model it would miss the translated columns and then refuse them on every save. Registered here
it keeps every language's text, so a version restored from the history brings its translations back.
"""

import simple_history
from modeltranslation.translator import TranslationOptions, register

from events.models import Meeting, Topic


@register(Meeting)
class MeetingTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "description")


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    # A name is unique in each language: an untranslated one is NULL, never "" twice.
    empty_values = {"name": None}


# search_text is derived, not history: it is rebuilt from the fields that are kept.
simple_history.register(
    Meeting,
    # The fields, not their names: simple-history keeps them in a set, and a set of strings comes out in
    # another order in every process (hash seeds), which would reorder the history tables in backups.
    m2m_fields=[Meeting.countries.field, Meeting.topics.field, Meeting.programmes.field],
    excluded_fields=["search_text"],
)
