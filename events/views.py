"""Public views of meetings. Read rules live on MeetingQuerySet; views only choose."""

from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from .models import Meeting


class HomeView(TemplateView):
    template_name = "events/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        published = Meeting.objects.published().with_related()
        context["upcoming"] = published.upcoming(today)
        context["past"] = published.past(today)
        context["date_to_be_confirmed"] = published.date_to_be_confirmed().order_by("title")
        return context


class MeetingDetailView(DetailView):
    template_name = "events/meeting_detail.html"
    context_object_name = "meeting"

    def get_queryset(self):
        meetings = Meeting.objects.with_related()
        if self.request.user.has_perm("events.view_meeting"):
            # Editors preview drafts on the public design; the page says it is not public.
            return meetings
        return meetings.published()
