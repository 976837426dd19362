"""Top-level URLs. Each app owns its own URL module and namespace.

The public pages have one address per language (meetings_site/i18n.py): English at the root,
every other language under its code (/sq/…, /sr/…, /sr-latn/…). The admin, the account pages and
the probes have one address and follow the visitor's language.
"""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from meetings_site import accounts, i18n, identity, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("language/", i18n.choose_language, name="choose_language"),
    # The identity's stylesheets, icons and manifest (meetings_site/identity.py), and robots.txt.
    path("theme.css", identity.theme_css, name="theme_css"),
    path("admin-theme.css", identity.admin_theme_css, name="admin_theme_css"),
    path("site.webmanifest", identity.web_manifest, name="web_manifest"),
    path("favicon.ico", identity.favicon_ico, name="favicon_ico"),
    path("robots.txt", identity.robots_txt, name="robots_txt"),
    path("", include(accounts)),
    path("admin/", admin.site.urls),
    *i18n_patterns(path("", include("events.urls")), prefix_default_language=False),
]

# A database outage answers 503, not 500 (see meetings_site/views.py); 400/403/404 use the templates.
handler500 = "meetings_site.views.server_error"
