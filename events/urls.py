from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/<slug:slug>/", views.MeetingDetailView.as_view(), name="detail"),
]
