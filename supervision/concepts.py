"""The parts of supervision, each in its own modules, and how the app finds them.

Screening, evaluation, complaints, escalation and dashboards each keep one module per layer
(``supervision.models.screening``, ``supervision.urls.screening``...). The layer's package
gathers whichever exist, in this order, so that adding a part touches no shared file.
"""

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

CONCEPTS = ("screening", "evaluation", "complaints", "escalation", "dashboards")


def modules(package: str, order: tuple[str, ...] = CONCEPTS) -> list[ModuleType]:
    """Each part's module in ``package``, in ``order``, for the parts that have one."""
    return [
        import_module(f"{package}.{concept}")
        for concept in order
        if find_spec(f"{package}.{concept}") is not None
    ]
