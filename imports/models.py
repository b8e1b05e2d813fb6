"""Import batches of portfolio and payments files, and their per-row errors."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.models import TimeStampedModel
from core.reasons import reason_split, reason_text
from portfolio.models import Creditor, Portfolio

CAPPED_ROWS_KEPT = 1000


class ImportBatch(TimeStampedModel):
    """One run of a portfolio or payments file import, with its counts and row errors."""

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", _("Portfolio file")
        PAYMENTS = "payments", _("Payments file")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected (strict mode, nothing written)")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="imports", verbose_name=_("creditor")
    )
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports"
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    strict = models.BooleanField(_("strict"), default=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    source = models.CharField(_("source"), max_length=10, default="cli")
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    debtors_created = models.PositiveIntegerField(_("debtors created"), default=0)
    debtors_updated = models.PositiveIntegerField(_("debtors updated"), default=0)
    # Rows whose late interest rate (late_interest_rate) was above the ceiling in force on the
    # import's business date: loaded as written, the accrual applies the ceiling. The count,
    # and the first CAPPED_ROWS_KEPT of them ({row, debt_ref, rate, ceiling, source,
    # resolution}) for the report.
    capped_count = models.PositiveIntegerField(_("rates capped"), default=0)
    capped_rows = models.JSONField(_("rows with a capped rate"), default=list, blank=True)
    # Why the file failed, as written (kept for batches without a code); see error_display.
    error_message = models.TextField(_("error"), blank=True)
    error_code = models.CharField(_("error code"), max_length=60, blank=True)
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def error_display(self) -> str:
        """Why the file failed, in the active language."""
        return reason_text(self.error_code, self.error_params, fallback=self.error_message)

    def error_set(self, error) -> None:
        """Record why the file failed: a Reason (or an ApplicationError carrying one), or text.

        The text in the language active now is kept beside the code, for readers of the
        column; pages and the API show `error_display`.
        """
        reason = (error.reason or error.message) if isinstance(error, ApplicationError) else error
        self.error_code, self.error_params, _typed = reason_split(reason)
        self.error_message = str(reason)


class ImportRowError(models.Model):
    """Why one row of an import file was rejected: (row number, column, reason)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(_("row"), help_text=_("Line number; the header is line 1."))
    column = models.CharField(_("column"), max_length=64)
    # The reason as written (kept for rows without a code); shown through reason_display.
    reason = models.CharField(_("reason"), max_length=255)
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    value = models.CharField(_("value"), max_length=255, blank=True)

    class Meta:
        ordering = ["batch_id", "row", "id"]
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")

    def __str__(self):
        return f"row {self.row} {self.column}: {self.reason_display}"

    @property
    def reason_display(self) -> str:
        """Why the row was rejected, in the active language."""
        return reason_text(self.reason_code, self.reason_params, fallback=self.reason)
