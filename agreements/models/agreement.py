"""Payment agreements: terms, the debts they cover, the schedule, the change record."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from core.models import TimeStampedModel
from core.reasons import reason_text
from portfolio.models import MONEY, Creditor, Debt, Debtor, Stage


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    ACTIVE = "active", _("Active")
    # An agreement's own words in Spanish ("acuerdo": completado, cancelado, rechazado), apart
    # from the same English words said of an instalment, a run or a count of rows.
    COMPLETED = "completed", pgettext_lazy("agreement", "Completed")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", pgettext_lazy("agreement", "Cancelled")
    REJECTED = "rejected", pgettext_lazy("agreement", "Rejected")


# While in one of these, the agreement holds its debts: no second one may be opened on them.
OPEN_STATUSES = (AgreementStatus.DRAFT, AgreementStatus.PENDING_APPROVAL, AgreementStatus.ACTIVE)


class NegotiationChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    PORTAL = "portal", _("Debtor portal")
    API = "api", _("API")


class PaymentAgreement(FSMModelMixin, TimeStampedModel):
    """An agreement on one or more debts of one debtor in one currency."""

    class Kind(models.TextChoices):
        INSTALMENT_PLAN = "instalment_plan", _("Instalment plan")
        SETTLEMENT = "settlement", _("Settlement (discounted)")
        RESTRUCTURING = "restructuring", _("Restructuring")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Fortnightly")
        MONTHLY = "monthly", _("Monthly")

    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="agreements")
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="agreements")
    debts = models.ManyToManyField(Debt, through="AgreementDebt", related_name="agreements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    status = StateField(
        _("status"), default=AgreementStatus.DRAFT, choices=AgreementStatus.choices, protected=True
    )
    currency = models.CharField(_("currency"), max_length=3)
    balance_at_start = models.DecimalField(_("balance when agreed"), **MONEY)
    interest_waived = models.DecimalField(_("interest waived"), default=0, **MONEY)
    fees_waived = models.DecimalField(_("fees waived"), default=0, **MONEY)
    discount_amount = models.DecimalField(
        _("total forgiven"), help_text=_("Balance minus the agreed total."), **MONEY
    )
    discount_pct = models.DecimalField(_("forgiven %"), max_digits=5, decimal_places=2)
    agreed_total = models.DecimalField(_("agreed total"), **MONEY)
    down_payment = models.DecimalField(_("down payment"), default=0, **MONEY)
    instalment_count = models.PositiveIntegerField(_("instalments"))
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency)
    first_due_date = models.DateField(_("first due date"))
    grace_days = models.PositiveIntegerField(_("grace days"), default=5)
    early_total = models.DecimalField(
        _("early-payment total"),
        null=True,
        blank=True,
        help_text=_("Paying this much by the early-payment date settles the agreement."),
        **MONEY,
    )
    early_deadline = models.DateField(_("early-payment date"), null=True, blank=True)
    channel = models.CharField(_("negotiated through"), max_length=12, choices=NegotiationChannel)
    # The terms say whether late interest stops while the agreement is active (the default):
    # the ledger's accrual leaves its debts out (ledger.hooks.accrual_frozen_sql).
    accrual_frozen = models.BooleanField(_("late interest frozen while active"), default=True)
    # The experiment arm (experiments.Arm) the debtor was in when it was agreed, if any.
    experiment_arm_id = models.BigIntegerField(_("experiment arm"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_on = models.DateField(_("proposed on (business date)"))
    approval_reasons = models.JSONField(_("why approval is needed"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    # The highest payment id on the agreement's debts at activation (under their row locks):
    # exactly the payments after it count toward the schedule, however they arrive.
    ledger_mark = models.BigIntegerField(_("ledger mark"), default=0)
    paid_amount = models.DecimalField(_("paid toward the agreement"), default=0, **MONEY)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment agreement")
        verbose_name_plural = _("payment agreements")
        indexes = [models.Index(fields=["creditor", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(agreed_total__gt=0) & Q(agreed_total__lte=F("balance_at_start")),
                name="agreement_total_within_balance",
            ),
            models.CheckConstraint(
                condition=Q(down_payment__gte=0) & Q(down_payment__lt=F("agreed_total")),
                name="agreement_down_payment_below_total",
            ),
            models.CheckConstraint(
                condition=Q(instalment_count__gte=1), name="agreement_at_least_one_instalment"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.agreed_total} {self.currency}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def approval_reason_messages(self) -> list[str]:
        from agreements.services.terms import approval_messages

        return approval_messages(self.approval_reasons)

    @property
    def approval_limits(self) -> list[dict]:
        """The negotiation limits these terms break (code, name, message), translated."""
        from agreements.services.terms import approval_limits

        return approval_limits(self.approval_reasons)

    @property
    def remaining(self):
        return max(self.agreed_total - self.paid_amount, 0)

    # The life of an agreement. Transitions only move the status; services lock rows and
    # write the AgreementChange record, the debts' stage moves and the contact actions.
    @transition(field=status, source=AgreementStatus.DRAFT, target=AgreementStatus.PENDING_APPROVAL)
    def submit_for_approval(self):
        """Beyond the proposer's limits: a manager of the creditor must decide."""

    @transition(
        field=status,
        source=[AgreementStatus.DRAFT, AgreementStatus.PENDING_APPROVAL],
        target=AgreementStatus.ACTIVE,
    )
    def activate(self):
        """Within limits, or approved by a manager."""

    @transition(
        field=status, source=AgreementStatus.PENDING_APPROVAL, target=AgreementStatus.REJECTED
    )
    def reject(self):
        """A manager refused the terms (a reason is required)."""

    @transition(field=status, source=AgreementStatus.ACTIVE, target=AgreementStatus.COMPLETED)
    def complete(self):
        """The agreed total (or the early-payment total in time) was paid."""

    @transition(field=status, source=AgreementStatus.COMPLETED, target=AgreementStatus.ACTIVE)
    def reopen(self):
        """The payment that completed it was reversed: it is not paid up after all."""

    @transition(field=status, source=AgreementStatus.ACTIVE, target=AgreementStatus.BROKEN)
    def break_agreement(self):
        """An instalment stayed unpaid past the grace days (the daily cycle decides)."""

    @transition(
        field=status,
        source=[AgreementStatus.DRAFT, AgreementStatus.PENDING_APPROVAL, AgreementStatus.ACTIVE],
        target=AgreementStatus.CANCELLED,
    )
    def cancel(self):
        """Withdrawn by the collector or a manager (a reason is required)."""


class AgreementDebt(models.Model):
    """One debt of an agreement: its stage and balance when the agreement began, its share."""

    agreement = models.ForeignKey(PaymentAgreement, on_delete=models.CASCADE, related_name="lines")
    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="agreement_lines")
    stage_at_start = models.CharField(_("stage when agreed"), max_length=20, choices=Stage)
    balance_at_start = models.DecimalField(_("balance when agreed"), **MONEY)
    share = models.DecimalField(_("share of the agreed total"), **MONEY)
    # Mirrors "the agreement is open" so the database itself refuses a second open agreement
    # on the same debt (a partial unique index cannot look at the agreement's status).
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["agreement_id", "debt_id"]
        verbose_name = _("agreement debt")
        verbose_name_plural = _("agreement debts")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "debt"], name="agreement_debt_unique"),
            models.UniqueConstraint(
                fields=["debt"], condition=Q(is_open=True), name="one_open_agreement_per_debt"
            ),
        ]

    def __str__(self):
        return f"{self.agreement_id} / {self.debt_id}"


class Instalment(models.Model):
    """One due amount of the schedule. Number 0 is the down payment (when there is one)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PARTIAL = "partial", _("Partly paid")
        PAID = "paid", _("Paid")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    agreement = models.ForeignKey(
        PaymentAgreement, on_delete=models.CASCADE, related_name="instalments"
    )
    number = models.PositiveIntegerField(_("number"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_amount = models.DecimalField(_("paid"), default=0, **MONEY)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)

    class Meta:
        ordering = ["agreement_id", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="instalment_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("amount")),
                name="instalment_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["due_date", "status"])]

    def __str__(self):
        return f"{self.agreement_id} #{self.number} {self.due_date} {self.amount}"

    @property
    def outstanding(self):
        return self.amount - self.paid_amount

    @property
    def is_down_payment(self) -> bool:
        return self.number == 0


class AgreementChange(models.Model):
    """Every status change of an agreement: who (or the cycle), why, on which business date."""

    agreement = models.ForeignKey(
        PaymentAgreement, on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=AgreementStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=AgreementStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system (payments, the daily cycle) made the change."),
    )
    # What a person typed; a reason the code wrote is a code and its params (core.reasons).
    reason = models.TextField(_("reason"), blank=True)
    reason_code = models.CharField(_("reason code"), max_length=60, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)
    business_date = models.DateField(_("business date"))
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True)

    class Meta:
        ordering = ["agreement_id", "occurred_at", "id"]
        verbose_name = _("agreement change")
        verbose_name_plural = _("agreement changes")

    def __str__(self):
        return f"{self.agreement_id}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else str(_("system"))

    @property
    def reason_display(self) -> str:
        """The reason in the active language."""
        return reason_text(self.reason_code, self.reason_params, fallback=self.reason)


class Forgiveness(models.Model):
    """Condonación: what a completed agreement forgave on one debt, and who approved it."""

    agreement = models.ForeignKey(
        PaymentAgreement, on_delete=models.PROTECT, related_name="forgiveness"
    )
    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="forgiveness")
    amount = models.DecimalField(_("amount forgiven"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        help_text=_("The manager who approved the terms, or the proposer within limits."),
    )
    business_date = models.DateField(_("business date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-business_date", "-id"]
        verbose_name = _("forgiveness")
        verbose_name_plural = _("forgiveness records")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "debt"], name="forgiveness_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="forgiveness_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} on {self.debt_id}"
