from supervision.concepts import modules


def load_demo() -> None:
    """Each part's demo (screening, evaluation, complaints, escalation, dashboards), in order."""
    for part in modules("supervision.demo"):
        part.load_demo()
