"""Who edits for which body: the facts of membership, read by events.editors.permissions.

Here rather than with the meetings because the organisations' own admin asks them too, and this
app imports nothing of events.
"""

import rules
from django.contrib.auth.models import Group, Permission

# The group whose members change every organisation's meetings and the shared records (existing
# organisations, programmes, topics, venues): it holds REGIONAL_PERMISSION. Made by
# organisations/migrations/0006 and 0007.
REGIONAL_EDITORS_GROUP = "Regional editors"
REGIONAL_PERMISSION = "organisations.change_every_organisations"


@rules.predicate
def is_regional_editor(user):
    """Superusers, and whoever holds the regional permission (through the group, or given alone)."""
    return user.is_active and user.has_perm(REGIONAL_PERMISSION)


def regional_editors_group():
    """The group, holding its permission: the migrations make it, and this makes it again where a
    test's flush (or a hand in the admin) took it away."""
    app_label, codename = REGIONAL_PERMISSION.split(".")
    group, _created = Group.objects.get_or_create(name=REGIONAL_EDITORS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


def editing_organisation_ids(user):
    """The pks of the bodies ``user`` edits for, read once per user object (one request)."""
    if not user.is_authenticated:
        return frozenset()
    ids = getattr(user, "_editing_organisation_ids", None)
    if ids is None:
        ids = frozenset(user.editing_organisations.values_list("pk", flat=True))
        user._editing_organisation_ids = ids
    return ids


def forget_memberships(user):
    """Drop what was read of ``user``'s memberships, after changing them on the same object."""
    for cached in ("_editing_organisation_ids", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cached, None)
