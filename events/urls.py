from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import ical_views, syndication, views
from .sitemaps import SITEMAPS

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="list"),
    # The int routes come before the slug route: "2019" is a valid slug too.
    path("meetings/<int:year>/", views.MeetingArchiveView.as_view(), name="year"),
    path("meetings/<int:year>/<int:month>/", views.MeetingArchiveView.as_view(), name="month"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="detail"),
    # Calendar feeds and downloads (issue 4): keep these lines together.
    path("calendar.ics", ical_views.calendar_feed, name="ical"),
    path("meetings/<slug:slug>.ics", ical_views.meeting_ics, name="meeting-ics"),
    path("meetings/<slug:slug>/cluster.ics", ical_views.cluster_ics, name="cluster-ics"),
    path("subscribe/", ical_views.SubscribeView.as_view(), name="subscribe"),
    path("calendar/", views.CalendarTodayView.as_view(), name="calendar_today"),
    path("calendar/<int:year>/<int:month>/", views.CalendarMonthView.as_view(), name="calendar"),
    path("feeds/meetings.rss", syndication.NewMeetingsFeed(), name="feed_rss"),
    path("feeds/meetings.atom", syndication.NewMeetingsAtomFeed(), name="feed_atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
