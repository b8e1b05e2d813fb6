"""What the court holds for the creditor: precautionary measures (embargos, secuestros) on the
debtor's assets, and the deposits the court received (títulos de depósito judicial)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from legal.models.case import LegalCase
from portfolio.models.parties import MONEY


class PrecautionaryMeasure(models.Model):
    """A seizure asked for or decreed on one of the debtor's assets."""

    class Asset(models.TextChoices):
        ACCOUNT = "account", _("Bank account")
        VEHICLE = "vehicle", _("Vehicle")
        PROPERTY = "property", _("Real estate")
        WAGES = "wages", _("Wages")
        OTHER = "other", pgettext_lazy("asset", "Other")

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("measure", "Requested")
        DECREED = "decreed", pgettext_lazy("measure", "Decreed")
        SERVED = "served", pgettext_lazy("measure", "Served")
        LIFTED = "lifted", pgettext_lazy("measure", "Lifted")

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="measures")
    asset = models.CharField(_("asset"), max_length=10, choices=Asset)
    description = models.CharField(_("description"), max_length=255)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.REQUESTED)
    decreed_on = models.DateField(_("decreed on"), null=True, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("precautionary measure")
        verbose_name_plural = _("precautionary measures")
        constraints = [
            # An amount means nothing without its currency.
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""),
                name="legal_measure_amount_has_currency",
            ),
        ]

    def __str__(self):
        return f"{self.get_asset_display()}: {self.description}"


class CourtDeposit(models.Model):
    """Money the court received for the case (e.g. from a seized account or wages)."""

    case = models.ForeignKey(LegalCase, on_delete=models.CASCADE, related_name="deposits")
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("court deposit")
        verbose_name_plural = _("court deposits")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="legal_deposit_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.received_on})"
