"""Corrections to the books: payment reversals, write-offs, and money held in suspense."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMModelMixin, transition

from core.fsm import StateField
from portfolio.models import MONEY, Creditor, Debt, Debtor, Payment


class ReversalReason(models.TextChoices):
    BOUNCED = "bounced", _("Bounced or returned transfer")
    CHARGEBACK = "chargeback", _("Card chargeback")
    PROVIDER_REVERSAL = "provider_reversal", _("Reversed by the payment provider")
    WRONG_DEBT = "wrong_debt", _("Recorded on the wrong debt")
    DUPLICATE = "duplicate", _("Recorded twice")
    MISTAKE = "mistake", _("Entry mistake")


class ReversalSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    PROVIDER = "provider", _("Payment provider")


class PaymentReversal(models.Model):
    """A payment undone (bounced, charged back, a mistake): its allocations are put back."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("payment")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReversalReason)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ReversalSource)
    # A provider's chargeback event, so a replayed webhook reverses nothing twice.
    provider_event_id = models.CharField(_("provider event"), max_length=200, blank=True)
    business_date = models.DateField(_("business date"))
    reversed_at = models.DateTimeField(_("reversed at"), auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reversed by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-reversed_at", "-id"]
        verbose_name = _("payment reversal")
        verbose_name_plural = _("payment reversals")

    def __str__(self):
        return f"{self.payment_id} {self.reason}"


class WriteOffReason(models.TextChoices):
    UNCOLLECTIBLE = "uncollectible", _("Uncollectible after the collection effort")
    DECEASED = "deceased", _("Debtor deceased, no estate")
    INSOLVENCY = "insolvency", _("Insolvency proceedings")
    PRESCRIBED = "prescribed", _("Prescribed or time-barred")
    SMALL_BALANCE = "small_balance", _("Balance too small to pursue")
    FRAUD = "fraud", _("Identity fraud")
    REGULATORY = "regulatory", _("Provisioning rule (regulatory write-off)")
    OTHER = "other", _("Other")


class WriteOff(models.Model):
    """A debt taken off the creditor's books (castigo): what was owed when, and why.

    The debtor's obligation stays (a write-off extinguishes nothing): the debt keeps its
    components, contact stops with the stage, and a later payment is a recovery.
    """

    debt = models.OneToOneField(
        Debt, on_delete=models.PROTECT, related_name="write_off_record", verbose_name=_("debt")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=WriteOffReason)
    note = models.TextField(_("note"), blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    principal = models.DecimalField(_("principal"), **MONEY)
    interest = models.DecimalField(_("interest"), **MONEY)
    fees = models.DecimalField(_("fees"), **MONEY)
    amount = models.DecimalField(_("amount written off"), **MONEY)
    business_date = models.DateField(_("business date"))
    written_off_at = models.DateTimeField(_("written off at"), auto_now_add=True)
    written_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("written off by"),
    )  # fmt: skip

    class Meta:
        ordering = ["-written_off_at", "-id"]
        verbose_name = _("write-off")
        verbose_name_plural = _("write-offs")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=F("principal") + F("interest") + F("fees")),
                name="write_off_amount_is_sum",
            )
        ]

    def __str__(self):
        return f"{self.debt_id} {self.amount} {self.currency}"


class SuspenseReason(models.TextChoices):
    OVERPAYMENT = "overpayment", _("More than the balance")
    DEBT_CLOSED = "debt_closed", _("The debt was already paid or closed")
    UNKNOWN_REFERENCE = "unknown_reference", _("Unknown reference")
    CURRENCY = "currency", _("Another currency than the debt's")


class SuspenseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("suspense", "Open")
    RESOLVED = "resolved", pgettext_lazy("suspense", "Resolved")


class SuspenseItem(FSMModelMixin, models.Model):
    """Money received that could not be applied: held per creditor until applied or refunded."""

    creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, related_name="suspense_items", db_index=False
    )
    # Who and what it came for, when known (an unknown reference names neither).
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, null=True, blank=True, related_name="suspense_items"
    )
    debt = models.ForeignKey(
        Debt, on_delete=models.PROTECT, null=True, blank=True, related_name="suspense_items"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    received_at = models.DateTimeField(_("received at"))
    business_date = models.DateField(_("business date"))
    # The payer's reference: the idempotency key of what was received, unique per creditor.
    reference = models.CharField(_("reference"), max_length=100)
    quoted_reference = models.CharField(_("reference quoted by the payer"), max_length=100,
                                        blank=True)  # fmt: skip
    method = models.CharField(_("method"), max_length=20, choices=Payment.Method)
    source = models.CharField(_("source"), max_length=10, choices=Payment.Source)
    reason = models.CharField(_("reason"), max_length=20, choices=SuspenseReason)
    # The payments file that held it (imports.ImportBatch, a plain id: imports sits above).
    import_batch_id = models.BigIntegerField(_("payments file"), null=True, blank=True)
    applied_amount = models.DecimalField(_("applied"), default=0, **MONEY)
    refunded_amount = models.DecimalField(_("refunded"), default=0, **MONEY)
    status = StateField(_("status"), default=SuspenseStatus.OPEN, choices=SuspenseStatus.choices,
                      protected=True)  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("suspense item")
        verbose_name_plural = _("suspense items")
        constraints = [
            models.UniqueConstraint(fields=["creditor", "reference"], name="suspense_reference"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="suspense_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(applied_amount__gte=0)
                & Q(refunded_amount__gte=0)
                & Q(amount__gte=F("applied_amount") + F("refunded_amount")),
                name="suspense_not_overdrawn",
            ),
        ]
        indexes = [
            models.Index(fields=["creditor", "status", "received_at"]),
            models.Index(
                fields=["import_batch_id"],
                condition=Q(import_batch_id__isnull=False),
                name="suspense_import_batch_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.amount} {self.currency}"

    @property
    def remaining(self):
        return self.amount - self.applied_amount - self.refunded_amount

    @transition(field=status, source=SuspenseStatus.OPEN, target=SuspenseStatus.RESOLVED)
    def resolve(self):
        """Nothing is left: every unit was applied to a debt or refunded."""


class SuspenseMovement(models.Model):
    """One use of suspense money: applied to a debt (a payment), or refunded to the payer."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied to a debt")
        REFUNDED = "refunded", _("Refunded")

    item = models.ForeignKey(SuspenseItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    amount = models.DecimalField(_("amount"), **MONEY)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="from_suspense"
    )
    refund_reference = models.CharField(_("refund reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    business_date = models.DateField(_("business date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("suspense movement")
        verbose_name_plural = _("suspense movements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="suspense_movement_gt_0"),
            models.CheckConstraint(
                condition=Q(kind="applied", payment__isnull=False)
                | Q(kind="refunded", payment__isnull=True) & ~Q(refund_reference=""),
                name="suspense_movement_has_its_record",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount}"
