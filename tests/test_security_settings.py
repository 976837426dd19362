"""Production settings and the security headers every response carries."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT_DIR = Path(__file__).resolve().parent.parent


def production_environment(**extra):
    """The environment a production process gets: DEBUG off, a real key, its host name and address, nothing else."""
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "calendar.example.org",
        "SITE_URL": "https://calendar.example.org",
    }
    environment.update(extra)
    return environment


def test_check_deploy_reports_nothing_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=PROJECT_DIR,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "System check identified no issues (0 silenced).\n",
        "",
    )


def test_production_refuses_to_start_without_a_secret_key():
    environment = production_environment()
    del environment["SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_settings_redirect_to_https_and_mark_cookies_secure():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER]))"
    )
    environment = production_environment(
        DJANGO_SETTINGS_MODULE="meetings_site.settings", SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.stdout == '[true, true, true, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"]]\n'


@pytest.mark.django_db
def test_https_response_carries_the_security_headers(client):
    response = client.get("/healthz", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "camera=()" in response["Permissions-Policy"].split(", ")


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_script_plugins_and_framing(client):
    response = client.get("/")

    policy = parse_csp(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_unknown_host_is_refused_with_400(client):
    response = client.get("/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


@pytest.mark.django_db
def test_oversized_form_is_refused_with_400_not_a_crash(client):
    body = "username=editor&password=" + "x" * (3 * 1024 * 1024)

    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


@pytest.mark.django_db
def test_form_with_too_many_fields_is_refused_with_400(client):
    body = "&".join(f"field{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = client.post("/admin/login/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400


@pytest.mark.django_db
def test_https_redirect_spares_the_health_probes(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    page = client.get("/")
    probes = [client.get("/healthz").status_code, client.get("/readyz").status_code]

    assert (page.status_code, page["Location"]) == (301, "https://testserver/")
    assert probes == [200, 200]


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


def test_sites_sharing_one_redis_never_read_each_others_cache():
    """Two sites on different databases, one Redis: the second never sees the first's entries
    (a benchmark once served pages cached by a test run this way)."""
    redis_url = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/5")
    if not redis_answers(redis_url):
        pytest.skip(f"no Redis at {redis_url}")
    marker = secrets.token_hex(8)
    script = (
        "import django, sys; django.setup(); from django.core.cache import cache; "
        "cache.set('shared-key-test', sys.argv[1], 60) if sys.argv[1] != '-' else None; "
        "print(cache.get('shared-key-test'))"
    )

    def run(database_name, value):
        environment = production_environment(
            REDIS_URL=redis_url,
            DATABASE_URL=f"sqlite:////tmp/{database_name}.sqlite3",
            DJANGO_SETTINGS_MODULE="meetings_site.settings",
        )
        result = subprocess.run(
            [sys.executable, "-c", script, value],
            cwd=PROJECT_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert run("site-a", marker) == marker
    assert run("site-a", "-") == marker  # the same site (another app server) reads it
    assert run("site-b", "-") == "None"
