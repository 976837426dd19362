"""The admin site: Django's, with junk in URLs and query strings answered as invalid input, never a 500.

Every ModelAdmin registered on it (ours, auth's, axes') is given ``JunkProofAdmin`` first, so
one rule holds for all of them: an id that is not a valid primary key is "does not exist" (as
Django's own change view answers it), a filter value the changelist cannot apply is Django's
"?e=1" message, a NUL in the query string is a 400, and a bulk action on ids that cannot exist
changes nothing and says so. A history admin on a model that keeps no history is refused at start-up.
tests/test_admin_junk.py walks every URL pattern with junk.
"""

import functools

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models.base import ModelBase
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.text import smart_split
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from meetings_site import identity

NUL_IN_ADDRESS = _("The address holds a NUL character; remove it and try again.")
JUNK_SELECTION = _("Some of the selected items do not exist. Nothing was changed.")


class JunkProofChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:  # a date-hierarchy year past what a date can hold
            raise IncorrectLookupParameters(error) from error

    def get_queryset(self, request, exclude_parameters=None):
        # A filter of another app that trusts its value (int("abc"), a year out of range) is a bad lookup.
        try:
            return super().get_queryset(request, exclude_parameters)
        except (ValueError, ValidationError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


@functools.cache
def junk_proof(changelist_class):
    if issubclass(changelist_class, JunkProofChangeList):
        return changelist_class
    return type(changelist_class.__name__, (JunkProofChangeList, changelist_class), {})


class JunkProofAdmin:
    """Mixed into every ModelAdmin of the site, before the ModelAdmin's own class."""

    def valid_object_id(self, object_id):
        """Whether object_id could be a primary key of this model (a number in the column's range, for ours)."""
        field = self.opts.pk
        try:
            field.run_validators(field.to_python(object_id))
        except ValidationError:
            return False
        return True

    def get_search_results(self, request, queryset, search_term):
        # As on the public list: each word once, the first few only; a search of hundreds of words
        # held a worker until the statement timeout. (Imported here: this module is loaded with the
        # apps, before models can be.)
        from events.filters import search_words

        search_term = " ".join(search_words(search_term, split=smart_split))
        return super().get_search_results(request, queryset, search_term)

    def get_changelist(self, request, **kwargs):
        return junk_proof(super().get_changelist(request, **kwargs))

    def history_view(self, request, object_id, extra_context=None):
        if not self.valid_object_id(unquote(object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.opts, unquote(object_id))
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A history admin's record page: a version id that cannot be a history row's key names none.
        history_pk = getattr(self.model, self.opts.simple_history_manager_attribute).model._meta.pk
        try:
            history_pk.run_validators(history_pk.to_python(version_id))
        except ValidationError as error:
            raise Http404(error) from error
        if not self.valid_object_id(unquote(object_id)):
            return self._get_obj_does_not_exist_redirect(request, self.opts, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(self.valid_object_id(value) for value in selected):
            self.message_user(request, JUNK_SELECTION, messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


def holds_nul(query):
    return any("\x00" in text for name, values in query.lists() for text in (name, *values))


class AdminSite(admin.AdminSite):
    # Branded with the site's own name (meetings_site/identity.py), in the editor's language;
    # templates/admin/base_site.html adds the logo and the accent colours. The index keeps
    # Django's title ("Site administration"): the header above it already names the site.
    @property
    def site_header(self):
        return identity.current().name

    @property
    def site_title(self):
        return identity.current().name

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @functools.wraps(guarded)
        def refusing_nul(request, *args, **kwargs):
            # PostgreSQL refuses NUL in any text it is given, so no search, filter or autocomplete term
            # can hold one; forms refuse it in what they read (ProhibitNullCharactersValidator).
            if holds_nul(request.GET):
                return HttpResponseBadRequest(NUL_IN_ADDRESS)
            return guarded(request, *args, **kwargs)

        return refusing_nul

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        for model in models:
            keeps_history = hasattr(model._meta, "simple_history_manager_attribute")
            if issubclass(admin_class, SimpleHistoryAdmin) and not keeps_history:
                # Its History page would be a 500 for every row: refuse at start-up instead.
                raise ImproperlyConfigured(
                    f"{admin_class.__name__} is a history admin, but {model.__name__} keeps no history."
                )
        if not issubclass(admin_class, JunkProofAdmin):
            namespace = {"__module__": admin_class.__module__}
            admin_class = type(admin_class.__name__, (JunkProofAdmin, admin_class), namespace)
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin with this module's site as admin.site (INSTALLED_APPS names this class)."""

    default_site = "meetings_site.admin_site.AdminSite"
