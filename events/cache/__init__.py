"""The cache room: versions, keys, invalidation rules and cached fragments (docs/architecture.md)."""

from events.cache.invalidation import everything_changed as invalidate_all

__all__ = ["invalidate_all"]
