"""A payment reversed (bounced transfer, chargeback, mistake) and what follows it.

The books (ledger.services.corrections) mark the payment reversed, record why and put its
allocations back on the debt; this module runs what the layers above add to it, in the same
transaction: a completed agreement it had paid becomes active again (agreements), promises it
kept are judged again, the debt leaves `paid` for where the ladder puts it today, a thank-you
not sent yet is withdrawn, and the apps above follow through
`collections_app.hooks.payment_reversed` (legal reopens its case).

Rows are locked in the order portfolio.services.locks documents: the payment's debt and every
debt an agreement binds to it (open ones, and the completed ones the payment counted toward),
in id order, then agreements. A payment and a reversal on the same debts therefore queue, and a
deadlock lost to a writer outside that order is run again (`atomic_with_retry`). Idempotent: a
reversed payment returns its reversal, whoever asks again (a replayed chargeback webhook, a
double click).
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from agreements.models import AgreementDebt, AgreementStatus
from agreements.services.allocation import agreements_after_payment
from agreements.services.reversals import (
    agreement_reversal_group,
    agreements_reopen_after_reversal,
    promises_after_reversal,
)
from collections_app import reasons
from collections_app.hooks import payment_reversed
from collections_app.services.cycle import debt_ladder_stage
from core.exceptions import ApplicationError
from core.reasons import Reason
from core.scoping import user_manages_creditor
from core.transactions import atomic_with_retry
from ledger.models import PaymentReversal, ReversalReason, ReversalSource
from ledger.services.corrections import payment_ledger_reverse
from messaging.services.thanks import payment_thanks_withdraw
from portfolio.models import Debt, Payment, Stage, StageChange
from portfolio.services.locks import debts_lock
from portfolio.services.stages import stage_change_record

NOTE_MAX = 5000


def reversal_reason_validate(reason: str) -> str:
    """The reason code when it is one Cartera knows, or ApplicationError."""
    value = (reason or "").strip()
    if value not in ReversalReason.values:
        raise ApplicationError(_("Choose the reason for the reversal."), field="reason")
    return value


def payment_user_can_reverse(*, user, payment: Payment) -> bool:
    """Admins, and managers of the payment's creditor, may reverse it."""
    return user_manages_creditor(user=user, creditor_id=payment.creditor_id)


@atomic_with_retry
def payment_reverse(
    *,
    payment_id: int,
    reason: str,
    note: str = "",
    source: str,
    user=None,
    business_date: datetime.date,
    provider_event_id: str = "",
) -> tuple[PaymentReversal, bool]:
    """Reverse one payment and what it moved (idempotent); (reversal, created)."""
    # Cheap checks first: a refused request never takes a lock.
    reason = reversal_reason_validate(reason)
    if source not in ReversalSource.values:
        raise ApplicationError(
            _("Unknown reversal source: %(source)s.") % {"source": source}, field="source"
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("The note is too long (%(max)s characters at most).") % {"max": NOTE_MAX},
            field="note",
        )
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        raise ApplicationError(_("Unknown payment."), field="payment")
    if user is not None and not payment_user_can_reverse(user=user, payment=payment):
        raise PermissionDenied(_("You may not reverse payments for this creditor."))

    debts = _lock_debts(payment)
    # Under the debt's lock every writer of this payment has committed or waits: a second
    # reversal of the same payment finds the first one here.
    existing = PaymentReversal.objects.filter(payment_id=payment.pk).first()
    if existing is not None:
        return existing, False
    payment.refresh_from_db()
    debt = debts[payment.debt_id]

    was_paid = debt.stage == Stage.PAID
    reversal = payment_ledger_reverse(
        payment=payment,
        debt=debt,
        reason=reason,
        note=note,
        source=source,
        business_date=business_date,
        user=user,
        provider_event_id=provider_event_id,
    )
    reopened = agreements_reopen_after_reversal(
        payment=payment, debts=debts, as_of=business_date, actor=user
    )
    if debt.stage == Stage.PAID:
        _reopen_paid(debt, payment=payment, reason=reason, as_of=business_date, user=user)
    if was_paid:
        # Not thanked for money that never arrived; the payment that pays it is thanked.
        payment_thanks_withdraw(debt_id=debt.pk)
    # Instalments and what each agreement has been paid, without the reversed payment.
    agreements_after_payment(debt_ids=sorted(debts), as_of=business_date)
    promises_after_reversal(payment=payment, as_of=business_date)
    touched = {debt.pk}
    if reopened:
        touched |= set(
            AgreementDebt.objects.filter(agreement_id__in=reopened).values_list(
                "debt_id", flat=True
            )
        )
    payment_reversed.call_all(debt_ids=sorted(touched), business_date=business_date)
    return reversal, True


def _lock_debts(payment: Payment) -> dict[int, Debt]:
    def group():
        return agreement_reversal_group(debt_id=payment.debt_id, payment_id=payment.pk)

    locked = debts_lock(group(), related=("debtor", "creditor"))
    # An agreement made between the read above and the lock may bind more debts: lock them
    # too (as payment_ledger_write does). Only that race locks out of order; the retry absorbs
    # a deadlock.
    missing = set(group()) - set(locked)
    if missing:
        locked.update(debts_lock(missing, related=("debtor", "creditor")))
    return locked


def _reopen_paid(debt: Debt, *, payment: Payment, reason: str, as_of, user) -> None:
    """A debt this payment had paid off is owed again: under its active agreement it is
    `current`; in court it stays in `legal`; otherwise where the ladder puts it today."""
    under_agreement = AgreementDebt.objects.filter(
        debt_id=debt.pk, is_open=True, agreement__status=AgreementStatus.ACTIVE
    ).exists()
    if under_agreement:
        target = Stage.CURRENT
    elif _stage_before_paid(debt) == Stage.LEGAL:
        # The ladder never moves a debt into or out of legal: a person decided it, and the
        # court case (reopened by legal's hook) goes on.
        target = Stage.LEGAL
    else:
        target = debt_ladder_stage(debt=debt, as_of=as_of)
    debt.reopen_after_reversal(target)
    stage_change_record(
        debt=debt,
        from_stage=Stage.PAID,
        transition_name="reopen_after_reversal",
        actor=user,
        as_of=as_of,
        reason=Reason(reasons.PAYMENT_REVERSED, {"reference": payment.reference, "reason": reason}),
    )


def _stage_before_paid(debt: Debt) -> str | None:
    return (
        StageChange.objects.filter(debt_id=debt.pk, to_stage=Stage.PAID)
        .order_by("-occurred_at", "-id")
        .values_list("from_stage", flat=True)
        .first()
    )
