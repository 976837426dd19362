from django.views.generic import DetailView

from .models import Funder, Organiser


class OrganiserDetailView(DetailView):
    model = Organiser
    template_name = "organisations/organisation_detail.html"
    context_object_name = "organisation"


class FunderDetailView(DetailView):
    model = Funder
    template_name = "organisations/organisation_detail.html"
    context_object_name = "organisation"
