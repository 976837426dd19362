"""The site's URLs plus one view with a bug, to see the 500 page a visitor would get."""

from django.urls import path

from meetings_site.urls import handler500
from meetings_site.urls import urlpatterns as site_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def view_with_a_bug(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("fails/", view_with_a_bug), *site_urlpatterns]
