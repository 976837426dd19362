"""Who organises and who funds the meetings: index pages with counts, and one page per body."""

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView

from events.filters import MeetingQuery
from events.models import Meeting, MeetingFunder, MeetingOrganiser
from events.public.views import any_mentions_designated_country

# An organisation's page lists this many meetings of each kind and links to the filtered list for the rest.
MEETINGS_SHOWN = 20


class OrganisationIndexView(ListView):
    template_name = "organisations/organisation_list.html"
    context_object_name = "organisations"
    link_model = None
    role = ""

    def get_queryset(self):
        return self.link_model.objects.organisations_with_public_meeting_counts()

    def get_context_data(self, **kwargs):
        return super().get_context_data(role=self.role, **kwargs)


class OrganiserIndexView(OrganisationIndexView):
    link_model = MeetingOrganiser
    role = "organiser"


class FunderIndexView(OrganisationIndexView):
    link_model = MeetingFunder
    role = "funder"


class OrganisationDetailView(DetailView):
    template_name = "organisations/organisation_detail.html"
    context_object_name = "organisation"
    link_model = None
    role = ""

    def get_queryset(self):
        # A body whose only meetings in this role are drafts has no public page yet.
        return self.link_model.objects.organisations_with_public_meeting_counts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        meetings = Meeting.objects.published().linked_through(self.link_model, organisation=self.object).for_listing()
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
            query=MeetingQuery(QueryDict(f"{self.role}={self.object.slug}")),
            past_truncated=len(past) == MEETINGS_SHOWN,
            designation_needed=any_mentions_designated_country([*upcoming, *to_be_confirmed, *past]),
        )
        return context


class OrganiserDetailView(OrganisationDetailView):
    link_model = MeetingOrganiser
    role = "organiser"


class FunderDetailView(OrganisationDetailView):
    link_model = MeetingFunder
    role = "funder"
