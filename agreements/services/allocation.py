"""Payments → instalments: one idempotent recompute from the ledger, for both payment paths.

`payment_record` (one payment) and the payments file import (set-based) both call
`agreements_after_payment` after their write, in the same transaction. The recompute reads
every payment on the agreement's debts above its ledger mark, in (paid_at, id) order, and
fills the instalments in number order, so a replay, a retry or a race gives the same result.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from agreements import reasons
from agreements.hooks import agreement_completed
from agreements.models import (
    AgreementDebt,
    AgreementStatus,
    Forgiveness,
    Instalment,
    PaymentAgreement,
)
from agreements.services.lifecycle import change_record, close_lines, lock_debts
from agreements.services.notices import notices_insert
from core.reasons import Reason
from ledger.models import EntryKind
from ledger.services.entries import entry_post
from portfolio.models import Payment
from portfolio.services.stages import stage_change_record

LIVE = (AgreementStatus.PENDING_APPROVAL, AgreementStatus.ACTIVE)


def agreement_debt_group(debt_id: int) -> list[int]:
    """The debt and every debt sharing an open agreement with it (to lock them in id order)."""
    agreements = AgreementDebt.objects.filter(debt_id=debt_id, is_open=True).values("agreement_id")
    ids = set(
        AgreementDebt.objects.filter(agreement_id__in=agreements).values_list("debt_id", flat=True)
    )
    return sorted(ids | {debt_id})


def agreements_after_payment(*, debt_ids, as_of: datetime.date | None = None) -> list[int]:
    """Recompute the open agreements on these debts after payments were written."""
    debt_ids = list(debt_ids)
    open_lines = AgreementDebt.objects.filter(is_open=True)
    if len(debt_ids) <= 1000:
        ids = set(open_lines.filter(debt_id__in=debt_ids).values_list("agreement_id", flat=True))
    else:
        # A big payments file: open agreement lines are few, so intersect them in memory
        # rather than send the database an IN list of every paid debt.
        paid = set(debt_ids)
        ids = {a for d, a in open_lines.values_list("debt_id", "agreement_id") if d in paid}
    if ids:
        agreement_apply_payments(agreement_ids=ids, as_of=as_of)
    return ids


def _fill(instalments: list[Instalment], payments: list[tuple[Decimal, datetime.datetime]]):
    """Fill instalments in order from the payment stream; returns the instalments changed."""
    stream = iter(payments)
    current_amount, current_at = Decimal(0), None
    changed = []
    for inst in instalments:
        need = inst.amount
        paid = Decimal(0)
        paid_at = None
        while paid < need:
            if current_amount == 0:
                nxt = next(stream, None)
                if nxt is None:
                    break
                current_amount, current_at = nxt
            take = min(need - paid, current_amount)
            paid += take
            current_amount -= take
            paid_at = current_at
        status = (
            Instalment.Status.PAID
            if paid == need
            else Instalment.Status.PARTIAL
            if paid > 0
            else Instalment.Status.PENDING
        )
        new = (paid, paid_at if paid == need else None, status)
        if (inst.paid_amount, inst.paid_at, inst.status) != new:
            inst.paid_amount, inst.paid_at, inst.status = new
            changed.append(inst)
    return changed


@transaction.atomic
def agreement_apply_payments(*, agreement_ids, as_of: datetime.date | None = None) -> list[int]:
    """Recompute instalment payments of the given agreements; complete the paid-up ones.

    Returns the ids of the agreements completed by this call.
    """
    as_of = as_of or timezone.localdate()
    ids = sorted(set(agreement_ids))
    agreements = list(
        PaymentAgreement.objects.select_for_update(of=("self",))
        .select_related("creditor")
        .filter(pk__in=ids, status__in=LIVE)
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
    schedule = defaultdict(list)
    for inst in Instalment.objects.filter(agreement__in=agreements).order_by(
        "agreement_id", "number"
    ):
        schedule[inst.agreement_id].append(inst)

    changed, completed = [], []
    for agreement in agreements:
        stream = streams[agreement.pk]
        live = [i for i in schedule[agreement.pk] if i.status != Instalment.Status.CANCELLED]
        changed += _fill(live, stream)
        total = sum((amount for amount, _at in stream), Decimal(0))
        paid = min(total, agreement.agreed_total)
        if paid != agreement.paid_amount:
            agreement.paid_amount = paid
            agreement.save(update_fields=["paid_amount", "updated_at"])
        if agreement.status != AgreementStatus.ACTIVE:
            continue
        if paid_up(agreement, stream):
            completed.append(agreement)
    if changed:
        Instalment.objects.bulk_update(changed, ["paid_amount", "paid_at", "status"])
    for agreement in completed:
        _complete(agreement, debt_ids=debts_of[agreement.pk], as_of=as_of)
    return [a.pk for a in completed]


def payment_streams(agreements, *, debts_of: dict[int, list[int]]) -> dict[int, list]:
    """Per agreement, what counts toward it: [(amount, paid_at)] of the payments on its debts
    above its ledger mark, in (paid_at, id) order. A reversed payment paid nothing."""
    all_debts = {d for ds in debts_of.values() for d in ds}
    if not agreements:
        return {}
    lowest_mark = min(a.ledger_mark for a in agreements)
    ledger = defaultdict(list)
    for pk, debt_id, amount, paid_at in (
        Payment.objects.filter(debt_id__in=all_debts, pk__gt=lowest_mark, reversed_at__isnull=True)
        .order_by("paid_at", "pk")
        .values_list("pk", "debt_id", "amount", "paid_at")
    ):
        ledger[debt_id].append((pk, amount, paid_at))
    streams = {}
    for agreement in agreements:
        payments = sorted(
            (paid_at, pk, amount)
            for debt_id in debts_of[agreement.pk]
            for pk, amount, paid_at in ledger[debt_id]
            if pk > agreement.ledger_mark
        )
        streams[agreement.pk] = [(amount, paid_at) for paid_at, _pk, amount in payments]
    return streams


def paid_up(agreement: PaymentAgreement, stream) -> bool:
    """Whether `stream` pays the agreement: its total, or its early total by the deadline."""
    total = sum((amount for amount, _at in stream), Decimal(0))
    if total >= agreement.agreed_total:
        return True
    if agreement.early_total is None or agreement.early_deadline is None:
        return False
    by_deadline = sum(
        (a for a, at in stream if timezone.localdate(at) <= agreement.early_deadline), Decimal(0)
    )
    return by_deadline >= agreement.early_total


def _complete(agreement: PaymentAgreement, *, debt_ids, as_of: datetime.date) -> None:
    """The agreement is paid: debts with a balance left are settled and the rest forgiven."""
    debts = lock_debts(debt_ids)
    now = timezone.now()
    approver = agreement.decided_by or agreement.proposed_by
    reason = Reason(reasons.COMPLETED, {"id": agreement.pk})
    forgiven = []
    for debt in debts.values():
        if not debt.is_open or debt.balance <= 0:
            continue
        forgiven.append(
            Forgiveness(
                agreement=agreement,
                debt=debt,
                amount=debt.balance,
                currency=debt.currency,
                approved_by=approver,
                business_date=as_of,
            )
        )
        # The forgiven rest leaves the books as its own entry (the statement shows it).
        entry_post(
            debt=debt,
            kind=EntryKind.FORGIVENESS,
            posted_on=as_of,
            principal=-debt.principal,
            interest=-debt.interest,
            fees=-debt.fees,
            source_id=agreement.pk,
        )
        previous = debt.stage
        debt.settle()
        debt.principal = debt.interest = debt.fees = debt.balance = Decimal(0)
        stage_change_record(
            debt=debt, from_stage=previous, transition_name="settle", actor=None, as_of=as_of,
            reason=reason, update_fields=["principal", "interest", "fees", "balance"], now=now,
        )  # fmt: skip
    Forgiveness.objects.bulk_create(forgiven)
    agreement.complete()
    agreement.ended_on = as_of
    agreement.save(update_fields=["status", "ended_on", "updated_at"])
    # An early payment may leave later instalments unneeded.
    close_lines(agreement, unpaid_status=Instalment.Status.CANCELLED)
    change_record(
        agreement=agreement,
        from_status=AgreementStatus.ACTIVE,
        actor=None,
        reason=Reason(
            reasons.PAID, {"amount": str(agreement.paid_amount), "currency": agreement.currency}
        ),
        as_of=as_of,
    )
    notices_insert(
        debt_ids=[min(debt_ids)], template_code="agreement_completed", business_date=as_of
    )
    agreement_completed.call_all(agreement=agreement, debt_ids=list(debt_ids), as_of=as_of)
