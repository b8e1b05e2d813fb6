"""Promises to pay, recorded from a call and judged by the daily cycle."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.models.agreement import NegotiationChannel
from core.models import TimeStampedModel
from portfolio.models import MONEY, Debt, Debtor


class PromiseToPay(TimeStampedModel):
    """ "I will pay X by date D": kept when payments by D (+ grace) cover X, else broken."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        KEPT = "kept", _("Kept")
        # A promise's own word in Spanish ("promesa": incumplida), not an agreement's.
        BROKEN = "broken", pgettext_lazy("promise", "Broken")
        CANCELLED = "cancelled", _("Cancelled")

    debt = models.ForeignKey(Debt, on_delete=models.CASCADE, related_name="promises")
    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="promises")
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    promised_date = models.DateField(_("promised date"))
    grace_days = models.PositiveIntegerField(_("grace days"), default=2)
    channel = models.CharField(_("channel"), max_length=12, choices=NegotiationChannel)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    made_on = models.DateField(_("made on (business date)"))
    # Payments with an id above this mark (the ledger at the time of the promise) count.
    ledger_mark = models.BigIntegerField(_("ledger mark"), default=0)
    paid_amount = models.DecimalField(_("paid toward it"), default=0, **MONEY)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-promised_date", "-id"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        indexes = [
            models.Index(fields=["status", "promised_date"]),
            models.Index(fields=["debtor", "status"]),
            # the dashboard's live "today" band reads the day's promises by range
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_gt_0"),
            models.UniqueConstraint(
                fields=["debt"], condition=Q(status="pending"), name="one_pending_promise_per_debt"
            ),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} by {self.promised_date} ({self.status})"
