"""Site-level views that belong to no app: health probes and error handlers."""

import sys
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from meetings_site.middleware import DATABASE_UNAVAILABLE_ERRORS, service_unavailable_response


@never_cache
def healthz(request):
    """The process is alive. Touches neither database nor cache (also the benchmark's baseline)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DATABASE_UNAVAILABLE_ERRORS:
        return False


def cache_reachable():
    # Cache errors are answered as misses (events/cache/backends.py), so a write that cannot be
    # read back is how an unreachable cache shows.
    token = uuid.uuid4().hex
    cache.set("readyz-probe", token, timeout=10)
    return cache.get("readyz-probe") == token


@never_cache
def readyz(request):
    """Ready for traffic: the database answers (503 if not). The cache is reported, but the site
    serves without it, so an unreachable cache alone does not take this instance out of rotation."""
    database_ok = database_reachable()
    cache_ok = cache_reachable()
    body = f"database: {'ok' if database_ok else 'unavailable'}\ncache: {'ok' if cache_ok else 'unavailable'}\n"
    return HttpResponse(body, status=200 if database_ok else 503, content_type="text/plain; charset=utf-8")


@requires_csrf_token
def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """500, except when the error is the database being unavailable: then the 503 page.

    Catches what DatabaseUnavailableMiddleware cannot see: errors raised in other
    middleware (the session or authentication middleware reading the database).
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE_ERRORS):
        return service_unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
