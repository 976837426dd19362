"""Management commands editors and operators run."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_editors_group_holds_meeting_permissions_and_nothing_about_users():
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))

    assert {"add_meeting", "change_meeting", "delete_meeting", "add_backtoback", "change_organisation"} <= codenames
    assert not {c for c in codenames if c.endswith(("_user", "_group", "_permission"))}


def test_createeditor_makes_a_staff_member_of_the_editors_group():
    call_command("createeditor", "Ana@Example.org", password="a long enough passphrase", verbosity=0)

    user = get_user_model().objects.get(username="ana@example.org")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.check_password("a long enough passphrase")


def test_createeditor_refuses_short_password():
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("createeditor", "ana@example.org", password="short", verbosity=0)


def test_createeditor_refuses_invalid_email():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        call_command("createeditor", "not-an-email", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_release_starts_new_cache_versions(client):
    """`migrate` runs with every release: pages and calendar pieces rendered by the old code are not served."""
    from django.core.management import call_command

    from events.ical_signals import pieces_version
    from events.versioning import data_version

    before = (data_version(), pieces_version())

    call_command("migrate", verbosity=0)

    after = (data_version(), pieces_version())
    assert after[0] != before[0]
    assert after[1] != before[1]
