from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Meetings")

    def ready(self):
        from events import ical_signals, signals

        signals.connect()
        ical_signals.connect()
        post_migrate.connect(new_release, sender=self, dispatch_uid="events-new-release")


def new_release(sender, using="default", **kwargs):
    """Every release runs `migrate`: start new versions then, so no page, entry or calendar piece
    rendered by the previous code is served by the new one (they carry the versions in their keys)."""
    from django.db import connections

    from events.cache.version import bump_data_version
    from events.ical_signals import bump_pieces_version
    from events.models import DataVersion

    if DataVersion._meta.db_table not in connections[using].introspection.table_names():
        return  # migrating another app before this one's tables exist
    bump_data_version()
    bump_pieces_version()
