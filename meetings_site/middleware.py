"""Site-wide middleware: extra security headers, and a clean 503 when the database is unavailable."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation

from meetings_site.i18n import request_language

logger = logging.getLogger("meetings_site.availability")

# The exceptions a database outage, a dropped connection or a statement timeout raise.
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)

# Last resort if even the template cannot be rendered (it needs no database, but a broken
# template must not turn a 503 into a 500).
FALLBACK_503_BODY = (
    "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Temporarily unavailable</title>"
    "<h1>Temporarily unavailable</h1><p>Please try again in a few minutes.</p></html>"
)


def service_unavailable_response(request=None):
    """A 503 with Retry-After and the static friendly page, rendered without touching the database.

    The template is rendered without a request, so no context processor (user, messages)
    can reach for the database; in the request's language, which an outage met before the
    view (in the page cache) would otherwise leave to whatever the thread last served.
    """
    language = request_language(request) if request is not None else settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            body = loader.render_to_string("503.html", {"retry_after": settings.RETRY_AFTER_SECONDS})
    except Exception:
        logger.exception("503 page could not be rendered; sending the plain fallback")
        body = FALLBACK_503_BODY
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    # Intermediate caches must not keep the outage page once the database is back.
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 (not 500) when a view fails because the database is down or too slow.

    Calendar feeds are covered too: a feed that cannot read its meetings answers 503, never
    a 200 with an empty calendar (clients would delete every event they hold). Errors raised
    outside views (in other middleware) are caught by views.server_error, which does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            logger.error("database unavailable path=%s error=%s", request.path, str(exception).strip()[:300])
            return service_unavailable_response(request)
        return None


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
