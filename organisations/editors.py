"""Who edits for which body: the facts of membership, read by events.editors.permissions.

Here rather than with the meetings because the organisations' own admin asks them too, and this
app imports nothing of events.
"""

import rules

# The group whose members change every organisation's meetings and the shared records (existing
# organisations, programmes, topics, venues). Made by organisations/migrations/0006.
REGIONAL_EDITORS_GROUP = "Regional editors"

is_regional_editor = rules.is_superuser | rules.is_group_member(REGIONAL_EDITORS_GROUP)


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
    for cached in ("_editing_organisation_ids", "_group_names_cache"):
        user.__dict__.pop(cached, None)
