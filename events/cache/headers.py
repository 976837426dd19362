"""What a shared cache (the shipped nginx's micro-cache, a CDN) may keep of a response, said in Cache-Control.

The app decides and says it; nginx (docs/nginx.conf) only obeys, with no validity of its own.
A public page is ``public, max-age=0, s-maxage=SHARED_CACHE_SECONDS, must-revalidate``: a shared
cache serves it for that long, a browser asks again every time. Anything personal is ``private``.
A view that says something itself (a feed, a draft's preview, the admin's never_cache) is left as
it is; a response that is neither (a 404, a redirect, /healthz) says nothing, and nginx keeps
none. SHARED_CACHE_SECONDS is part of how late an edit may show (docs/architecture.md).
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


def shared_cache_seconds():
    return settings.SHARED_CACHE_SECONDS


def public_cache_control():
    return f"public, max-age=0, s-maxage={shared_cache_seconds()}, must-revalidate"


def mark_private(response):
    """For one visitor (an editor's session, a cookie set, a CSRF token): no shared cache keeps it."""
    patch_cache_control(response, private=True)


def mark_public(response):
    """The same for every anonymous visitor of this address: shared caches keep it seconds, browsers not."""
    response["Cache-Control"] = public_cache_control()
