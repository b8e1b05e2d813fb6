"""Debts and their stage machine (the escalation ladder)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.fsm import StateField
from core.models import TimeStampedModel
from portfolio.models.parties import MONEY, OPEN_STAGES, Creditor, Debtor, Portfolio, Product, Stage


def _is_manager(instance, user) -> bool:
    from core.roles import is_manager

    return is_manager(user)


def _balance_is_zero(instance) -> bool:
    return instance.balance == 0


def _legal_conditions_met(instance) -> bool:
    # The service evaluates the policy (DPD, minimum balance, notice period) for the business
    # date and leaves its verdict here; without it the transition is never available.
    check = getattr(instance, "_legal_check", None)
    return bool(check and check.allowed)


class Debt(FSMModelMixin, TimeStampedModel):
    """One obligation of a debtor to a creditor; its `stage` is the escalation ladder."""

    # FK indexes that a composite index already covers are left out (db_index=False).
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.PROTECT,
        related_name="debts",
        verbose_name=_("creditor"),
        db_index=False,
    )
    portfolio = models.ForeignKey(
        Portfolio,
        on_delete=models.PROTECT,
        related_name="debts",
        null=True,
        blank=True,
        verbose_name=_("portfolio"),
    )
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="debts", verbose_name=_("debtor")
    )
    debt_ref = models.CharField(_("debt reference"), max_length=64)
    product = models.CharField(_("product"), max_length=20, choices=Product)
    currency = models.CharField(_("currency"), max_length=3)
    original_amount = models.DecimalField(_("original amount"), **MONEY)
    principal = models.DecimalField(_("outstanding principal"), **MONEY)
    interest = models.DecimalField(_("outstanding interest"), default=0, **MONEY)
    fees = models.DecimalField(_("outstanding fees"), default=0, **MONEY)
    balance = models.DecimalField(_("balance"), **MONEY)
    due_date = models.DateField(
        _("due date"), help_text=_("When the oldest unpaid amount fell due.")
    )
    opened_date = models.DateField(_("opened date"), null=True, blank=True)
    # The contract's late interest rate (% a year, as the portfolio file gives it); the accrual
    # applies it up to the ceiling of the day (ledger.services.accrual), else the product's rule.
    contract_rate = models.DecimalField(
        _("contract late interest rate (% a year)"),
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
    )
    # Indexed only together with creditor / collector (see Meta): every extra index on `stage`
    # is paid on each of the cycle's bulk stage moves.
    # protected: the stage changes only through the transitions below (bulk code asks them
    # which moves are allowed and writes with set-based SQL plus a StageChange per move).
    stage = StateField(_("stage"), default=Stage.CURRENT, choices=Stage.choices, protected=True)
    stage_entered_at = models.DateTimeField(_("stage entered at"), null=True, blank=True)
    stage_entered_on = models.DateField(
        _("stage entered on (business date)"),
        null=True,
        blank=True,
        help_text=_("The business date of the last stage change; the cadence counts from it."),
    )
    # Reg F 12 CFR 1006.34 (US): when the validation notice of this debt was sent (set once, by
    # the send of its message) and the end of the validation period it announced.
    validation_notice_sent_at = models.DateTimeField(
        _("validation notice sent at"), null=True, blank=True
    )
    validation_period_ends_on = models.DateField(
        _("validation period ends on"), null=True, blank=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_debts",
        verbose_name=_("assigned collector"),
        db_index=False,
    )
    # The debt's segment lives in DebtSegment (a narrow side table the nightly job writes):
    # rewriting a million rows of this wide, many-indexed table for it cost minutes a night.
    history = HistoricalRecords(
        no_db_index=["creditor", "debtor", "portfolio", "assigned_to"],
        user_db_constraint=False,
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("debt")
        verbose_name_plural = _("debts")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "debt_ref"], name="debt_unique_ref"),
            # Round() changes nothing on PostgreSQL's exact numerics; it stays as migrated.
            models.CheckConstraint(
                condition=Q(balance=Round(F("principal") + F("interest") + F("fees"), 2)),
                name="debt_balance_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(principal__gte=0) & Q(interest__gte=0) & Q(fees__gte=0),
                name="debt_components_not_negative",
            ),
            models.CheckConstraint(condition=Q(original_amount__gt=0), name="debt_original_gt_0"),
        ]
        indexes = [
            models.Index(fields=["creditor", "stage"]),
            # A collector's work queue ranks every open case of theirs on each page view: with
            # the columns it filters and ranks by (and the id, debtor and creditor its
            # per-case subqueries use) in the index, that is an index-only scan of ~20 pages
            # instead of one heap page per case. It also serves every (assigned_to[, stage])
            # lookup the narrower index did. Only assigned debts are in it: every such lookup
            # names a collector (`assigned_to = x` implies the predicate), and a first import
            # (nothing assigned yet) neither builds nor maintains it for a million rows.
            models.Index(
                fields=["assigned_to", "stage", "balance", "due_date", "debtor", "creditor", "id"],
                name="debt_work_queue_idx",
                condition=Q(assigned_to__isnull=False),
            ),
            models.Index(fields=["due_date"]),
        ]

    def __str__(self):
        return f"{self.debt_ref} ({self.debtor})"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    def is_time_barred(self, as_of) -> bool:
        """Whether the debtor's state's limitation period has run out on `as_of` (US only)."""
        from portfolio.limitations import time_barred

        debtor = self.debtor
        return time_barred(
            country=debtor.country, region=debtor.region, due_date=self.due_date, as_of=as_of
        )

    def days_past_due(self, as_of) -> int:
        """Days past due on the business date `as_of` (never stored, so never stale)."""
        from core.dates import days_past_due

        if not self.is_open or self.balance <= 0:
            return 0
        return days_past_due(due_date=self.due_date, as_of=as_of)

    # The escalation ladder. Transitions only move the state; the services in
    # collections_app check the business date, write the StageChange record and lock rows.
    # `custom={"automatic": True}` marks the moves the daily cycle may make on its own; the
    # cycle derives its allowed (from, to) pairs from these declarations.
    @transition(
        field=stage,
        source=[Stage.CURRENT],
        target=Stage.FRIENDLY_REMINDER,
        custom={"automatic": True},
    )
    def start_friendly_reminders(self):
        """Days past due reached the policy's friendly-reminder threshold."""

    @transition(
        field=stage,
        source=[Stage.CURRENT, Stage.FRIENDLY_REMINDER],
        target=Stage.FIRM_NOTICE,
        custom={"automatic": True},
    )
    def send_firm_notice(self):
        """Days past due reached the policy's firm-notice threshold."""

    @transition(
        field=stage,
        source=[Stage.CURRENT, Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE],
        target=Stage.PRE_LEGAL,
        custom={"automatic": True},
    )
    def move_to_pre_legal(self):
        """Days past due reached the policy's pre-legal threshold."""

    @transition(
        field=stage,
        source=[Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL],
        target=Stage.CURRENT,
        custom={"automatic": True, "cure": True},
    )
    def cure(self):
        """The delinquency was cured: nothing is past due any more."""

    @transition(
        field=stage,
        source=[Stage.PRE_LEGAL],
        target=Stage.LEGAL,
        conditions=[_legal_conditions_met],
        permission=_is_manager,
    )
    def escalate_to_legal(self):
        """A manager hands the case to the legal team (policy DPD, balance and notice met)."""

    @transition(
        field=stage,
        source=list(OPEN_STAGES),
        target=Stage.PAID,
        conditions=[_balance_is_zero],
        custom={"automatic": True},
    )
    def mark_paid(self):
        """A payment brought the balance to zero."""

    @transition(field=stage, source=list(OPEN_STAGES), target=Stage.SETTLED)
    def settle(self):
        """An agreement with a discount was completed; the forgiven rest is recorded with it."""

    # Agreements: while an agreement is active the debt is restructured (`current`, ladder
    # frozen); when it breaks or is cancelled the debt returns to the stage it held before.
    @transition(
        field=stage, source=list(OPEN_STAGES), target=Stage.CURRENT, custom={"agreement": True}
    )
    def start_agreement(self):
        """A payment agreement became active on this debt."""

    @transition(
        field=stage,
        source=[Stage.CURRENT],
        target=RETURN_VALUE(*OPEN_STAGES),
        custom={"agreement": True},
    )
    def return_from_agreement(self, stage):
        """The agreement broke or was cancelled: back to the stage held when it began."""
        return stage

    @transition(
        field=stage,
        source=[Stage.PAID, Stage.SETTLED],
        target=RETURN_VALUE(*OPEN_STAGES),
    )
    def reopen_after_reversal(self, stage):
        """The payment that closed the debt was reversed: it is owed again, at `stage` (where
        the ladder puts it today, or `current` under the agreement it returns to)."""
        return stage

    @transition(
        field=stage,
        source=list(OPEN_STAGES),
        target=Stage.WRITTEN_OFF,
        permission=_is_manager,
    )
    def write_off(self):
        """A manager writes the debt off (castigo); a reason is required by the service."""


# A label per stage transition, for the places that show which one moved a debt (the raw
# method names are code, not words).
TRANSITION_LABELS = {
    "start_friendly_reminders": _("Friendly reminders started"),
    "send_firm_notice": _("Firm notice"),
    "move_to_pre_legal": _("Moved to pre-legal"),
    "cure": _("Delinquency cured"),
    "escalate_to_legal": _("Handed over to legal"),
    "mark_paid": _("Paid in full"),
    "settle": _("Settled through an agreement"),
    "start_agreement": _("Payment agreement started"),
    "return_from_agreement": _("Back from an agreement"),
    "write_off": _("Written off by a manager"),
    "reopen_after_reversal": _("Reopened: a payment was reversed"),
}


def transition_label(name: str) -> str:
    """The translated label of a stage transition (its name when it has none)."""
    label = TRANSITION_LABELS.get(name)
    return str(label) if label is not None else name
