"""The site's URLs plus one view with a bug, to see the 500 page a visitor would get."""

from django.urls import path

from meetings_site.urls import handler500
from meetings_site.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def view_with_a_bug(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fails/", view_with_a_bug), *site_urlpatterns]


class DatabaseReadingMiddleware:
    """A middleware that reads the database before any view runs (as a page cache checking a version row would)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import get_user_model

        get_user_model().objects.exists()
        return self.get_response(request)
