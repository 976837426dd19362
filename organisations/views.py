"""Who organises and who funds the meetings: index pages with counts, and one page per body."""

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView

from events.models import Meeting
from events.views import any_mentions_designated_country

from .models import Organisation

# An organisation's page lists this many meetings of each kind and links to the filtered list for the rest.
MEETINGS_SHOWN = 20


class OrganisationIndexView(ListView):
    template_name = "organisations/organisation_list.html"
    context_object_name = "organisations"
    relation = ""
    role = ""

    def get_queryset(self):
        return Organisation.objects.with_public_meeting_counts(self.relation)

    def get_context_data(self, **kwargs):
        return super().get_context_data(role=self.role, **kwargs)


class OrganiserIndexView(OrganisationIndexView):
    relation = "organised_meetings"
    role = "organiser"


class FunderIndexView(OrganisationIndexView):
    relation = "funded_meetings"
    role = "funder"


class OrganisationDetailView(DetailView):
    template_name = "organisations/organisation_detail.html"
    context_object_name = "organisation"
    meeting_filter = ""
    relation = ""
    role = ""

    def get_queryset(self):
        # A body whose only meetings in this role are drafts has no public page yet.
        return Organisation.objects.with_public_meeting_counts(self.relation)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        meetings = Meeting.objects.published().filter(**{self.meeting_filter: self.object}).distinct().for_listing()
        upcoming = list(meetings.upcoming(today)[:MEETINGS_SHOWN])
        to_be_confirmed = list(meetings.date_to_be_confirmed().order_by("title")[:MEETINGS_SHOWN])
        past = list(meetings.past(today)[:MEETINGS_SHOWN])
        context.update(
            role=self.role,
            upcoming=upcoming,
            date_to_be_confirmed=to_be_confirmed,
            past=past,
            all_meetings_url=f"{reverse('events:list')}?{self.role}={self.object.slug}",
            # The subscription partial's filter: this page's meetings are the list filtered by this body.
            feed_query=QueryDict(mutable=True, query_string=f"{self.role}={self.object.slug}"),
            past_truncated=len(past) == MEETINGS_SHOWN,
            designation_needed=any_mentions_designated_country([*upcoming, *to_be_confirmed, *past]),
        )
        return context


class OrganiserDetailView(OrganisationDetailView):
    meeting_filter = "organisers"
    relation = "organised_meetings"
    role = "organiser"


class FunderDetailView(OrganisationDetailView):
    meeting_filter = "funders"
    relation = "funded_meetings"
    role = "funder"
