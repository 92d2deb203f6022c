from supervision.concepts import modules

# The dashboards' demo files the lending stories of the demo banks (who grows, who misses which
# target) as accepted returns; the evaluation scores them and fills in everyone else's history,
# so it comes after.
ORDER = ("screening", "dashboards", "evaluation", "complaints", "escalation")


def load_demo() -> None:
    """Each part's demo, in ``ORDER``."""
    for part in modules("supervision.demo", ORDER):
        part.load_demo()
