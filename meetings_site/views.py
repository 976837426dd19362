"""Site-level views that belong to no app: health probes and error handlers."""

import sys
import time
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from events.cache import backends, version
from events.cache.keys import key
from meetings_site.middleware import DATABASE_UNAVAILABLE_ERRORS, service_unavailable_response


@never_cache
def healthz(request):
    """The process is alive. Touches neither database nor cache (also the benchmark's baseline)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


# What the site cannot serve without: a host missing one is taken out of rotation (503).
# The database holds every page's data; the data version's row says which cached pages are
# current, so without it a process would go on serving what it last knew.
REQUIRED = ("database", "data_version")
# The cache only makes pages faster: without it every request is built from the database.
DEGRADES = ("cache",)
PROBE_SECONDS = 5


def database_check():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def data_version_check():
    version.read_from_database()


def cache_check():
    """One round trip to the cache, unless the backend is already leaving a failed Redis alone.

    ResilientRedisCache answers a failing call as a miss, so a write that cannot be read back is
    how an unreachable or hung Redis shows; it costs at most one socket timeout, after which the
    backend's breaker answers at once for CACHE_RETRY_AFTER seconds.
    """
    server = getattr(cache, "_server", None)
    if server is not None and (seconds := backends.left_alone_for(server)):
        return f"failed recently; not asked again for {seconds:.1f} s"
    probe_key = key("readyz-probe", uuid.uuid4().hex, versioned=False, language=False)
    cache.set(probe_key, "ok", timeout=PROBE_SECONDS)
    if cache.get(probe_key) != "ok":
        return "no answer (requests are served from the database meanwhile)"
    cache.delete(probe_key)
    return None


def timed(check):
    started = time.perf_counter()
    try:
        problem = check()
    except (DatabaseError, *DATABASE_UNAVAILABLE_ERRORS) as error:
        problem = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    report = {"status": "ok" if problem is None else "unavailable"}
    report["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if problem is not None:
        report["error"] = problem
    return report


@never_cache
def readyz(request):
    """Ready for traffic: each dependency with its state and latency, as JSON.

    503 when a REQUIRED dependency fails; a failing cache only degrades the site ("degraded",
    200), so it alone never takes a host out of rotation.
    """
    checks = {"database": timed(database_check)}
    if checks["database"]["status"] == "ok":
        checks["data_version"] = timed(data_version_check)
    else:
        # Asking again would only wait for the same connection timeout.
        checks["data_version"] = {"status": "unavailable", "latency_ms": 0.0, "error": "the database is unavailable"}
    checks["cache"] = timed(cache_check)
    for name, report in checks.items():
        report["required"] = name in REQUIRED
    if any(checks[name]["status"] != "ok" for name in REQUIRED):
        status = "unavailable"
    elif any(checks[name]["status"] != "ok" for name in DEGRADES):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks},
        status=503 if status == "unavailable" else 200,
        json_dumps_params={"indent": 2},
    )


@requires_csrf_token
def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """500, except when the error is the database being unavailable: then the 503 page.

    Catches what DatabaseUnavailableMiddleware cannot see: errors raised in other
    middleware (the session or authentication middleware reading the database).
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE_ERRORS):
        return service_unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
