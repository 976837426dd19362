"""Top-level URLs. Each app owns its own URL module and namespace."""

from django.contrib import admin
from django.urls import include, path

from meetings_site import accounts, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include(accounts)),
    path("admin/", admin.site.urls),
    path("", include("events.urls")),
]

# A database outage answers 503, not 500 (see meetings_site/views.py); 400/403/404 use the templates.
handler500 = "meetings_site.views.server_error"
