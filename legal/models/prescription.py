"""The prescription clock's records: what interrupted a debt's term, and the alerts sent as the
end of the term comes near (legal.services.prescription computes the dates)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.models import Debt


class PrescriptionInterruption(models.Model):
    """An act that restarts a debt's prescription term from its date (the latest one wins)."""

    class Kind(models.TextChoices):
        FILING = "filing", _("Filing of the claim")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement by the debtor")

    class Source(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        AGREEMENT = "agreement", _("Agreement signed by the debtor")
        MANUAL = "manual", _("Manual entry")

    debt = models.ForeignKey(
        Debt, on_delete=models.CASCADE, related_name="prescription_interruptions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("prescription interruption")
        verbose_name_plural = _("prescription interruptions")
        indexes = [models.Index(fields=["debt", "on"], name="legal_interruption_debt_on")]

    def __str__(self):
        return f"{self.debt_id}: {self.kind} {self.on}"


class PrescriptionAlert(models.Model):
    """One warning per debt and threshold (months elapsed since the term started)."""

    debt = models.ForeignKey(Debt, on_delete=models.CASCADE, related_name="prescription_alerts")
    months = models.PositiveSmallIntegerField(_("months elapsed"))
    # When the debt's action prescribes, as computed on the day of the alert.
    due_on = models.DateField(_("prescribes on"))
    created_on = models.DateField(_("created on"))
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seen by"),
    )
    seen_at = models.DateTimeField(_("seen at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("prescription alert")
        verbose_name_plural = _("prescription alerts")
        constraints = [
            # The term restarting (a payment) starts a new clock: a new alert per due date.
            models.UniqueConstraint(
                fields=["debt", "months", "due_on"], name="legal_prescription_alert_once"
            ),
        ]

    def __str__(self):
        return f"{self.debt_id}: {self.months} months"
