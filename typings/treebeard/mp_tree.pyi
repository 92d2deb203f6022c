from typing import ClassVar, Self, TypeVar

from django.db import models
from django.db.models.expressions import Combinable
from treebeard.models import Node, NodeManager

_N = TypeVar("_N", bound=MP_Node)

class MP_NodeQuerySet(models.QuerySet[_N]): ...

class MP_NodeManager(NodeManager[_N]):
    def get_queryset(self) -> MP_NodeQuerySet[_N]: ...

class MP_Node(Node):
    steplen: ClassVar[int]
    alphabet: ClassVar[str]
    node_order_by: ClassVar[list[str]]
    path: models.CharField[str | int | Combinable, str]
    depth: models.PositiveIntegerField[float | int | str | Combinable, int]
    numchild: models.PositiveIntegerField[float | int | str | Combinable, int]
    objects: ClassVar[MP_NodeManager[Self]]
