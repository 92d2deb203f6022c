from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.institutions import Branch, Institution
from portal.models.offices import Office


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # Addresses are stored lower-cased, so sign-in takes the address in any case.
        return self.get(**{self.model.USERNAME_FIELD: (username or "").strip().lower()})

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone logs in with an email address: regulators, bank officers and SME owners."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The language of the user's last sign-in: emails sent while they are away speak it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    REVIEWER = "reviewer", _("Reviewer")
    HEAD = "head", _("Head of office")
    PREPARER = "preparer", _("Preparer")
    APPROVER = "approver", _("Approver")
    # Reads the authentication events of its office's subtree and nothing else; off the
    # regulators' ladder, so it grants none of their rights (portal.scoping.Scope.security).
    SECURITY = "security", _("Security officer")

    @classmethod
    def regulator_roles(cls) -> list[str]:
        return [cls.VIEWER, cls.REVIEWER, cls.HEAD]

    @classmethod
    def office_roles(cls) -> list[str]:
        """The roles held at an office: the regulators' and the security officer's."""
        return [*cls.regulator_roles(), cls.SECURITY]

    @classmethod
    def bank_roles(cls) -> list[str]:
        return [cls.PREPARER, cls.APPROVER]

    @classmethod
    def at_least(cls, role: str) -> list[str]:
        """This role and the ones above it on the same side (a security officer's is alone)."""
        for ladder in (cls.regulator_roles(), cls.bank_roles(), [cls.SECURITY.value]):
            if role in ladder:
                return ladder[ladder.index(role) :]
        raise ValueError(role)


class Membership(models.Model):
    """A user's place in the tree: a role at an office, or at an institution or one branch."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_target_matches_role",
                condition=(
                    Q(
                        role__in=Role.office_roles(),
                        office__isnull=False,
                        institution__isnull=True,
                        branch__isnull=True,
                    )
                    | Q(
                        role__in=Role.bank_roles(),
                        office__isnull=True,
                        institution__isnull=False,
                        branch__isnull=True,
                    )
                    | Q(
                        role__in=Role.bank_roles(),
                        office__isnull=True,
                        institution__isnull=True,
                        branch__isnull=False,
                    )
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.target}"

    @property
    def target(self) -> Office | Institution | Branch | None:
        return self.office or self.institution or self.branch

    @property
    def is_regulator(self) -> bool:
        return self.office_id is not None
