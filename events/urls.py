from django.urls import path

from events.calendar import views as calendar_views
from events.public import calendar_views as calendar_pages
from events.public import feeds, numbers, organisation_views, proposals, sitemaps, views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="list"),
    # The int routes come before the slug route: "2019" is a valid slug too.
    path("meetings/<int:year>/", views.MeetingArchiveView.as_view(), name="year"),
    path("meetings/<int:year>/<int:month>/", views.MeetingArchiveView.as_view(), name="month"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="detail"),
    path("calendar.ics", calendar_views.calendar_feed, name="ical"),
    path("meetings/<slug:slug>.ics", calendar_views.meeting_ics, name="meeting-ics"),
    path("meetings/<slug:slug>/cluster.ics", calendar_views.cluster_ics, name="cluster-ics"),
    path("subscribe/", calendar_views.SubscribeView.as_view(), name="subscribe"),
    path("calendar/", calendar_pages.CalendarTodayView.as_view(), name="calendar_today"),
    path("calendar/<int:year>/<int:month>/", calendar_pages.CalendarMonthView.as_view(), name="calendar"),
    path(
        "calendar/<int:year>/<int:month>/agenda/", calendar_pages.CalendarAgendaView.as_view(), name="calendar_agenda"
    ),
    path("calendar/<int:year>/week/<int:week>/", calendar_pages.CalendarWeekView.as_view(), name="calendar_week"),
    path("organisers/", organisation_views.OrganiserIndexView.as_view(), name="organisers"),
    path("organisers/<slug:slug>/", organisation_views.OrganiserDetailView.as_view(), name="organiser"),
    path("funders/", organisation_views.FunderIndexView.as_view(), name="funders"),
    path("funders/<slug:slug>/", organisation_views.FunderDetailView.as_view(), name="funder"),
    path("propose/", proposals.ProposeView.as_view(), name="propose"),
    path("propose/thanks/", proposals.ProposeThanksView.as_view(), name="propose-thanks"),
    path("numbers/", numbers.NumbersView.as_view(), name="numbers"),
    path("numbers/meetings-by-<slug:table>.csv", numbers.NumbersCSVView.as_view(), name="numbers-csv"),
    path("numbers/meetings-in-numbers.xlsx", numbers.NumbersXLSXView.as_view(), name="numbers-xlsx"),
    path("feeds/meetings.rss", feeds.NewMeetingsFeed(), name="feed_rss"),
    path("feeds/meetings.atom", feeds.NewMeetingsAtomFeed(), name="feed_atom"),
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "events:sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<slug:section>.xml", sitemaps.section, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap-section"),
]
