"""Escalation: policies (versioned), holds, the stage-change record, cycle runs, contact actions."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from portfolio.models import MONEY, Channel, Creditor, Debt, Debtor, Product, Stage

# Ordered ladder of the stages the daily cycle moves debts through by days past due.
LADDER = (
    Stage.CURRENT,
    Stage.FRIENDLY_REMINDER,
    Stage.FIRM_NOTICE,
    Stage.PRE_LEGAL,
    Stage.LEGAL,
)


def default_cadence() -> dict:
    """The reminder cadence of PRODUCT.md's default policy.

    Keys are stages; each rule says when (`dpd` list, `on_entry`, `every_days` since entry, or
    `days_before_due` for the pre-due reminder), on which channels and with which template code.
    """
    return {
        Stage.CURRENT: [
            {"days_before_due": [3], "channels": ["email", "sms"], "template": "pre_due_reminder"},
        ],
        Stage.FRIENDLY_REMINDER: [
            {"dpd": [1, 5, 10], "channels": ["email", "sms", "whatsapp"], "template": "friendly"},
        ],
        Stage.FIRM_NOTICE: [
            {"on_entry": True, "channels": ["email", "letter"], "template": "firm_notice"},
            {"every_days": 7, "channels": ["sms", "whatsapp"], "template": "firm_weekly"},
            {"on_entry": True, "channels": ["voice"], "template": "firm_call"},
        ],
        Stage.PRE_LEGAL: [
            {"on_entry": True, "channels": ["email", "letter"], "template": "pre_legal_notice"},
            {"every_days": 7, "channels": ["voice"], "template": "pre_legal_call"},
        ],
        Stage.LEGAL: [],
    }


CADENCE_KEYS = {"dpd", "on_entry", "every_days", "days_before_due", "channels", "template"}


class EscalationPolicy(TimeStampedModel):
    """Which strategy applies to which debts of a creditor; the rules live in its versions."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="escalation_policies"
    )
    name = models.CharField(_("name"), max_length=120)
    product = models.CharField(
        _("product"), max_length=20, choices=Product, blank=True, help_text=_("Empty: any product.")
    )
    segment = models.CharField(
        _("segment code"), max_length=40, blank=True, help_text=_("Empty: any segment.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    current_version = models.ForeignKey(
        "EscalationPolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current version"),
    )

    class Meta:
        ordering = ["creditor_id", "product", "segment", "id"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "product", "segment"],
                condition=Q(is_active=True),
                name="one_active_policy_per_scope",
            ),
        ]

    def __str__(self):
        return f"{self.creditor.code}: {self.name}"

    @property
    def specificity(self) -> int:
        """More specific policies win: product+segment > segment > product > creditor default."""
        return (2 if self.segment else 0) + (1 if self.product else 0)


class EscalationPolicyVersion(models.Model):
    """An immutable set of thresholds and cadence; editing a policy creates a new version."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    friendly_dpd = models.PositiveIntegerField(_("friendly reminder from DPD"), default=1)
    firm_dpd = models.PositiveIntegerField(_("firm notice from DPD"), default=16)
    pre_legal_dpd = models.PositiveIntegerField(_("pre-legal from DPD"), default=46)
    legal_dpd = models.PositiveIntegerField(_("legal from DPD"), default=91)
    legal_min_balance = models.DecimalField(
        _("minimum balance for legal"), default=Decimal("0"), **MONEY
    )
    legal_notice_days = models.PositiveIntegerField(
        _("days between pre-legal notice and legal"), default=10
    )
    grace_days = models.PositiveIntegerField(
        _("grace days"), default=0, help_text=_("Days past due that do not count for the ladder.")
    )
    cadence = models.JSONField(_("reminder cadence"), default=default_cadence)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change_note = models.CharField(_("change note"), max_length=255, blank=True)

    class Meta:
        ordering = ["policy_id", "-number"]
        verbose_name = _("escalation policy version")
        verbose_name_plural = _("escalation policy versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_unique"),
        ]

    def __str__(self):
        return f"{self.policy} v{self.number}"

    def thresholds(self) -> dict[str, int]:
        return {
            Stage.FRIENDLY_REMINDER: self.friendly_dpd,
            Stage.FIRM_NOTICE: self.firm_dpd,
            Stage.PRE_LEGAL: self.pre_legal_dpd,
            Stage.LEGAL: self.legal_dpd,
        }

    def clean(self):
        errors = {}
        if self.friendly_dpd < 1:
            errors["friendly_dpd"] = _("The friendly reminder starts at 1 day past due or later.")
        ordered = [
            ("firm_dpd", self.firm_dpd, self.friendly_dpd),
            ("pre_legal_dpd", self.pre_legal_dpd, self.firm_dpd),
            ("legal_dpd", self.legal_dpd, self.pre_legal_dpd),
        ]
        for field, value, previous in ordered:
            if value is not None and previous is not None and value <= previous:
                errors[field] = _(
                    "Thresholds must increase stage by stage (%(prev)s → %(value)s)."
                ) % {
                    "prev": previous,
                    "value": value,
                }
        if self.legal_min_balance is not None and self.legal_min_balance < 0:
            errors["legal_min_balance"] = _("The minimum balance cannot be negative.")
        cadence_errors = validate_cadence(self.cadence)
        if cadence_errors:
            errors["cadence"] = cadence_errors
        if errors:
            raise ValidationError(errors)


def validate_cadence(cadence) -> list[str]:
    """Every problem in a cadence definition, as messages for a form or the API."""
    problems: list[str] = []
    if not isinstance(cadence, dict):
        return [str(_("The cadence must be an object keyed by stage."))]
    channels = set(Channel.values)
    for stage, rules in cadence.items():
        if stage not in LADDER:
            problems.append(str(_("Unknown stage %(stage)s.") % {"stage": stage}))
            continue
        if not isinstance(rules, list):
            problems.append(str(_("Stage %(stage)s needs a list of rules.") % {"stage": stage}))
            continue
        for index, rule in enumerate(rules, start=1):
            where = f"{stage} #{index}"
            if not isinstance(rule, dict):
                problems.append(f"{where}: " + str(_("a rule must be an object.")))
                continue
            unknown = set(rule) - CADENCE_KEYS
            if unknown:
                problems.append(
                    f"{where}: " + str(_("unknown keys %(keys)s.") % {"keys": sorted(unknown)})
                )
            if not rule.get("template") or not isinstance(rule.get("template"), str):
                problems.append(f"{where}: " + str(_("a template code is required.")))
            rule_channels = rule.get("channels")
            if not isinstance(rule_channels, list) or not rule_channels:
                problems.append(f"{where}: " + str(_("at least one channel is required.")))
            elif set(rule_channels) - channels:
                problems.append(
                    f"{where}: "
                    + str(
                        _("unknown channels %(c)s.") % {"c": sorted(set(rule_channels) - channels)}
                    )
                )
            triggers = [
                k for k in ("dpd", "on_entry", "every_days", "days_before_due") if k in rule
            ]
            if len(triggers) != 1:
                problems.append(
                    f"{where}: "
                    + str(_("exactly one of dpd, on_entry, every_days, days_before_due."))
                )
                continue
            trigger = triggers[0]
            value = rule[trigger]
            if trigger in ("dpd", "days_before_due"):
                if not isinstance(value, list) or not all(
                    isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
                ):
                    problems.append(
                        f"{where}: "
                        + str(_("%(key)s must be a list of days >= 0.") % {"key": trigger})
                    )
            elif trigger == "every_days":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    problems.append(
                        f"{where}: " + str(_("every_days must be a whole number >= 1."))
                    )
            elif value is not True:
                problems.append(f"{where}: " + str(_("on_entry must be true.")))
    return problems


class Hold(models.Model):
    """Something that stops escalation (and contact): a dispute, cease contact, death, insolvency.

    A hold on a debt covers that debt; a hold with no debt covers every debt of the debtor.
    """

    class Kind(models.TextChoices):
        DISPUTE = "dispute", _("Dispute")
        CEASE_CONTACT = "cease_contact", _("Cease contact")
        DECEASED = "deceased", _("Deceased")
        INSOLVENCY = "insolvency", _("Insolvency")

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
    reason = models.TextField(_("reason"), blank=True)
    policy_version = models.ForeignKey(
        EscalationPolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cycle_run = models.ForeignKey(
        CycleRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stage_changes",
        db_index=False,
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["debt", "occurred_at"]),
            models.Index(fields=["business_date"]),
        ]

    def __str__(self):
        return f"{self.debt_id}: {self.from_stage} → {self.to_stage} ({self.business_date})"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else str(_("system"))


class ContactAction(models.Model):
    """A contact the cycle planned for a business date (debt, channel, template, stage).

    The messaging issue turns these into messages; the unique key makes planning idempotent.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    debt = models.ForeignKey(
        Debt, on_delete=models.CASCADE, related_name="contact_actions", db_index=False
    )
    business_date = models.DateField(_("business date"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    template_code = models.CharField(_("template"), max_length=60)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PLANNED)
    policy_version = models.ForeignKey(
        EscalationPolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cycle_run = models.ForeignKey(
        CycleRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_actions",
        db_index=False,
    )
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
        indexes = [models.Index(fields=["business_date", "channel"])]

    def __str__(self):
        return f"{self.business_date} {self.channel} {self.template_code} debt {self.debt_id}"


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
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
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
        return f"{self.get_kind_display()}: {self.title}"


# The collector workspace's models live in their own module (keeps this one readable).
from collections_app.models_workspace import Assignment, Interaction  # noqa: E402, F401
