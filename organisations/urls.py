from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("organisers/", views.OrganiserIndexView.as_view(), name="organisers"),
    path("organisers/<slug:slug>/", views.OrganiserDetailView.as_view(), name="organiser"),
    path("funders/", views.FunderIndexView.as_view(), name="funders"),
    path("funders/<slug:slug>/", views.FunderDetailView.as_view(), name="funder"),
]
