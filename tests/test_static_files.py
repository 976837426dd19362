"""Static files in production: hashed names, served by WhiteNoise with far-future caching."""

import re

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def collected_static(settings, tmp_path):
    """collectstatic as a deploy runs it, with the production storage (the suite otherwise uses plain names)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_stylesheet_has_a_hashed_name_and_is_cached_for_a_year(collected_static):
    client = Client()  # a new client loads the middleware, so WhiteNoise sees the collected files

    page = client.get("/").content.decode()
    (stylesheet,) = re.findall(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
    response = client.get(stylesheet)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Type"].startswith("text/css")
