from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("organisers/<slug:slug>/", views.OrganiserDetailView.as_view(), name="organiser"),
    path("funders/<slug:slug>/", views.FunderDetailView.as_view(), name="funder"),
]
