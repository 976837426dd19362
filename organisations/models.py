"""Bodies that organise and fund meetings, and the programmes they run.

An organisation's facts are stored once in ``Organisation``. Whether it acts as
an organiser or a funder is a property of its link to a meeting (see
``events.MeetingOrganiser`` and ``events.MeetingFunder``), so the EU, which
both organises and funds, is one row. ``Organiser`` and ``Funder`` are proxy
models over that table whose default managers return the bodies that have
played that role on at least one meeting.
"""

from django.db import models
from django.db.models import Count
from django.db.models.functions import Now
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGIONAL = "regional", _("Regional organisation or initiative")
    EU = "eu", _("EU institution or body")
    UN = "un", _("UN agency")
    INTERNATIONAL = "international", _("International organisation")
    NATIONAL_AUTHORITY = "national_authority", _("National authority")
    GOVERNMENT = "government", _("Government")
    PROGRAMME_OFFICE = "programme_office", _("Programme office or support group")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet):
    # EXISTS, not a join with DISTINCT: at 100,000 meetings the join read every role row
    # (0.4 s on PostgreSQL); the semi-join probes the index once per organisation (0.2 ms).
    def organisers(self):
        from events.models import MeetingOrganiser

        return self.filter(models.Exists(MeetingOrganiser.objects.filter(organisation=models.OuterRef("pk"))))

    def funders(self):
        from events.models import MeetingFunder

        return self.filter(models.Exists(MeetingFunder.objects.filter(organisation=models.OuterRef("pk"))))

    def public_organisers(self):
        """Organisers of at least one meeting the public may see: the public filter's choices,
        which must not reveal a body whose only meetings are drafts."""
        from events.models import MeetingOrganiser

        return self.filter(models.Exists(_public_links(MeetingOrganiser)))

    def public_funders(self):
        from events.models import MeetingFunder

        return self.filter(models.Exists(_public_links(MeetingFunder)))

    def with_public_meeting_counts(self, relation):
        """Annotate public_meeting_count: published meetings reached through relation ("organised_meetings" or
        "funded_meetings"); bodies with none are left out, so a draft never shows through a count."""
        from events.models import publicly_visible

        return (
            self.annotate(public_meeting_count=Count(relation, filter=publicly_visible(f"{relation}__"), distinct=True))
            .filter(public_meeting_count__gt=0)
            .order_by("name")
        )


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

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name

    def get_absolute_url(self):
        return reverse("organisations:organiser", kwargs={"slug": self.slug})

    @property
    def short_name(self):
        return self.acronym or self.name


def _public_links(link_model):
    """An organisation's links to published meetings (past their publish-at time, read by the
    database at query time: the filter's choice querysets are built once, at import)."""
    from events.models import publicly_visible

    return link_model.objects.filter(publicly_visible("meeting__", now=Now()), organisation=models.OuterRef("pk"))


class OrganiserManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().organisers()


class FunderManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().funders()


class Organiser(Organisation):
    """An organisation seen in its role of organising meetings."""

    objects = OrganiserManager()

    class Meta:
        proxy = True
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")

    def get_absolute_url(self):
        return reverse("organisations:organiser", kwargs={"slug": self.slug})


class Funder(Organisation):
    """An organisation seen in its role of funding meetings."""

    objects = FunderManager()

    class Meta:
        proxy = True
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def get_absolute_url(self):
        return reverse("organisations:funder", kwargs={"slug": self.slug})


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
