"""Segmentation: segment definitions with ordered rules, the debtor behaviour score, changes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

MONEY = {"max_digits": 18, "decimal_places": 2}

# Aging buckets by days past due, in ladder order (same keys as portfolio.filters.AGING_BUCKETS).
AGING_BUCKET_CHOICES = [
    ("current", _("Current")),
    ("1-30", _("1-30 days")),
    ("31-60", _("31-60 days")),
    ("61-90", _("61-90 days")),
    ("91-180", _("91-180 days")),
    ("181-360", _("181-360 days")),
    ("360+", _("More than 360 days")),
]


class PaymentBehaviour(models.TextChoices):
    ANY = "", _("Any")
    PAID_30 = "paid_30", _("Paid in the last 30 days")
    PAID_90 = "paid_90", _("Paid in the last 90 days")
    NOT_PAID_90 = "not_paid_90", _("No payment in the last 90 days")
    PARTIAL_PAYER = "partial_payer", _("Partial payer (paid something, still owes)")
    NEVER_PAID = "never_paid", _("Never paid")
    # Evaluate to false until the agreements tables exist (issue #5): see docs/segments.md.
    BROKEN_PROMISE = "broken_promise", _("Broke a promise to pay")
    BROKEN_AGREEMENT = "broken_agreement", _("Broke a payment agreement")


class SegmentDefinition(TimeStampedModel):
    """A segment: a named strategy group, for one creditor or for all (creditor empty)."""

    creditor = models.ForeignKey(
        "portfolio.Creditor",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="segments",
        verbose_name=_("creditor"),
        help_text=_("Empty: applies to every creditor."),
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Escalation policies of a creditor with this segment code apply to it."),
    )
    name = models.CharField(_("name"), max_length=120)
    strategy = models.TextField(
        _("strategy"), blank=True, help_text=_("What the team does with these debts.")
    )
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are evaluated first.")
    )
    is_catch_all = models.BooleanField(
        _("catch-all"),
        default=False,
        help_text=_("Gets every debt no rule catches; exactly one exists and it has no rules."),
    )
    field_visits = models.BooleanField(
        _("field visits"),
        default=False,
        help_text=_(
            "Each debt of the segment gets a field-visit task for its collector, where the "
            "debtor's jurisdiction allows visits (none in Colombia: CO-VISIT)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "code"],
                condition=Q(creditor__isnull=False),
                name="segment_unique_code_per_creditor",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(creditor__isnull=True), name="segment_unique_global"
            ),
            models.UniqueConstraint(
                fields=["is_catch_all"], condition=Q(is_catch_all=True), name="one_catch_all"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class SegmentRule(models.Model):
    """One way into a segment; every condition left empty matches anything."""

    segment = models.ForeignKey(
        SegmentDefinition, on_delete=models.CASCADE, related_name="rules", verbose_name=_("segment")
    )
    position = models.PositiveIntegerField(_("order"), default=1)
    aging_buckets = models.JSONField(_("aging buckets"), default=list, blank=True)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("Required for a balance band.")
    )
    balance_min = models.DecimalField(_("balance from"), null=True, blank=True, **MONEY)
    balance_max = models.DecimalField(_("balance up to"), null=True, blank=True, **MONEY)
    products = models.JSONField(_("products"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    payment_behaviour = models.CharField(
        _("payment behaviour"), max_length=20, choices=PaymentBehaviour, blank=True
    )
    score_min = models.PositiveSmallIntegerField(_("score from"), null=True, blank=True)
    score_max = models.PositiveSmallIntegerField(_("score up to"), null=True, blank=True)

    class Meta:
        ordering = ["segment__priority", "segment_id", "position", "id"]
        verbose_name = _("segment rule")
        verbose_name_plural = _("segment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(score_min__isnull=True) | Q(score_min__lte=100),
                name="segment_rule_score_min_range",
            ),
            models.CheckConstraint(
                condition=Q(score_max__isnull=True) | Q(score_max__lte=100),
                name="segment_rule_score_max_range",
            ),
        ]

    def __str__(self):
        return f"{self.segment.code} #{self.position}"


class BehaviourScore(models.Model):
    """A debtor's behaviour score (0-100) with its top reasons, written by the nightly job.

    No database foreign key: the job upserts up to a million rows a night with ids it read in
    the same transaction, the ORM cascades a debtor's deletion, and the per-row check (a
    lock on each debtor row) cost more than the write itself.
    """

    debtor = models.OneToOneField(
        "portfolio.Debtor",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="behaviour_score",
        verbose_name=_("debtor"),
        db_constraint=False,
    )
    score = models.PositiveSmallIntegerField(_("score"))
    # "component=points;..." largest first: compact, and cheap to compare in bulk.
    reasons = models.CharField(_("reasons"), max_length=255, blank=True)
    as_of = models.DateField(_("computed for"))

    class Meta:
        ordering = ["debtor_id"]
        verbose_name = _("behaviour score")
        verbose_name_plural = _("behaviour scores")
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="behaviour_score_range")
        ]

    def __str__(self):
        return f"{self.debtor_id}: {self.score}"


class DebtSegment(models.Model):
    """The segment a debt is in now, written by the nightly job (only rows that changed).

    A narrow side table rather than a column of the debt: the first night assigns every open
    debt, and rewriting that wide table (and each of its indexes) for it took minutes.
    Deleting a segment deletes its rows: those debts are unsegmented until the next run.

    No database foreign keys (like BehaviourScore): the job writes ids it read in the same
    transaction, the ORM cascades deletes, and checking a million rows one by one (a row
    lock on each debt) was half of the first night's write.
    """

    debt = models.OneToOneField(
        "portfolio.Debt",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="segment_state",
        verbose_name=_("debt"),
        db_constraint=False,
    )
    segment = models.ForeignKey(
        SegmentDefinition,
        on_delete=models.CASCADE,
        related_name="debt_states",
        verbose_name=_("segment"),
        db_constraint=False,
    )
    assigned_on = models.DateField(_("in this segment since"))

    class Meta:
        ordering = ["debt_id"]
        verbose_name = _("debt segment")
        verbose_name_plural = _("debt segments")

    def __str__(self):
        return f"{self.debt_id}: {self.segment_id}"


class SegmentChange(models.Model):
    """A debt moved from one segment to another on a business date (only changes are kept).

    With the debt's cut (creditor, portfolio, collector, currency) on that date, like the
    snapshot tables: the dashboard counts migrations without reading the debt table.
    """

    debt = models.ForeignKey(
        "portfolio.Debt", on_delete=models.CASCADE, related_name="segment_changes", db_index=False
    )
    creditor = models.ForeignKey(
        "portfolio.Creditor", on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    portfolio = models.ForeignKey(
        "portfolio.Portfolio",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    from_segment = models.ForeignKey(
        SegmentDefinition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_segment = models.ForeignKey(
        SegmentDefinition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    as_of = models.DateField(_("business date"))

    class Meta:
        ordering = ["-as_of", "debt_id"]
        verbose_name = _("segment change")
        verbose_name_plural = _("segment changes")
        constraints = [
            models.UniqueConstraint(fields=["debt", "as_of"], name="segment_change_once_a_day")
        ]
        indexes = [models.Index(fields=["as_of", "creditor"])]

    def __str__(self):
        return f"{self.debt_id}: {self.from_segment_id} → {self.to_segment_id} ({self.as_of})"


class NightlyRun(models.Model):
    """One run of the nightly segmentation and KPI snapshot job for a business date."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    as_of = models.DateField(_("business date"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    debts = models.PositiveIntegerField(_("debts segmented"), default=0)
    segment_changes = models.PositiveIntegerField(_("segment changes"), default=0)
    scores_written = models.PositiveIntegerField(_("scores written"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("nightly run")
        verbose_name_plural = _("nightly runs")

    def __str__(self):
        return f"{self.as_of} {self.status}"
