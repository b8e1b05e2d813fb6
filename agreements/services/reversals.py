"""A payment reversed: the agreements it had completed and the promises it had kept follow.

Called by collections_app.services.reversals.payment_reverse, in its transaction, after the
payment was marked reversed, with the debts already locked (portfolio.services.locks); the
agreements are locked here, after them.

Forgiveness: a completed agreement forgave the rest of its debts (a `Forgiveness` row and a
`forgiveness` ledger entry per debt). Undoing it posts an `adjustment` entry that puts the same
components back, and deletes the Forgiveness rows: they say what an agreement *forgave*, and it
forgave nothing after all; the ledger keeps both movements (forgiveness, then adjustment, each
with the agreement as its source), so the statement still shows what happened and when. A
later completion of the same agreement writes its rows again (one per agreement and debt).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from agreements import reasons
from agreements.models import (
    AgreementDebt,
    AgreementStatus,
    Forgiveness,
    Instalment,
    PaymentAgreement,
    PromiseToPay,
)
from agreements.services.allocation import agreement_debt_group, paid_up, payment_streams
from agreements.services.cycle import promise_broken_tasks
from agreements.services.lifecycle import change_record
from core.reasons import Reason
from ledger.models import EntryKind, LedgerEntry
from ledger.services.entries import entry_post
from portfolio.models import Debt, Payment, Stage
from portfolio.services.stages import stage_change_record


def _completed_with(*, debt_id: int, payment_id: int):
    """Completed agreements on the debt that a payment with this id counted toward."""
    return PaymentAgreement.objects.filter(
        status=AgreementStatus.COMPLETED, lines__debt_id=debt_id, ledger_mark__lt=payment_id
    )


def agreement_reversal_group(*, debt_id: int, payment_id: int) -> list[int]:
    """The debts to lock to reverse a payment on `debt_id`: those an open agreement binds to
    it, and those of the completed agreements the payment counted toward (it may reopen them)."""
    completed = _completed_with(debt_id=debt_id, payment_id=payment_id).values("pk")
    ids = set(
        AgreementDebt.objects.filter(agreement_id__in=completed).values_list("debt_id", flat=True)
    )
    return sorted(ids | set(agreement_debt_group(debt_id)))


def agreements_reopen_after_reversal(
    *, payment: Payment, debts: dict[int, Debt], as_of: datetime.date, actor=None
) -> list[int]:
    """Completed agreements not paid up without the reversed `payment` become active again:
    the forgiven rest is owed again, settled debts return to `current`, instalments reopen.

    `debts` are the locked debts (agreement_reversal_group); returns the agreements reopened.
    Instalments and `paid_amount` are recomputed by the caller (agreements_after_payment).
    """
    agreements = list(
        PaymentAgreement.objects.select_for_update(of=("self",))
        .filter(pk__in=_completed_with(debt_id=payment.debt_id, payment_id=payment.pk).values("pk"))
        .order_by("pk")
    )
    if not agreements:
        return []
    debts_of: dict[int, list[int]] = defaultdict(list)
    for agreement_id, debt_id in AgreementDebt.objects.filter(
        agreement_id__in=[a.pk for a in agreements]
    ).values_list("agreement_id", "debt_id"):
        debts_of[agreement_id].append(debt_id)
    streams = payment_streams(agreements, debts_of=debts_of)
    reopened = []
    for agreement in agreements:
        if paid_up(agreement, streams[agreement.pk]):
            continue  # paid up without this payment too (an early total, say)
        _reopen(agreement, payment=payment, debts=debts, as_of=as_of, actor=actor)
        reopened.append(agreement.pk)
    return reopened


def _reopen(agreement, *, payment: Payment, debts: dict[int, Debt], as_of, actor) -> None:
    params = {"reference": payment.reference, "id": agreement.pk}
    forgiven = list(Forgiveness.objects.filter(agreement=agreement).order_by("debt_id"))
    # What each debt's forgiveness entry took off, per component (entries are negative).
    taken = {
        row["debt_id"]: row
        for row in LedgerEntry.objects.filter(
            kind=EntryKind.FORGIVENESS,
            source_id=agreement.pk,
            debt_id__in=[f.debt_id for f in forgiven],
        )
        .values("debt_id")
        .annotate(principal=Sum("principal"), interest=Sum("interest"), fees=Sum("fees"))
    }
    for forgiveness in forgiven:
        debt = debts[forgiveness.debt_id]
        row = taken.get(debt.pk)
        if row is not None:
            principal, interest, fees = -row["principal"], -row["interest"], -row["fees"]
        else:  # forgiven before the ledger existed: the amount, as principal
            principal, interest, fees = forgiveness.amount, Decimal(0), Decimal(0)
        entry_post(
            debt=debt,
            kind=EntryKind.ADJUSTMENT,
            posted_on=as_of,
            principal=principal,
            interest=interest,
            fees=fees,
            source_id=agreement.pk,
            user=actor,
            memo=f"forgiveness undone: agreement {agreement.pk}, payment {payment.reference}",
        )
        debt.principal += principal
        debt.interest += interest
        debt.fees += fees
        debt.balance = debt.principal + debt.interest + debt.fees
        components = ["principal", "interest", "fees", "balance", "updated_at"]
        if debt.stage == Stage.SETTLED:
            # Under the agreement again: restructured, the ladder frozen (as when it began).
            debt.reopen_after_reversal(Stage.CURRENT)
            stage_change_record(
                debt=debt,
                from_stage=Stage.SETTLED,
                transition_name="reopen_after_reversal",
                actor=actor,
                as_of=as_of,
                reason=Reason(reasons.FORGIVENESS_UNDONE, params),
                update_fields=components,
            )
        else:
            debt.save(update_fields=components)
    Forgiveness.objects.filter(agreement=agreement).delete()
    agreement.reopen()
    agreement.ended_on = None
    agreement.save(update_fields=["status", "ended_on", "updated_at"])
    AgreementDebt.objects.filter(agreement=agreement).update(is_open=True)
    # Completion cancelled what was left unpaid; nothing else cancels an active agreement's
    # instalments, so these are exactly the ones to reopen (the recompute sets their status).
    agreement.instalments.filter(status=Instalment.Status.CANCELLED).update(
        status=Instalment.Status.PENDING
    )
    change_record(
        agreement=agreement,
        from_status=AgreementStatus.COMPLETED,
        actor=actor,
        reason=Reason(reasons.REOPENED, params),
        as_of=as_of,
    )


def promises_after_reversal(*, payment: Payment, as_of: datetime.date) -> list[int]:
    """Promises the reversed `payment` helped keep, and no longer kept without it: pending
    again while their date (and grace) has not passed, else broken (with the collector's task,
    as the daily cycle does). Returns the promises changed."""
    changed = []
    broken = []
    promises = (
        PromiseToPay.objects.select_for_update(of=("self",))
        .select_related("debt")
        .filter(debt_id=payment.debt_id, status=PromiseToPay.Status.KEPT)
        .filter(ledger_mark__lt=payment.pk, resolved_on__isnull=False)
        .order_by("pk")
    )
    for promise in promises:
        # The cycle judged it on `resolved_on` from the payments made before that day began.
        cutoff = timezone.make_aware(
            datetime.datetime.combine(promise.resolved_on, datetime.time.min)
        )
        if payment.paid_at >= cutoff:
            continue
        total = Payment.objects.filter(
            debt_id=promise.debt_id,
            pk__gt=promise.ledger_mark,
            paid_at__lt=cutoff,
            reversed_at__isnull=True,
        ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if total >= promise.amount:
            continue
        promise.paid_amount = min(total, promise.amount)
        due = promise.promised_date + datetime.timedelta(days=promise.grace_days)
        other_pending = (
            PromiseToPay.objects.filter(debt_id=promise.debt_id, status=PromiseToPay.Status.PENDING)
            .exclude(pk=promise.pk)
            .exists()
        )
        if due >= as_of and not other_pending:
            promise.status = PromiseToPay.Status.PENDING
            promise.resolved_on = None
        else:
            promise.status = PromiseToPay.Status.BROKEN
            promise.resolved_on = as_of
            broken.append(promise)
        promise.save(update_fields=["status", "paid_amount", "resolved_on", "updated_at"])
        changed.append(promise.pk)
    promise_broken_tasks(
        [
            (
                p.pk,
                p.debt_id,
                p.amount,
                p.currency,
                p.promised_date,
                p.debt.assigned_to_id,
                p.debt.stage,
            )
            for p in broken
        ],
        business_date=as_of,
    )
    return changed
