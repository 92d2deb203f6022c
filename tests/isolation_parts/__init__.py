"""Each part of supervision lists its URLs in ``tests.isolation_parts.<part>``: ``OBJECT_URLS``,
and optionally ``ACTION_URLS`` and ``PUBLIC_URLS``, shaped as in ``tests.isolation``."""
