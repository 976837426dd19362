"""Bodies that organise and fund meetings, and the programmes they run.

An organisation's facts are stored once. Whether it organises or funds is a property of its
link to a meeting, so those links and the queries about roles live with the meetings
(``events.models.MeetingOrganiser``, ``MeetingFunder``): this app knows nothing of meetings.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Plain folding functions, no models: reading them keeps this app free of the meetings'.
from events.search import search_text


class OrganisationKind(models.TextChoices):
    REGIONAL = "regional", _("Regional organisation or initiative")
    EU = "eu", _("EU institution or body")
    UN = "un", _("UN agency")
    INTERNATIONAL = "international", _("International organisation")
    NATIONAL_AUTHORITY = "national_authority", _("National authority")
    GOVERNMENT = "government", _("Government")
    PROGRAMME_OFFICE = "programme_office", _("Programme office or support group")
    OTHER = "other", _("Other")


class Organisation(models.Model):
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name

    @property
    def short_name(self):
        return self.acronym or self.name

    def search_values(self):
        """The strings the public search reads of this body (search_text)."""
        return [self.name, self.acronym]

    def fill_search_text(self):
        self.search_text = search_text(self.search_values())


class Programme(models.Model):
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
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self):
        return self.short_name or self.name
