"""The ledger: every movement of a debt's principal, interest and fees, one signed row each.

A debt's components are the balance brought forward (what the creditor handed over, and what
imports set) plus the sum of its entries. Rows are only ever added: a correction is a new entry
(a reversal), never an edit. A write-off is no entry: the debtor still owes what they owed
(recoveries after it are payments of kind `recovery`); ledger.models.WriteOff records what the
creditor took off its books, and when. Keys to the debt, creditor and payment are unchecked
(`db_constraint=False`, as DebtSegment): the accrual inserts a million rows a night, and those
rows are only ever written from the rows they name.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.models import MONEY, Creditor, Debt, Payment


class EntryKind(models.TextChoices):
    ACCRUAL = "accrual", _("Late interest accrued")
    FEE = "fee", _("Collection fee")
    COST = "cost", _("Legal costs charged")
    PAYMENT = "payment", _("Payment applied")
    RECOVERY = "recovery", _("Recovery after write-off")
    REVERSAL = "reversal", _("Payment reversed")
    FORGIVENESS = "forgiveness", _("Forgiven in a settlement")
    ADJUSTMENT = "adjustment", _("Adjustment")


# Entries that move money in (a payment, a recovery) and the one that takes it back.
COLLECTED_KINDS = (EntryKind.PAYMENT, EntryKind.RECOVERY)


class LedgerEntry(models.Model):
    """One movement of one debt, signed per component: +accrues, -reduces what is owed."""

    debt = models.ForeignKey(
        Debt,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="ledger_entries",
        verbose_name=_("debt"),
        db_index=False,  # covered by (debt, posted_on, id)
    )
    creditor = models.ForeignKey(
        Creditor,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("creditor"),
        db_index=False,  # covered by (creditor, posted_on)
    )
    currency = models.CharField(_("currency"), max_length=3)
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind)
    posted_on = models.DateField(_("business date"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    principal = models.DecimalField(_("principal"), default=0, **MONEY)
    interest = models.DecimalField(_("interest"), default=0, **MONEY)
    fees = models.DecimalField(_("fees"), default=0, **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("payment"),
        db_index=False,  # partial unique index below
    )
    # The debt's stage and days past due when the entry was posted: a commission by stage or
    # age bucket, and a collection fee per stage, read them as they were.
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    days_past_due = models.IntegerField(_("days past due"), null=True, blank=True)
    # Accrual: the annual rate applied (percent) and whether a ceiling cut the contract's.
    rate = models.DecimalField(_("rate applied (% a year)"), max_digits=9, decimal_places=4,
                               null=True, blank=True)  # fmt: skip
    rate_capped = models.BooleanField(_("capped at the ceiling"), default=False)
    # The record that caused it (a reversal, write-off, suspense item, forgiveness), by id.
    source_id = models.BigIntegerField(_("source record"), null=True, blank=True)
    user_id = models.BigIntegerField(_("recorded by"), null=True, blank=True)
    memo = models.CharField(_("memo"), max_length=255, blank=True)

    class Meta:
        ordering = ["posted_on", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount=F("principal") + F("interest") + F("fees")),
                name="ledger_entry_amount_is_sum",
            ),
            # A day accrues once per debt: a replayed accrual inserts nothing.
            models.UniqueConstraint(
                fields=["debt", "posted_on"],
                condition=Q(kind="accrual"),
                name="ledger_accrual_once_a_day",
            ),
            # A collection fee once per debt and stage.
            models.UniqueConstraint(
                fields=["debt", "stage"], condition=Q(kind="fee"), name="ledger_fee_once_a_stage"
            ),
            # A payment is applied once and reversed at most once.
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(payment__isnull=False),
                name="ledger_payment_entry_once",
            ),
        ]
        indexes = [
            models.Index(fields=["debt", "posted_on", "id"], name="ledger_debt_posted_idx"),
            models.Index(fields=["creditor", "posted_on"], name="ledger_creditor_posted_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.posted_on})"
