"""How a web process runs once started."""

import gc


def settle_heap() -> None:
    """Take what the process loaded at start-up (Django's apps, URL patterns, the return
    specs) out of the garbage collector's full passes: it lives as long as the process, and a
    page that builds many objects (the General Bureau's dashboard builds a hundred thousand)
    would otherwise have the collector walk all of it again and again."""
    gc.collect()
    gc.freeze()
