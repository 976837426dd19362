"""Test-wide configuration: settings for the test process, shared fixtures.

The settings module is named here, not in pyproject.toml: pytest-django reads settings
named in the ini file before any conftest.py runs, so these environment defaults would
come too late. So this file sets the environment, then sets Django up itself (before
tests/conftest.py imports models); pytest-django finds it ready.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetings_site.settings")
# Tests run with production-like settings (DEBUG off) and a throwaway key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The test client speaks plain http; production redirects it to https (tests pass secure=True where it matters).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

django.setup()

from django.conf import settings  # noqa: E402  (after setup: the settings module needs the environment above)

# Tests do not run collectstatic, and hashed static names need the manifest it writes.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A fast hasher: tests log editors in often, and the production hasher is slow on purpose.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
