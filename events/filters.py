"""The one FilterSet behind the meeting list, its archives and the calendar feeds.

A filtered list page and its calendar subscription take the same query
parameters, so what a visitor sees is what a subscriber gets.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation, Programme

from .models import Country, Meeting, Status, Topic


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    organiser = django_filters.ModelMultipleChoiceFilter(
        label=_("Organiser"),
        field_name="organisers__slug",
        to_field_name="slug",
        queryset=Organisation.objects.filter(organiser_roles__isnull=False).distinct(),
    )
    funder = django_filters.ModelMultipleChoiceFilter(
        label=_("Funder"),
        field_name="funders__slug",
        to_field_name="slug",
        queryset=Organisation.objects.filter(fundings__isnull=False).distinct(),
    )
    programme = django_filters.ModelMultipleChoiceFilter(
        label=_("Programme"),
        field_name="programmes__slug",
        to_field_name="slug",
        queryset=Programme.objects.all(),
    )
    topic = django_filters.ModelMultipleChoiceFilter(
        label=_("Topic"),
        field_name="topics__slug",
        to_field_name="slug",
        queryset=Topic.objects.all(),
    )
    country = django_filters.ModelMultipleChoiceFilter(
        label=_("Country"),
        to_field_name="code",
        queryset=Country.objects.all(),
        method="filter_country",
        help_text=_("Where the meeting is held or who takes part."),
    )
    city = django_filters.CharFilter(label=_("City"), field_name="venue__city", lookup_expr="iexact", max_length=100)
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="end_date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="start_date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices)

    class Meta:
        model = Meeting
        fields = ["q", "organiser", "funder", "programme", "topic", "country", "city", "date_from", "date_to", "status"]

    def filter_text(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(description__icontains=word)
                | Q(organisers__name__icontains=word)
                | Q(organisers__acronym__icontains=word)
                | Q(funders__name__icontains=word)
                | Q(funders__acronym__icontains=word)
                | Q(venue__city__icontains=word)
            )
        return queryset.distinct() if words else queryset

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        codes = [country.code for country in value]
        return queryset.filter(Q(venue__country__code__in=codes) | Q(countries__code__in=codes)).distinct()
