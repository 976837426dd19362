"""factory_boy factories: tests make their own data; fixtures/ holds only the seed's real meetings."""

import datetime

import factory
from django.utils.text import slugify

from events.models import (
    BackToBack,
    Country,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Publication,
    Topic,
    Venue,
)
from organisations.models import Organisation, OrganisationKind, Programme


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Country {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = OrganisationKind.REGIONAL


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Conference Centre {n}")
    city = "Tirana"
    country = factory.SubFactory(CountryFactory, code="AL", name="Albania")
    timezone = "Europe/Tirane"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Meeting {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "A regional meeting."
    start_date = datetime.date(2030, 5, 14)
    end_date = factory.LazyAttribute(lambda o: o.start_date)
    venue = factory.SubFactory(VenueFactory)
    publication = Publication.PUBLISHED


class MeetingOrganiserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingOrganiser

    meeting = factory.SubFactory(MeetingFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class MeetingFunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingFunder

    meeting = factory.SubFactory(MeetingFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class BackToBackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BackToBack

    from_meeting = factory.SubFactory(MeetingFactory)
    to_meeting = factory.SubFactory(MeetingFactory)
