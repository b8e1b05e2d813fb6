"""Money that could not be applied: held in suspense per creditor, then applied or refunded.

A payment lands here when it cannot pay its debt (the debt was already paid or closed, the
payer sent more than the balance, the reference names no debt, another currency). Staff then
apply it to a debt of the same creditor (and of the same debtor, when the item names one) or
refund it with the refund's reference: every unit that leaves suspense has a movement that
says where it went, who moved it and when. Nothing is "refunded by hand" without a record.

Locks: the item (FOR UPDATE) first, then what `payment_record` locks (the debts, in id order,
then agreements), the order portfolio.services.locks documents. Two staff applying the same
item queue on the item's row, so the second one sees what the first left (never an overdraft;
the `suspense_not_overdrawn` constraint is the last guard).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from core.scoping import user_manages_creditor
from core.transactions import atomic_with_retry
from ledger.models import SuspenseItem, SuspenseMovement, SuspenseReason, SuspenseStatus
from ledger.services.payments import payment_validate_amount, payment_validate_method
from portfolio.models import OPEN_STAGES, Creditor, Debt, Debtor, Payment, Stage


def suspense_user_can_handle(*, user, creditor_id: int) -> bool:
    """Admins, and managers of the creditor, may apply or refund its suspense money."""
    return user_manages_creditor(user=user, creditor_id=creditor_id)


def _reference_clean(reference: str, *, field: str = "reference") -> str:
    reference = (reference or "").strip()
    if not reference:
        raise ApplicationError(_("Reference is required."), field=field)
    if len(reference) > 100:
        raise ApplicationError(_("Reference must be at most 100 characters long."), field=field)
    return reference


def suspense_receive(
    *,
    creditor: Creditor,
    amount,
    currency: str,
    received_at: datetime.datetime,
    reference: str,
    quoted_reference: str = "",
    method: str,
    source: str,
    reason: str,
    debt: Debt | None = None,
    debtor: Debtor | None = None,
    business_date: datetime.date,
) -> tuple[SuspenseItem, bool]:
    """Hold money received for `creditor` that could not be applied; (item, created).

    Idempotent by (creditor, reference): a replayed webhook or file row returns the item it
    already made (the same amount and currency), and a different amount under the same
    reference is refused as a conflict.
    """
    amount = payment_validate_amount(amount)
    currency = (currency or "").strip().upper()
    if len(currency) != 3:
        raise ApplicationError(_("Give the three-letter currency code."), field="currency")
    method = payment_validate_method(method)
    if source not in Payment.Source.values:
        raise ApplicationError(
            _("Unknown payment source: %(source)s.") % {"source": source}, field="source"
        )
    if reason not in SuspenseReason.values:
        raise ApplicationError(_("Unknown suspense reason."), field="reason")
    if timezone.is_naive(received_at):
        raise ApplicationError(_("The time received must carry its time zone."), field="paid_at")
    reference = _reference_clean(reference)
    if debt is not None:
        if debt.creditor_id != creditor.pk:
            raise ApplicationError(_("The debt belongs to another creditor."), field="debt")
        debtor_id = debt.debtor_id
    else:
        debtor_id = debtor.pk if debtor is not None else None

    def replay(existing: SuspenseItem) -> tuple[SuspenseItem, bool]:
        if existing.amount == amount and existing.currency == currency:
            return existing, False
        raise ApplicationError(
            _("Reference already used for other money in suspense."), field="reference"
        )

    existing = SuspenseItem.objects.filter(creditor=creditor, reference=reference).first()
    if existing is not None:
        return replay(existing)
    item = SuspenseItem(
        creditor=creditor,
        debtor_id=debtor_id,
        debt=debt,
        amount=amount,
        currency=currency,
        received_at=received_at,
        business_date=business_date,
        reference=reference,
        quoted_reference=(quoted_reference or "")[:100],
        method=method,
        source=source,
        reason=reason,
    )
    try:
        # Two writers of one reference: the unique constraint decides, the savepoint keeps
        # the caller's transaction usable.
        with transaction.atomic():
            item.save()
    except IntegrityError:
        existing = SuspenseItem.objects.filter(creditor=creditor, reference=reference).first()
        if existing is None:
            raise
        return replay(existing)
    return item, True


def _item_for(*, item_id: int, user) -> SuspenseItem:
    """The item (not yet locked) when the user may handle it, else 404-like or 403."""
    item = SuspenseItem.objects.filter(pk=item_id).values("pk", "creditor_id").first()
    if item is None:
        raise ApplicationError(_("Unknown suspense item."), field="item")
    if not suspense_user_can_handle(user=user, creditor_id=item["creditor_id"]):
        raise PermissionDenied(_("You may not handle this creditor's suspense money."))
    # The row lock serialises every use of this item: two staff never spend it twice.
    return (
        SuspenseItem.objects.select_for_update(of=("self",))
        .select_related("creditor")
        .get(pk=item["pk"])
    )


def _amount_within(amount, *, item: SuspenseItem) -> Decimal:
    amount = payment_validate_amount(amount)
    if item.status != SuspenseStatus.OPEN or item.remaining <= 0:
        raise ApplicationError(_("Nothing is left of this item to use."), field="amount")
    if amount > item.remaining:
        raise ApplicationError(
            _("At most %(remaining)s %(currency)s is left of this item.")
            % {"remaining": item.remaining, "currency": item.currency},
            field="amount",
        )
    return amount


def _resolve_when_spent(item: SuspenseItem, update_fields: list[str]) -> None:
    if item.remaining == 0:
        item.resolve()
        update_fields.append("status")
    item.save(update_fields=[*update_fields, "updated_at"])


@atomic_with_retry
def suspense_apply(
    *, item_id: int, debt_id: int, amount, user, business_date: datetime.date
) -> SuspenseMovement:
    """Apply part or all of an item to a debt: a payment (source suspense) and its movement.

    The debt must be the item's creditor's and, when the item names a debtor, that debtor's
    (an unknown reference names none: staff identified the payer, any debt of the creditor).
    The payment is dated now, when the money reaches the debt: its ledger entry and the
    debt's balance change on the day of the application, not back-dated to the receipt (the
    days in suspense were days the debt still owed, and accrued as such); the item keeps the
    time it was received.
    """
    item = _item_for(item_id=item_id, user=user)
    amount = _amount_within(amount, item=item)
    debt = (
        Debt.objects.filter(pk=debt_id, creditor_id=item.creditor_id)
        .only("pk", "debtor_id", "currency", "balance", "stage", "debt_ref")
        .first()
        if isinstance(debt_id, int) and debt_id > 0
        else None
    )
    if debt is None:
        raise ApplicationError(_("Unknown debt for this creditor."), field="debt")
    if item.debtor_id is not None and debt.debtor_id != item.debtor_id:
        raise ApplicationError(
            _("This money came from another debtor: apply it to one of their debts."),
            field="debt",
        )
    if debt.currency != item.currency:
        raise ApplicationError(
            _("The debt is in %(expected)s and the money in %(currency)s.")
            % {"expected": debt.currency, "currency": item.currency},
            field="debt",
        )
    if debt.stage not in OPEN_STAGES and debt.stage != Stage.WRITTEN_OFF:
        raise ApplicationError(_("This debt is closed and accepts no payments."), field="debt")
    # The balance is checked again under the debt's lock by payment_record (an overpayment is
    # refused there); this earlier check gives the clearer message.
    if amount > debt.balance:
        raise ApplicationError(
            _("The debt's balance is %(balance)s %(currency)s: apply at most that.")
            % {"balance": debt.balance, "currency": debt.currency},
            field="amount",
        )
    n = item.movements.count() + 1
    payment, _created = payment_record(
        creditor=item.creditor,
        debt=debt,
        amount=amount,
        currency=item.currency,
        paid_at=timezone.now(),
        method=item.method,
        reference=f"suspense:{item.pk}:{n}",
        source=Payment.Source.SUSPENSE,
        user=user,
    )
    movement = SuspenseMovement.objects.create(
        item=item,
        kind=SuspenseMovement.Kind.APPLIED,
        amount=amount,
        payment=payment,
        business_date=business_date,
        created_by=user,
    )
    item.applied_amount += amount
    _resolve_when_spent(item, ["applied_amount"])
    return movement


@atomic_with_retry
def suspense_refund(
    *, item_id: int, amount, refund_reference: str, note: str = "", user,
    business_date: datetime.date,
) -> SuspenseMovement:  # fmt: skip
    """Record money of an item paid back to the payer, with the refund's own reference."""
    refund_reference = (refund_reference or "").strip()
    if not refund_reference:
        raise ApplicationError(
            _("Give the reference of the refund (the transfer or voucher that paid it back)."),
            field="refund_reference",
        )
    if len(refund_reference) > 100:
        raise ApplicationError(
            _("Reference must be at most 100 characters long."), field="refund_reference"
        )
    item = _item_for(item_id=item_id, user=user)
    amount = _amount_within(amount, item=item)
    movement = SuspenseMovement.objects.create(
        item=item,
        kind=SuspenseMovement.Kind.REFUNDED,
        amount=amount,
        refund_reference=refund_reference,
        note=(note or "").strip(),
        business_date=business_date,
        created_by=user,
    )
    item.refunded_amount += amount
    _resolve_when_spent(item, ["refunded_amount"])
    return movement
