"""{% current_identity as identity %}: the site's identity where no context processor ran.

The 503 page is rendered without a request (meetings_site/middleware.py), so base.html asks for
the identity itself when the context does not hold it.
"""

from django import template

from meetings_site import identity

register = template.Library()


@register.simple_tag
def current_identity():
    return identity.current()
