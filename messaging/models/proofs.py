"""Proof of receipt of a certified letter: the provider's event or the post's receipt."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from messaging.models.outbox import Message


class LetterProof(models.Model):
    """One letter's proof of receipt (acuse de recibo): when it arrived, who signed, the scan.

    One per letter: the first proof recorded stands (a replayed provider event, or a second
    upload, changes nothing). `event_key` is the provider's event id, or `manual:<message>`.
    """

    class Kind(models.TextChoices):
        PROVIDER = "provider", _("Provider event")
        MANUAL = "manual", _("Uploaded by staff")

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="letter_proof", verbose_name=_("letter")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    provider = models.CharField(_("provider"), max_length=30, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    received_on = models.DateField(_("received on"))
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    file = models.FileField(_("receipt"), upload_to="letters/proofs/%Y/%m/", blank=True)
    event_key = models.CharField(_("event key"), max_length=200, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("letter proof of receipt")
        verbose_name_plural = _("letter proofs of receipt")

    def __str__(self):
        return f"{self.message_id} {self.received_on} ({self.kind})"
