"""The cache room: versions, keys, invalidation and cached fragments (see docs/architecture.md)."""


def invalidate_all():
    """Everything public may have changed (a bulk load, a restore): start new versions once the transaction commits."""
    from events.cache.version import bump_data_version
    from events.ical_signals import bump_pieces_version

    bump_data_version()
    bump_pieces_version()
