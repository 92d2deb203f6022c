from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from portal.models.bilingual import Bilingual


class OfficeLevel(models.IntegerChoices):
    GENERAL = 1, _("General Bureau")
    PROVINCIAL = 2, _("Provincial bureau")
    PREFECTURE = 3, _("Prefecture/city sub-bureau")
    COUNTY = 4, _("County-level office")


class Office(Bilingual, MP_Node):
    """One node of the four-level supervision structure.

    The materialized path makes "everything under this office" one prefix query.
    """

    code = models.CharField(_("division code"), max_length=6, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=OfficeLevel.choices)

    steplen = 4

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        indexes = [
            # PostgreSQL uses LIKE 'prefix%' with an index only under the pattern operator
            # class; other databases ignore opclasses.
            models.Index(
                fields=["path"], name="office_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def subtree_q(self, lookup: str = "path") -> models.Q:
        """A filter for rows whose office path lies under this office (itself included)."""
        return models.Q(**{f"{lookup}__startswith": self.path})


class Division(Bilingual):
    """An administrative division (GB/T 2260) and the office that covers it.

    Counties without an office of their own are covered by their sub-bureau.
    """

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="divisions")

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["code"]
