"""Keep the data version in step with every write that the public can see."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from events.cache.version import bump_data_version
from events.models import BackToBack, Country, Meeting, MeetingFunder, MeetingOrganiser, Topic, Venue
from organisations.models import Organisation, Programme

PUBLIC_MODELS = [Meeting, MeetingOrganiser, MeetingFunder, BackToBack, Venue, Country, Topic, Organisation, Programme]


def data_changed(sender, **kwargs):
    if kwargs.get("raw"):
        # loaddata: the command that loads fixtures bumps once at the end.
        return
    bump_data_version()


def connect():
    for model in PUBLIC_MODELS:
        post_save.connect(data_changed, sender=model, dispatch_uid=f"data-version-save-{model.__name__}")
        post_delete.connect(data_changed, sender=model, dispatch_uid=f"data-version-delete-{model.__name__}")
    for field in ("countries", "topics", "programmes"):
        through = getattr(Meeting, field).through
        m2m_changed.connect(data_changed, sender=through, dispatch_uid=f"data-version-m2m-{field}")
