"""Payments received on debts, and the references debtors quote to pay."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from portfolio.models.debts import Debt
from portfolio.models.parties import MONEY, Creditor


class Payment(TimeStampedModel):
    """A payment received on a debt, allocated in the creditor's application order."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        DIRECT_DEBIT = "direct_debit", _("Direct debit")
        CHECK = "check", _("Check")
        PSE = "pse", _("PSE")
        BREB = "breb", _("Bre-B")
        SPEI = "spei", _("SPEI")
        OXXO = "oxxo", _("OXXO")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        API = "api", _("API")
        FILE = "file", _("Payments file")
        PORTAL = "portal", _("Debtor portal")
        MANUAL = "manual", _("Manual entry")
        SUSPENSE = "suspense", _("Applied from suspense")

    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("creditor"),
        db_index=False,  # covered by the unique (creditor, reference)
    )
    debt = models.ForeignKey(
        Debt, on_delete=models.PROTECT, related_name="payments", verbose_name=_("debt")
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    paid_at = models.DateTimeField(_("paid at"))
    method = models.CharField(_("method"), max_length=20, choices=Method)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("Idempotency key, unique per creditor.")
    )
    allocated_fees = models.DecimalField(_("to fees"), default=0, **MONEY)
    allocated_interest = models.DecimalField(_("to interest"), default=0, **MONEY)
    allocated_principal = models.DecimalField(_("to principal"), default=0, **MONEY)
    # Set once, when the payment is reversed (ledger.models.PaymentReversal says why): a
    # reversed payment stays on record but pays nothing (agreements, KPIs, remittance).
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords(no_db_index=["creditor", "recorded_by"], user_db_constraint=False)

    class Meta:
        ordering = ["-paid_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "reference"], name="payment_unique_reference"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(
                    amount=Round(
                        F("allocated_fees") + F("allocated_interest") + F("allocated_principal"), 2
                    )
                ),
                name="payment_fully_allocated",
            ),
        ]
        # paid_at alone: the dashboard's live "today" band reads the day's payments by range.
        indexes = [models.Index(fields=["debt", "paid_at"]), models.Index(fields=["paid_at"])]

    def __str__(self):
        return f"{self.amount} {self.currency} {self.reference}"


class PaymentReference(models.Model):
    """The reference a debtor quotes when paying a debt by bank transfer or in cash."""

    debt = models.OneToOneField(Debt, on_delete=models.CASCADE, related_name="payment_reference")
    reference = models.CharField(_("payment reference"), max_length=20, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = _("payment reference")
        verbose_name_plural = _("payment references")

    def __str__(self):
        return self.reference
