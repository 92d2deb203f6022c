from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models.bilingual import Bilingual
from portal.models.offices import Office


class InstitutionKind(models.TextChoices):
    POLICY = "policy", _("Development or policy bank")
    LARGE = "large", _("Large commercial bank")
    JOINT_STOCK = "joint_stock", _("Joint-stock commercial bank")
    CITY_COMMERCIAL = "city_commercial", _("City commercial bank")
    RURAL_COMMERCIAL = "rural_commercial", _("Rural commercial bank")
    RURAL_COOPERATIVE = "rural_cooperative", _("Rural cooperative bank or credit cooperative")
    VILLAGE = "village", _("Village or township bank")
    PRIVATE = "private", _("Private bank")
    FOREIGN = "foreign", _("Foreign bank")
    OTHER_BANK = "other_bank", _("Other banking institution")
    INSURER = "insurer", _("Insurance company")

    @classmethod
    def local_legal_person(cls) -> set[str]:
        return {cls.CITY_COMMERCIAL, cls.RURAL_COMMERCIAL, cls.RURAL_COOPERATIVE, cls.VILLAGE}


class Institution(Bilingual):
    """A bank or insurer legal entity; its head office is supervised by ``office``."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=InstitutionKind.choices)
    licence_code = models.CharField(_("financial licence code"), max_length=30, blank=True)
    bank_code = models.CharField(_("payment-system bank code"), max_length=12, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("supervising office"),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name_zh"]

    @property
    def is_insurer(self) -> bool:
        return self.kind == InstitutionKind.INSURER


class Branch(Bilingual):
    """A branch of an institution, supervised by the office of the area it sits in."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="branches")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    licence_code = models.CharField(_("financial licence code"), max_length=30, blank=True)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="branches",
        verbose_name=_("supervising office"),
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name_zh"]
