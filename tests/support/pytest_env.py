"""A pytest plugin loaded before Django: the environment the test process runs in.

Tests run with production-like settings (DEBUG off), so they need a SECRET_KEY;
it must be set before pytest-django imports the settings, which is earlier than
any conftest.py is read.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The test client speaks plain http; production redirects it to https (tests pass secure=True where it matters).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
