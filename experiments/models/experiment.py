"""Champion/challenger experiments: what is tested, its arms, who is in which arm.

An experiment runs on one creditor (and one of its segments, or its whole book). Its champion
arm is today's way (a policy version, a template version, the offer grid or the send hours); each
challenger arm changes that one thing; an optional hold-out gets no automatic reminders. Every
debtor of the segment lands in one arm by a hash of the experiment's key and the debtor's id
(`experiments.services.assignment`), so the split is deterministic, stable when the segment is
recomputed, and blind to anything about the person.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from portfolio.models import Creditor, Debtor

# Assignment hashes each debtor to one of this many buckets; an arm owns a range of them.
BUCKETS = 10_000


class Subject(models.TextChoices):
    """The one thing the arms differ in."""

    POLICY = "policy", _("Escalation policy")
    TEMPLATE = "template", _("Message template")
    OFFER = "offer", _("Payment offer")
    SEND_TIME = "send_time", _("Send time")


class Metric(models.TextChoices):
    """What decides the winner (docs/experiments.md gives each definition)."""

    CURE_RATE = "cure_rate", _("Cure rate")
    COLLECTED_PER_ACCOUNT = "collected_per_account", _("Amount collected per account")
    PROMISES_KEPT = "promises_kept", _("Promises kept")


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("experiment", "Draft")
    RUNNING = "running", pgettext_lazy("experiment", "Running")
    STOPPED = "stopped", pgettext_lazy("experiment", "Stopped")
    PROMOTED = "promoted", pgettext_lazy("experiment", "Promoted")


class Experiment(FSMModelMixin, TimeStampedModel):
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="experiments", verbose_name=_("creditor")
    )
    # analytics.SegmentDefinition; empty: every debt of the creditor.
    segment = models.ForeignKey(
        "analytics.SegmentDefinition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experiments",
        verbose_name=_("segment"),
        help_text=_("Empty: every debt of the creditor."),
    )
    name = models.CharField(_("name"), max_length=120)
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    subject = models.CharField(_("what is tested"), max_length=12, choices=Subject)
    primary_metric = models.CharField(_("primary metric"), max_length=30, choices=Metric)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # The calculator's inputs, kept with the experiment: today's rate of the primary metric
    # (a proportion) and the smallest lift worth detecting, both in percentage points.
    baseline_rate = models.DecimalField(
        _("baseline rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99.99"))],
    )
    minimum_lift = models.DecimalField(
        _("lift to detect (points)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99.99"))],
    )
    # Guard-rails: {"complaints_per_1000": 5, "opt_out_pct": 2, "suppressed_pct": 30,
    # "contacts_per_payment": 40}; an arm above any of its limits is stopped (services.guardrails).
    guardrails = models.JSONField(_("guard-rails"), default=dict, blank=True)
    # Mixed into every debtor's hash: two experiments split the same debtors independently.
    hash_key = models.CharField(_("hash key"), max_length=40, unique=True, editable=False)
    status = StateField(
        _("status"),
        max_length=10,
        choices=ExperimentStatus.choices,
        default=ExperimentStatus.DRAFT,
        protected=True,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    winner = models.ForeignKey(
        "Arm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("winner"),
    )
    # What promotion created: an escalation policy version or a message template version id
    # (plain ids, like StageChange.policy_version_id), or the offer grid it wrote.
    promoted_version_id = models.BigIntegerField(_("promoted version"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="experiment_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    @transition(field=status, source=ExperimentStatus.DRAFT, target=ExperimentStatus.RUNNING)
    def start(self):
        """Its debtors are assigned and its arms applied from the next cycle."""

    @transition(field=status, source=ExperimentStatus.RUNNING, target=ExperimentStatus.STOPPED)
    def stop(self):
        """Ended without a winner: every debtor goes back to the champion."""

    @transition(field=status, source=ExperimentStatus.RUNNING, target=ExperimentStatus.PROMOTED)
    def promote(self):
        """Its winner became the rule (a new policy or template version, or the offer grid)."""


class ArmRole(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    CHALLENGER = "challenger", _("Challenger")
    HOLDOUT = "holdout", _("Hold-out")


class ArmStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("arm", "Active")
    STOPPED = "stopped", pgettext_lazy("arm", "Stopped")


class Arm(FSMModelMixin, models.Model):
    """One way of doing the subject; its debtors are those whose hash falls in its buckets.

    A stopped arm keeps its debtors (results are counted by assignment, as randomised) but they
    are treated as the champion's from the next cycle.
    """

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    code = models.SlugField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=10, choices=ArmRole)
    weight = models.PositiveSmallIntegerField(
        _("share (%)"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    # The half-open bucket range [bucket_from, bucket_to) the weights give it (at creation).
    bucket_from = models.PositiveIntegerField(_("first bucket"))
    bucket_to = models.PositiveIntegerField(_("bucket after the last"))
    # What the arm does (only the field of the experiment's subject is set; the champion's
    # names today's rule for the record, and a hold-out's are empty).
    policy_version = models.ForeignKey(
        "collections_app.EscalationPolicyVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("policy version"),
    )
    template_version = models.ForeignKey(
        "messaging.MessageTemplateVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("template version"),
    )
    # Offer grid: {"max_instalments": 6, "min_down_pct": "10", "early_payment_discount_pct": "5"}
    # within the creditor's negotiation policy (agreements.NegotiationPolicy's names).
    offer = models.JSONField(_("offer"), default=dict, blank=True)
    send_from_hour = models.PositiveSmallIntegerField(
        _("send from (hour)"), null=True, blank=True, validators=[MaxValueValidator(23)]
    )
    send_to_hour = models.PositiveSmallIntegerField(
        _("send until (hour)"), null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    status = StateField(
        _("status"),
        max_length=10,
        choices=ArmStatus.choices,
        default=ArmStatus.ACTIVE,
        protected=True,
    )
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    stopped_reason = models.CharField(_("why it stopped"), max_length=500, blank=True)

    class Meta:
        ordering = ["experiment_id", "bucket_from"]
        verbose_name = _("experiment arm")
        verbose_name_plural = _("experiment arms")
        constraints = [
            models.UniqueConstraint(fields=["experiment", "code"], name="arm_code_unique"),
            models.CheckConstraint(
                condition=Q(bucket_to__gt=models.F("bucket_from")) & Q(bucket_to__lte=BUCKETS),
                name="arm_buckets_valid",
            ),
        ]

    def __str__(self):
        return f"{self.experiment}: {self.name}"

    @transition(field=status, source=ArmStatus.ACTIVE, target=ArmStatus.STOPPED)
    def halt(self):
        """A guard-rail broke or a strategist stopped it: its debtors get the champion's way."""


class Assignment(models.Model):
    """A debtor's arm in an experiment. Written set-based by services.assignment; a debtor is in
    at most one running experiment of a creditor, and leaves only when none of their debts of
    the creditor is in the segment any more (`left_on`; coming back puts them in the same arm)."""

    # Written only set-based from rows that exist (services.assignment), a million at a time:
    # the keys are not checked row by row by the database (as analytics.DebtSegment's);
    # deleting an experiment, a creditor or a debtor still deletes its rows (on_delete).
    experiment = models.ForeignKey(
        Experiment,
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,
        db_constraint=False,
    )
    arm = models.ForeignKey(
        Arm, on_delete=models.CASCADE, related_name="assignments", db_constraint=False
    )
    creditor = models.ForeignKey(
        Creditor, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    bucket = models.PositiveIntegerField(_("bucket"))
    assigned_on = models.DateField(_("assigned on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("experiment assignment")
        verbose_name_plural = _("experiment assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "debtor"], name="assignment_one_per_experiment"
            ),
            # One arm at a time per debtor and creditor: the arm recorded on a row is unambiguous.
            models.UniqueConstraint(
                fields=["creditor", "debtor"],
                condition=Q(left_on__isnull=True),
                name="assignment_one_live_per_creditor",
            ),
        ]

    def __str__(self):
        return f"{self.debtor_id} → {self.arm_id}"


class ExperimentChange(models.Model):
    """Who did what to an experiment, when and why (created, started, arm stopped, promoted)."""

    class Action(models.TextChoices):
        CREATED = "created", pgettext_lazy("experiment change", "Created")
        STARTED = "started", pgettext_lazy("experiment change", "Started")
        ARM_STOPPED = "arm_stopped", pgettext_lazy("experiment change", "Arm stopped")
        STOPPED = "stopped", pgettext_lazy("experiment change", "Stopped")
        PROMOTED = "promoted", pgettext_lazy("experiment change", "Promoted")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="changes")
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    action = models.CharField(_("action"), max_length=15, choices=Action)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Automatic changes (a guard-rail) have no user.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("experiment change")
        verbose_name_plural = _("experiment changes")

    def __str__(self):
        return f"{self.experiment} {self.action}"
