"""Site-level views that belong to no app."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process is alive. Touches neither database nor cache (also the benchmark's baseline)."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
