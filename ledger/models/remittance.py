"""Remittance (agency model): what the agency collected for a creditor in a period, net of its
commission, from the ledger's own entries."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from ledger.models.entries import LedgerEntry
from portfolio.models import MONEY, Creditor, Debt, Payment, Stage


class CommissionBasis(models.TextChoices):
    STAGE = "stage", _("By stage")
    AGE = "age", _("By days past due")


class CommissionRate(models.Model):
    """The agency's commission on what it collects for a creditor: per stage or age bucket.

    Rates with a later `valid_from` replace earlier ones for collections from that date.
    """

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="commission_rates", db_index=False
    )
    basis = models.CharField(_("basis"), max_length=10, choices=CommissionBasis)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage, blank=True)
    min_dpd = models.PositiveIntegerField(_("from days past due"), null=True, blank=True)
    max_dpd = models.PositiveIntegerField(_("to days past due"), null=True, blank=True)
    percent = models.DecimalField(_("commission (%)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["creditor_id", "-valid_from", "basis", "stage", "min_dpd"]
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="commission_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(basis="stage", min_dpd__isnull=True, max_dpd__isnull=True)
                & ~Q(stage="")
                | Q(basis="age", stage="", min_dpd__isnull=False),
                name="commission_basis_fields",
            ),
            models.CheckConstraint(
                condition=Q(max_dpd__isnull=True) | Q(max_dpd__gte=F("min_dpd")),
                name="commission_bucket_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.basis} {self.stage or self.min_dpd} {self.percent} %"


class RemittanceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("remittance", "Draft")
    ISSUED = "issued", pgettext_lazy("remittance", "Issued")
    VOID = "void", pgettext_lazy("remittance", "Void")


class Remittance(FSMModelMixin, TimeStampedModel):
    """One statement to a creditor for a period and currency: collected, reversed, commission."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="remittances", db_index=False
    )
    currency = models.CharField(_("currency"), max_length=3)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    collected = models.DecimalField(_("collected"), default=0, **MONEY)
    reversed = models.DecimalField(_("reversed"), default=0, **MONEY)
    commission = models.DecimalField(_("commission"), default=0, **MONEY)
    net = models.DecimalField(_("net to remit"), default=0, **MONEY)
    status = StateField(_("status"), default=RemittanceStatus.DRAFT,
                      choices=RemittanceStatus.choices, protected=True)  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("prepared by"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("issued by"),
    )  # fmt: skip
    void_reason = models.TextField(_("why it was voided"), blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "currency", "period_start"],
                condition=~Q(status="void"),
                name="remittance_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="remittance_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(net=F("collected") - F("reversed") - F("commission")),
                name="remittance_net_is_difference",
            ),
        ]
        indexes = [models.Index(fields=["creditor", "period_end"])]

    def __str__(self):
        return f"{self.creditor_id} {self.period_start}–{self.period_end} {self.currency}"

    @transition(field=status, source=RemittanceStatus.DRAFT, target=RemittanceStatus.ISSUED)
    def issue(self):
        """The statement is final and sent to the creditor."""

    @transition(field=status, source=RemittanceStatus.DRAFT, target=RemittanceStatus.VOID)
    def void(self):
        """A draft thrown away (its entries are free for another statement)."""


class RemittanceLine(models.Model):
    """One ledger entry in a remittance: a payment, a recovery, or a reversal carried in."""

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="lines")
    entry = models.ForeignKey(
        LedgerEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    debt = models.ForeignKey(
        Debt, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", db_index=False
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
        null=True, db_index=False,
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=12)
    posted_on = models.DateField(_("business date"))
    # Collected money is positive; a reversal carried in is negative, its commission too.
    amount = models.DecimalField(_("amount"), **MONEY)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    days_past_due = models.IntegerField(_("days past due"), null=True)
    percent = models.DecimalField(_("commission (%)"), max_digits=5, decimal_places=2)
    commission = models.DecimalField(_("commission"), **MONEY)

    class Meta:
        ordering = ["posted_on", "id"]
        verbose_name = _("remittance line")
        verbose_name_plural = _("remittance lines")
        indexes = [models.Index(fields=["remittance", "posted_on"])]

    def __str__(self):
        return f"{self.kind} {self.amount}"
