from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """Site-wide pieces that belong to no app: security logging, error pages."""

    name = "meetings_site"
    verbose_name = _("Site")

    def ready(self):
        from meetings_site import (
            checks,  # noqa: F401  (registers the settings checks)
            security,  # noqa: F401  (connects the login signal receivers)
        )
