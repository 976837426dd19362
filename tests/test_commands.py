"""Management commands editors and operators run."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from tests.support.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_editors_group_holds_meeting_permissions_and_nothing_about_users():
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))

    assert {"add_meeting", "change_meeting", "delete_meeting", "add_backtoback", "change_organisation"} <= codenames
    assert not {c for c in codenames if c.endswith(("_user", "_group", "_permission"))}


def test_createeditor_without_organisation_makes_a_regional_editor():
    call_command("createeditor", "Ana@Example.org", password="a long enough passphrase", verbosity=0)

    user = get_user_model().objects.get(username="ana@example.org")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.order_by("name").values_list("name", flat=True)) == ["Editors", "Regional editors"]
    assert not user.editing_organisations.exists()
    assert user.check_password("a long enough passphrase")


def test_createeditor_with_organisations_makes_an_editor_of_those_only():
    for acronym in ("RCC", "IISG", "UNODC"):
        OrganisationFactory(acronym=acronym, slug=acronym.lower())
    call_command("createeditor", "ana@example.org", verbosity=0)

    out = StringIO()
    call_command("createeditor", "ana@example.org", organisation=["rcc", "iisg"], stdout=out)

    user = get_user_model().objects.get(username="ana@example.org")
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert sorted(user.editing_organisations.values_list("slug", flat=True)) == ["iisg", "rcc"]
    assert out.getvalue().splitlines()[-1] == "ana@example.org changes the meetings of: RCC, IISG."


def test_createeditor_refuses_an_unknown_organisation_and_creates_nothing():
    OrganisationFactory(slug="rcc")

    with pytest.raises(CommandError) as refused:
        call_command("createeditor", "ana@example.org", organisation=["rcc", "rc"], verbosity=0)

    assert str(refused.value) == (
        "No organisation with the slug “rc”: the slug is the last part of its address on the site "
        "(/organisers/<slug>/), or see the admin."
    )
    assert not get_user_model().objects.exists()


def test_createeditor_refuses_short_password():
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("createeditor", "ana@example.org", password="short", verbosity=0)


def test_createeditor_refuses_invalid_email():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        call_command("createeditor", "not-an-email", verbosity=0)


def test_a_release_starts_new_cache_keys():
    """New code never reads what old code cached: the release is in every key's prefix, named by
    RELEASE or, without it, by a fingerprint of the code and templates."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    def key_prefix(**environment):
        result = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.core.cache import cache; print(cache.key_prefix)",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "DEBUG": "1", **environment},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return result.stdout.strip()

    assert key_prefix(RELEASE="2026.12.1").endswith(":2026.12.1")
    assert key_prefix(RELEASE="2026.12.2").endswith(":2026.12.2")
    assert key_prefix().endswith(":" + settings.RELEASE)
    assert len(settings.RELEASE) == 12
