"""Top-level URLs. Each app owns its own URL module and namespace."""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("organisations.urls")),
    path("", include("events.urls")),
]
