from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user, kept in their inbox and sent to them by email.

    The text is stored as its English message id and parameters, so that it is shown in
    whatever language the reader uses at the time.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message in the active language, its placeholders filled."""
        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):
            # A message whose parameters changed since it was stored still says something.
            return gettext(self.message)


class Email(models.Model):
    """An email that is not a notification (an address to verify, a password reset link, a
    complaint's tracking link), to send once the change that asks for it commits.

    Only what it is about is stored (its kind, its account or address, plain details): its
    link, a credential, is made when a worker sends it (``portal.emails``), never kept here.
    """

    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.EmailField()
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")

    def __str__(self) -> str:
        return f"{self.kind} to {self.address}"
