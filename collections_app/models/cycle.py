"""Runs of the daily cycle, one per business date."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleRun(models.Model):
    """One run of the daily cycle for one business date."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    business_date = models.DateField(_("business date"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    debts_evaluated = models.PositiveIntegerField(_("debts evaluated"), default=0)
    debts_moved = models.PositiveIntegerField(_("debts moved"), default=0)
    debts_held = models.PositiveIntegerField(_("debts on hold"), default=0)
    actions_planned = models.PositiveIntegerField(_("contact actions"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-business_date"]
        verbose_name = _("cycle run")
        verbose_name_plural = _("cycle runs")

    def __str__(self):
        return f"{self.business_date} {self.status}"


class CycleRunCreditor(models.Model):
    """One creditor's share of a cycle run's counts: a manager sees only their creditors'."""

    run = models.ForeignKey(CycleRun, on_delete=models.CASCADE, related_name="by_creditor")
    creditor = models.ForeignKey(
        "portfolio.Creditor", on_delete=models.CASCADE, related_name="+", verbose_name=_("creditor")
    )
    debts_evaluated = models.PositiveIntegerField(_("debts evaluated"), default=0)
    debts_moved = models.PositiveIntegerField(_("debts moved"), default=0)
    debts_held = models.PositiveIntegerField(_("debts on hold"), default=0)
    actions_planned = models.PositiveIntegerField(_("contact actions"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "creditor"], name="cyclerun_creditor_unique")
        ]
        verbose_name = _("cycle run per creditor")
        verbose_name_plural = _("cycle runs per creditor")

    def __str__(self):
        return f"{self.run} creditor {self.creditor_id}"
