"""Each arm's figures on a business date, written set-based by the nightly job."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from experiments.models.experiment import Arm, Experiment
from portfolio.models import MONEY


class ArmSnapshot(models.Model):
    """An arm's counts on `as_of` (intention to treat: every debtor ever assigned to it), one
    row per currency of its payments (`currency` empty on the one row of an arm with none);
    the counts that are not amounts repeat on each of an arm's rows.

    Written by `experiments.services.snapshots.arm_snapshots_write`, which replaces the date's
    rows; the definitions of each figure are in `experiments.selectors.results`."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="snapshots")
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField(_("as of"))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    accounts = models.PositiveIntegerField(_("accounts"))
    delinquent = models.PositiveIntegerField(_("past due at assignment"))
    cured = models.PositiveIntegerField(_("cured"))
    collected = models.DecimalField(_("collected"), **MONEY)
    payers = models.PositiveIntegerField(_("accounts that paid"))
    payments = models.PositiveIntegerField(_("payments"))
    promises_made = models.PositiveIntegerField(_("promises made"))
    promises_kept = models.PositiveIntegerField(_("promises kept"))
    promises_broken = models.PositiveIntegerField(_("promises broken"))
    complaints = models.PositiveIntegerField(_("complaints"))
    opt_outs = models.PositiveIntegerField(_("opt-outs"))
    messages_planned = models.PositiveIntegerField(_("messages planned"))
    messages_suppressed = models.PositiveIntegerField(_("messages suppressed"))
    contacts = models.PositiveIntegerField(_("contacts"))

    class Meta:
        ordering = ["as_of", "experiment_id", "arm_id", "currency"]
        verbose_name = _("arm snapshot")
        verbose_name_plural = _("arm snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["arm", "as_of", "currency"], name="arm_snapshot_unique_day"
            ),
        ]
        indexes = [models.Index(fields=["as_of"], name="arm_snapshot_as_of")]

    def __str__(self):
        return f"{self.arm_id} {self.as_of} {self.currency}"
