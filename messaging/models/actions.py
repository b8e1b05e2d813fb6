"""Contact requests: what the daily cycle (or an event) asks messaging to send."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.models import Channel, Debt, Stage


class ContactAction(models.Model):
    """A contact the cycle planned for a business date (debt, channel, template, stage).

    The messaging issue turns these into messages; the unique key makes planning idempotent.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    # Unchecked by the database (as ledger entries and experiment assignments): the cycle
    # inserts one row per contact of the day from the debts it has just read, two hundred
    # thousand on a busy day per 100k debts, and a row-by-row check of each was a fifth of
    # the day's planning (#17). Deleting a debt through the ORM still deletes its actions.
    debt = models.ForeignKey(
        Debt,
        on_delete=models.CASCADE,
        related_name="contact_actions",
        db_index=False,
        db_constraint=False,
    )
    business_date = models.DateField(_("business date"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    template_code = models.CharField(_("template"), max_length=60)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    # The escalation policy version and the cycle run belong to collections_app, a layer above:
    # kept as plain ids (no foreign key) so the case records never depend on it.
    policy_version_id = models.BigIntegerField(_("policy version"), null=True, blank=True)
    # The experiment arm (experiments.Arm) the debtor was in when it was planned, if any.
    experiment_arm_id = models.BigIntegerField(_("experiment arm"), null=True, blank=True)
    cycle_run_id = models.BigIntegerField(_("cycle run"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["business_date", "debt_id", "channel"]
        verbose_name = _("contact action")
        verbose_name_plural = _("contact actions")
        constraints = [
            models.UniqueConstraint(
                fields=["debt", "template_code", "channel", "business_date"],
                name="contact_action_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["business_date", "channel"]),
            models.Index(
                fields=["experiment_arm_id", "business_date"],
                condition=models.Q(experiment_arm_id__isnull=False),
                name="contact_action_arm",
            ),
        ]

    def __str__(self):
        return f"{self.business_date} {self.channel} {self.template_code} debt {self.debt_id}"
