"""Test-wide configuration: settings for the test process, shared fixtures."""

import os

# Tests run with production-like settings (DEBUG off) and a throwaway key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-used-in-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The test client speaks plain http; production redirects it to https (tests pass secure=True where it matters).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
