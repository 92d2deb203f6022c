"""Each capability lists its URLs in its own module here: ``OBJECT_URLS``, and optionally
``ACTION_URLS`` and ``PUBLIC_URLS``, shaped as in ``tests.isolation``, which gathers them."""
