"""The one key builder: every cached thing's key names its kind, the version it depends on and what it varies on.

The release is not here: it is in every key's prefix (settings.CACHES), so new code never reads
what old code cached.
"""

import hashlib

from django.utils import timezone
from django.utils.translation import get_language

from events.cache import version
from events.cache.version import DATA, PIECES

# Longer keys are hashed (memcached's limit, and Redis keys should stay short).
MAX_PLAIN_LENGTH = 200


def key(kind, *parts, axis=DATA, language=True, daily=False, current=None, versioned=True):
    """kind:version[:language][:day]:parts.

    daily: for what changes at midnight (the upcoming/past split, the month grid's today).
    current: the version to use, for code that runs after its request (a streamed feed).
    versioned=False: for what no edit changes (a client's storage budget).
    """
    head = [kind]
    if versioned:
        current = current or version.current()
        head.append(current.pieces if axis == PIECES else current.data)
    if language:
        head.append(get_language() or "")
    if daily:
        head.append(timezone.localdate().isoformat())
    tail = ":".join(map(str, parts))
    if len(tail) > MAX_PLAIN_LENGTH:
        tail = hashlib.sha256(tail.encode()).hexdigest()
    return ":".join([*head, tail])
