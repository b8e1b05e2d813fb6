"""The payments ledger: write one payment (API, portal, manual entry) into the books.

The payment is split in the creditor's application order (ledger.services.application) and
posted as one ledger entry; a payment on a written-off debt is a recovery.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import business_date_validate
from core.exceptions import ApplicationError
from core.money import parse_amount
from core.reasons import Reason, reason_encode
from core.scoping import user_manages_creditor
from ledger.models import EntryKind
from ledger.services.application import application_order_for, payment_split
from ledger.services.entries import entry_post
from portfolio import reasons
from portfolio.models import OPEN_STAGES, Creditor, Debt, Payment, Stage
from portfolio.services.locks import debts_lock
from portfolio.services.stages import stage_change_record

logger = logging.getLogger(__name__)


def payment_validate_amount(amount) -> Decimal:
    """The amount as an exact two-place Decimal, or ApplicationError."""
    if isinstance(amount, float):
        # A float has already lost the exact value the payer sent.
        raise ApplicationError(Reason(reasons.AMOUNT_FLOAT), field="amount")
    parsed = parse_amount(amount) if amount is not None else None
    if parsed is None:
        raise ApplicationError(Reason(reasons.AMOUNT_INVALID), field="amount")
    if parsed <= 0:
        raise ApplicationError(Reason(reasons.AMOUNT_NOT_POSITIVE), field="amount")
    return parsed


def payment_validate_method(method: str) -> str:
    """The method code when it is one Cartera knows, or ApplicationError."""
    value = (method or "").strip().lower()
    if value not in Payment.Method.values:
        raise ApplicationError(
            Reason(reasons.METHOD_UNKNOWN, {"method": str(method)[:40]}), field="method"
        )
    return value


def payment_validate_paid_at(paid_at, *, now: datetime) -> datetime:
    """An aware payment time, not in the future nor older than its window, or ApplicationError."""
    if not isinstance(paid_at, datetime):
        raise ApplicationError(Reason(reasons.PAID_AT_NOT_DATETIME), field="paid_at")
    if timezone.is_naive(paid_at):
        raise ApplicationError(Reason(reasons.PAID_AT_NAIVE), field="paid_at")
    if paid_at > now:
        raise ApplicationError(Reason(reasons.PAID_AT_FUTURE), field="paid_at")
    business_date_validate(paid_at, today=timezone.localdate(now), kind="paid_at")
    return paid_at


def payment_debt_closed_message(debt: Debt) -> str:
    return _("Debt %(ref)s is closed (%(stage)s) and accepts no payments.") % {
        "ref": debt.debt_ref,
        "stage": debt.get_stage_display(),
    }


def payment_overpayment_reason(*, amount: Decimal, balance: Decimal, currency: str) -> Reason:
    return Reason(
        reasons.OVERPAYMENT, {"amount": str(amount), "balance": str(balance), "currency": currency}
    )


def payment_currency_reason(*, currency: str, expected: str) -> Reason:
    return Reason(reasons.CURRENCY_MISMATCH, {"currency": currency, "expected": expected})


def payment_user_can_record(*, user, creditor: Creditor) -> bool:
    """Admins, and managers of the creditor, may record payments."""
    return user_manages_creditor(user=user, creditor_id=creditor.pk)


def _reference_conflict() -> ApplicationError:
    return ApplicationError(_("Reference already used for another payment."), field="reference")


def _replay_or_conflict(existing: Payment, *, debt: Debt, amount: Decimal) -> Payment:
    # The idempotency key only means "the same payment" when it names the same debt and amount.
    if existing.debt_id == debt.pk and existing.amount == amount:
        return existing
    raise _reference_conflict()


@transaction.atomic
def payment_ledger_write(
    *,
    creditor: Creditor,
    debt: Debt | None = None,
    debt_ref: str | None = None,
    amount: Decimal,
    currency: str,
    paid_at: datetime,
    method: str,
    reference: str,
    source: str,
    user=None,
    lock_group: Callable[[int], list[int]] | None = None,
) -> tuple[Payment, bool]:
    """Write one payment into the ledger (idempotent by reference); (payment, created).

    Only the books: the payment, the debt's balance and its move to `paid` with its record.
    `lock_group(debt_id)` names the debts to lock with it (those an agreement binds to it, so
    two payments on one agreement's debts queue instead of deadlocking). What follows a
    payment (agreements, thank-you) is collections_app.services.payments.payment_record.
    """
    # Cheap checks first: a refused request never takes a lock.
    if user is not None and not payment_user_can_record(user=user, creditor=creditor):
        raise PermissionDenied(_("You may not record payments for this creditor."))
    amount = payment_validate_amount(amount)
    currency = (currency or "").strip().upper()
    paid_at = payment_validate_paid_at(paid_at, now=timezone.now())
    method = payment_validate_method(method)
    if source not in Payment.Source.values:
        raise ApplicationError(
            _("Unknown payment source: %(source)s.") % {"source": source}, field="source"
        )
    reference = (reference or "").strip()
    if not reference:
        raise ApplicationError(_("Reference is required."), field="reference")
    if len(reference) > 100:
        raise ApplicationError(
            _("Reference must be at most 100 characters long."), field="reference"
        )

    debt_field = "debt" if debt is not None else "debt_ref"
    lookup = Debt.objects.filter(creditor=creditor)
    if debt is not None:
        lookup = lookup.filter(pk=debt.pk)
    elif debt_ref:
        lookup = lookup.filter(debt_ref=debt_ref.strip())
    else:
        raise ApplicationError(_("Give the debt or its reference."), field="debt")
    # The row lock serialises every writer of this debt's balance (no lost update). Debts that
    # share an open agreement with it are locked with it, in id order, like every agreement
    # writer does (the order is in portfolio.services.locks), so two payments on one
    # agreement's debts queue instead of deadlocking.
    target = lookup.values_list("pk", flat=True).first()
    if target is None:
        raise ApplicationError(_("Unknown debt for this creditor."), field=debt_field)
    group = lock_group(target) if lock_group is not None else [target]
    locked = debts_lock([target, *group], related=("debtor",))
    if lock_group is not None:
        # An agreement made between the read above and the lock may bind more debts: lock them
        # too. Only that race takes a lock out of order; the caller's retry absorbs a deadlock.
        missing = set(lock_group(target)) - set(locked)
        if missing:
            locked.update(debts_lock(missing, related=("debtor",)))
    debt = locked.get(target)
    if debt is None:  # deleted between the read and the lock
        raise ApplicationError(_("Unknown debt for this creditor."), field=debt_field)

    existing = Payment.objects.filter(creditor=creditor, reference=reference).first()
    if existing is not None:
        return _replay_or_conflict(existing, debt=debt, amount=amount), False

    # A written-off debt is still owed: what is paid on it is a recovery.
    recovery = debt.stage == Stage.WRITTEN_OFF
    if debt.stage not in OPEN_STAGES and not recovery:
        raise ApplicationError(payment_debt_closed_message(debt), field=debt_field)
    if currency != debt.currency:
        raise ApplicationError(
            payment_currency_reason(currency=currency, expected=debt.currency), field="currency"
        )
    if amount > debt.balance:
        raise ApplicationError(
            payment_overpayment_reason(amount=amount, balance=debt.balance, currency=debt.currency),
            field="amount",
        )

    order = application_order_for(creditor_id=creditor.pk, country=debt.debtor.country)
    split = payment_split(
        amount=amount,
        principal=debt.principal,
        interest=debt.interest,
        fees=debt.fees,
        order=order,
    )
    payment = Payment(
        creditor=creditor,
        debt=debt,
        amount=amount,
        currency=currency,
        paid_at=paid_at,
        method=method,
        source=source,
        reference=reference,
        allocated_fees=split.fees,
        allocated_interest=split.interest,
        allocated_principal=split.principal,
        recorded_by=user,
    )
    payment._history_user = user
    try:
        # Same reference on another debt is not serialised by the debt lock: the unique
        # constraint decides, and the savepoint keeps this transaction usable afterwards.
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        existing = Payment.objects.filter(creditor=creditor, reference=reference).first()
        if existing is None:
            raise
        return _replay_or_conflict(existing, debt=debt, amount=amount), False

    entry_post(
        debt=debt,
        kind=EntryKind.RECOVERY if recovery else EntryKind.PAYMENT,
        posted_on=timezone.localdate(paid_at),
        principal=-split.principal,
        interest=-split.interest,
        fees=-split.fees,
        payment_id=payment.pk,
        user=user,
    )
    debt.fees -= split.fees
    debt.interest -= split.interest
    debt.principal -= split.principal
    debt.balance = debt.fees + debt.interest + debt.principal
    update_fields = ["fees", "interest", "principal", "balance", "updated_at"]
    reason = Reason(reasons.PAYMENT_RECORDED, {"reference": reference})
    if debt.balance == 0 and not recovery:
        from_stage = debt.stage
        debt.mark_paid()
        now = timezone.now()
        # Saves the debt and writes its history row with the move's StageChange.
        stage_change_record(
            debt=debt,
            from_stage=from_stage,
            transition_name="mark_paid",
            actor=user,
            as_of=timezone.localdate(now),
            reason=reason,
            update_fields=update_fields,
            now=now,
        )
    else:
        debt._history_user = user
        debt._change_reason = reason_encode(reason)
        debt.save(update_fields=update_fields)
    return payment, True
