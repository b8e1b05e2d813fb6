"""Furnishing runs: what was reported to which bureau at which cut-off, kept per debt."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from portfolio.models import Creditor, Debt

MONEY = {"max_digits": 18, "decimal_places": 2}


class Bureau(models.TextChoices):
    """A bureau and the country it serves; its file layout is bureau.layouts.layout_for(code)."""

    DATACREDITO = "datacredito", _("Datacrédito Experian (CO)")
    TRANSUNION_CO = "transunion_co", _("TransUnion (CO)")
    BURO = "buro", _("Buró de Crédito (MX)")
    CIRCULO = "circulo", _("Círculo de Crédito (MX)")
    METRO2 = "metro2", _("Metro 2 bureaus: Equifax, Experian, TransUnion (US)")


BUREAU_COUNTRY = {
    Bureau.DATACREDITO: "CO",
    Bureau.TRANSUNION_CO: "CO",
    Bureau.BURO: "MX",
    Bureau.CIRCULO: "MX",
    Bureau.METRO2: "US",
}


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATED = "validated", _("Validated")
    GENERATED = "generated", _("File generated")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class ReportAction(models.TextChoices):
    REPORT = "report", _("Reported")
    DELETE = "delete", _("Deleted from the bureau")
    WITHDRAW = "withdraw", _("Withdrawn: reported without the required notice")


class FurnishingRun(FSMModelMixin, TimeStampedModel):
    """One creditor's file for one bureau at one cut-off date: preview, validate, generate
    (the file kept with its checksum), mark submitted."""

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="furnishing_runs")
    bureau = models.CharField(_("bureau"), max_length=20, choices=Bureau)
    layout_version = models.CharField(_("layout version"), max_length=40)
    cut_off = models.DateField(_("cut-off date"))
    status = StateField(_("status"), max_length=10, choices=RunStatus, default=RunStatus.DRAFT)
    accounts = models.PositiveIntegerField(_("accounts"), default=0)
    findings = models.JSONField(_("validation findings"), default=list, blank=True)
    file = models.FileField(_("file"), upload_to="bureau/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-cut_off", "-id"]
        verbose_name = _("furnishing run")
        verbose_name_plural = _("furnishing runs")
        constraints = [
            # One live run per creditor, bureau and cut-off (a cancelled one may be redone).
            models.UniqueConstraint(
                fields=["creditor", "bureau", "cut_off"],
                condition=~Q(status="cancelled"),
                name="bureau_run_one_live_per_cut_off",
            ),
        ]

    def __str__(self):
        return f"{self.creditor_id} · {self.bureau} · {self.cut_off}"

    @transition(
        field=status, source=[RunStatus.DRAFT, RunStatus.VALIDATED], target=RunStatus.VALIDATED
    )
    def validate(self):
        """The accounts passed the layout's pre-submission checks."""

    @transition(field=status, source=RunStatus.VALIDATED, target=RunStatus.GENERATED)
    def generate(self):
        """The file was written and its checksum kept."""

    @transition(field=status, source=RunStatus.GENERATED, target=RunStatus.SUBMITTED)
    def submit(self):
        """Someone uploaded the file to the bureau and said so."""

    @transition(
        field=status,
        source=[RunStatus.DRAFT, RunStatus.VALIDATED, RunStatus.GENERATED],
        target=RunStatus.CANCELLED,
    )
    def cancel(self):
        """Dropped before submission."""


class FurnishedAccount(models.Model):
    """What one run reported for one debt: the facts as of the cut-off, exactly as filed."""

    run = models.ForeignKey(FurnishingRun, on_delete=models.CASCADE, related_name="lines")
    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="+", db_index=False)
    action = models.CharField(_("action"), max_length=10, choices=ReportAction)
    status_code = models.CharField(_("status code"), max_length=4)
    currency = models.CharField(_("currency"), max_length=3)
    balance = models.DecimalField(_("balance"), **MONEY)
    amount_past_due = models.DecimalField(_("amount past due"), **MONEY)
    original_amount = models.DecimalField(_("original amount"), **MONEY)
    days_late = models.PositiveIntegerField(_("days late"))
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    first_delinquency_on = models.DateField(_("date of first delinquency"), null=True, blank=True)
    last_payment_on = models.DateField(_("last payment on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    compliance_code = models.CharField(_("compliance condition"), max_length=2, blank=True)
    payment_history = models.CharField(_("payment history profile"), max_length=24, blank=True)
    remove_after = models.DateField(_("negative data removed after"), null=True, blank=True)

    class Meta:
        ordering = ["run_id", "debt_id"]
        verbose_name = _("furnished account")
        verbose_name_plural = _("furnished accounts")
        constraints = [
            models.UniqueConstraint(fields=["run", "debt"], name="bureau_line_one_per_debt"),
        ]
        indexes = [models.Index(fields=["debt", "run"])]

    def __str__(self):
        return f"{self.run_id}: {self.debt_id} {self.status_code}"
