from django.urls import path

from . import ical_views, views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="detail"),
    # Calendar feeds and downloads (issue 4): keep these lines together.
    path("calendar.ics", ical_views.calendar_feed, name="ical"),
    path("meetings/<slug:slug>.ics", ical_views.meeting_ics, name="meeting-ics"),
    path("meetings/<slug:slug>/cluster.ics", ical_views.cluster_ics, name="cluster-ics"),
    path("subscribe/", ical_views.SubscribeView.as_view(), name="subscribe"),
]
