"""Each part's ``supervision.ready.<part>`` module registers its scoping rules and connects its
signal receivers when imported; the app imports them all once the models are loaded."""
