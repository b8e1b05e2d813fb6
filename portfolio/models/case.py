"""The case records every app writes: stage changes, holds and collector tasks."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.reasons import reason_text
from portfolio.models.debts import Debt, transition_label
from portfolio.models.parties import Debtor, Stage


class Hold(models.Model):
    """Something that stops escalation (and contact): a dispute, a complaint, cease contact,
    death, insolvency.

    A hold on a debt covers that debt; a hold with no debt covers every debt of the debtor.
    """

    class Kind(models.TextChoices):
        DISPUTE = "dispute", _("Dispute")
        CEASE_CONTACT = "cease_contact", _("Cease contact")
        DECEASED = "deceased", _("Deceased")
        INSOLVENCY = "insolvency", _("Insolvency")
        COMPLAINT = "complaint", _("Complaint")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Upheld (debtor was right; debt corrected)")
        REJECTED = "rejected", _("Rejected (debt confirmed)")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        LIFTED = "lifted", _("Lifted")

    class Source(models.TextChoices):
        COLLECTOR = "collector", _("Collector")
        MANAGER = "manager", _("Manager")
        API = "api", _("API")
        PORTAL = "portal", _("Debtor portal")
        COMPLAINT = "complaint", _("Complaint")

    debtor = models.ForeignKey(Debtor, on_delete=models.CASCADE, related_name="holds")
    debt = models.ForeignKey(
        Debt, on_delete=models.CASCADE, related_name="holds", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind)
    reason = models.TextField(_("reason"))
    source = models.CharField(_("source"), max_length=10, choices=Source)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        indexes = [models.Index(fields=["debtor", "closed_at"]), models.Index(fields=["debt"])]
        constraints = [
            models.UniqueConstraint(
                fields=["debt", "kind"],
                condition=Q(closed_at__isnull=True, debt__isnull=False),
                name="one_open_hold_per_debt_and_kind",
            ),
            models.UniqueConstraint(
                fields=["debtor", "kind"],
                condition=Q(closed_at__isnull=True, debt__isnull=True),
                name="one_open_debtor_hold_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({'open' if self.is_open else 'closed'})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StageChange(models.Model):
    """Every stage change: who or what moved the debt, when, why, under which policy version."""

    debt = models.ForeignKey(
        Debt, on_delete=models.CASCADE, related_name="stage_changes", db_index=False
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage)
    transition = models.CharField(_("transition"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system (the daily cycle) made the change."),
    )
    business_date = models.DateField(_("business date"))
    occurred_at = models.DateTimeField(_("occurred at"))
    # What a person typed (and rows from before reason codes); a reason the code wrote is a
    # code and its params (core.reasons), shown in the viewer's language.
    reason = models.TextField(_("reason"), blank=True)
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    # The escalation policy version and the cycle run belong to collections_app, a layer above:
    # kept as plain ids (no foreign key) so the case records never depend on it.
    policy_version_id = models.BigIntegerField(_("policy version"), null=True, blank=True)
    # The experiment arm (experiments.Arm) the debtor was in when this happened, if any.
    experiment_arm_id = models.BigIntegerField(_("experiment arm"), null=True, blank=True)
    cycle_run_id = models.BigIntegerField(_("cycle run"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["debt", "occurred_at"]),
            models.Index(fields=["business_date"]),
            models.Index(
                fields=["experiment_arm_id", "business_date"],
                condition=models.Q(experiment_arm_id__isnull=False),
                name="stage_change_arm",
            ),
        ]

    def __str__(self):
        return f"{self.debt_id}: {self.from_stage} → {self.to_stage} ({self.business_date})"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else str(_("system"))

    @property
    def reason_display(self) -> str:
        """The reason in the active language."""
        return reason_text(self.reason_code, self.reason_params, fallback=self.reason)

    @property
    def transition_label(self) -> str:
        return transition_label(self.transition)


class Task(models.Model):
    """A piece of work for a collector: a callback, a follow-up, a broken agreement to call on.

    System-created tasks carry a `source_key` (unique) so a rerun of the cycle creates none twice.
    """

    class Kind(models.TextChoices):
        CALLBACK = "callback", _("Callback")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CALL = "call", _("Call")
        BROKEN_AGREEMENT = "broken_agreement", _("Broken agreement")
        BROKEN_PROMISE = "broken_promise", _("Broken promise")
        FIELD_VISIT = "field_visit", _("Field visit")
        REVIEW_DISPUTE = "review_dispute", _("Review dispute")
        LEGAL_REVIEW = "legal_review", _("Legal escalation request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    debt = models.ForeignKey(Debt, on_delete=models.CASCADE, related_name="tasks")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collection_tasks",
        verbose_name=_("assigned to"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    # What a person typed, or (system tasks) the text as first written: a system task also
    # keeps a code and params, shown through title_display/note_display in the viewer's language.
    title = models.CharField(_("title"), max_length=200)
    title_code = models.CharField(_("title code"), max_length=60, blank=True)
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    note_code = models.CharField(_("note code"), max_length=60, blank=True)
    note_params = models.JSONField(_("note parameters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system created the task."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    source_key = models.CharField(
        _("source key"),
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Idempotency key of system-created tasks."),
    )

    class Meta:
        ordering = ["status", "due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["assigned_to", "status", "due_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title_display}"

    @property
    def title_display(self) -> str:
        return reason_text(self.title_code, self.title_params, fallback=self.title)

    @property
    def note_display(self) -> str:
        return reason_text(self.note_code, self.note_params, fallback=self.note)
