"""Online payments (one intent per checkout) and per-debt bank/cash payment references."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from portfolio.models import MONEY, Debt, Payment


class PaymentIntent(TimeStampedModel):
    """One checkout with a provider; the provider reference is unique, so it pays once."""

    class Status(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        FAILED = "failed", _("Could not be applied")
        REVERSED = "reversed", _("Reversed by the provider")

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        PSE = "pse", _("PSE")
        BREB = "breb", _("Bre-B")
        SPEI = "spei", _("SPEI")
        OXXO = "oxxo", _("OXXO")

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="payment_intents")
    provider = models.CharField(_("provider"), max_length=20)
    provider_reference = models.CharField(_("provider reference"), max_length=120, unique=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=20, choices=Method, default=Method.CARD)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CREATED)
    checkout_url = models.URLField(_("checkout URL"), max_length=1000, blank=True)
    # What the debtor needs to pay off-line (a SPEI CLABE and reference, an OXXO voucher
    # number, a Bre-B key), as the rail's provider returned it; and until when it is valid.
    instructions = models.JSONField(_("payment instructions"), default=dict, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    # Set when the first instalment of an agreement chosen in the portal is being paid.
    agreement = models.ForeignKey(
        "agreements.PaymentAgreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="portal_intent"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment intent")
        verbose_name_plural = _("payment intents")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="intent_amount_gt_0")
        ]

    def __str__(self):
        return f"{self.provider} {self.provider_reference} ({self.status})"


class WebhookEvent(models.Model):
    """A verified provider event, stored once: a replayed event id records nothing new."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=60)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("payment webhook event")
        verbose_name_plural = _("payment webhook events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")
        ]

    def __str__(self):
        return f"{self.provider} {self.kind} {self.event_id}"
