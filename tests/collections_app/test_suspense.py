"""Suspense services: money held per creditor, applied to a debt of its debtor, or refunded."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from collections_app.services.suspense import suspense_apply, suspense_receive, suspense_refund
from core.exceptions import ApplicationError
from ledger.models import LedgerEntry, SuspenseItem, SuspenseMovement
from portfolio.models import Payment, Stage
from tests.factories.ledger import SuspenseItemFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import AdminFactory, CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def item(creditor):
    paid = DebtFactory(creditor=creditor, stage=Stage.PAID, principal=0, interest=0, fees=0)
    return SuspenseItemFactory(debt=paid, amount=Decimal("300.00"))


@pytest.fixture
def sibling(item):
    """Another, open debt of the same debtor."""
    return DebtFactory(
        creditor=item.creditor,
        debtor=item.debtor,
        principal=Decimal("1000.00"),
        interest=Decimal("100.00"),
        fees=Decimal("20.00"),
    )


def receive(creditor, **kw):
    values = {
        "creditor": creditor,
        "amount": Decimal("50.00"),
        "currency": "COP",
        "received_at": timezone.now(),
        "reference": "BANK-1",
        "quoted_reference": "OBL-NOPE",
        "method": "bank_transfer",
        "source": "file",
        "reason": "unknown_reference",
        "business_date": TODAY,
    }
    values.update(kw)
    return suspense_receive(**values)


def test_receive_is_idempotent_by_creditor_and_reference(creditor):
    # Given money received under a reference
    first, created = receive(creditor)

    # When the same reference arrives again, and once more with another amount
    again, created_again = receive(creditor)

    # Then one item is held, and the different amount is refused as a conflict
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(ApplicationError, match="already used"):
        receive(creditor, amount=Decimal("51.00"))
    assert SuspenseItem.objects.count() == 1
    assert (first.debtor, first.quoted_reference, first.status) == (None, "OBL-NOPE", "open")


def test_apply_to_another_debt_of_the_same_debtor_records_a_suspense_payment(
    item, sibling, manager
):
    # When a manager applies the whole item to the debtor's other, open debt
    movement = suspense_apply(
        item_id=item.pk, debt_id=sibling.pk, amount=Decimal("300.00"), user=manager,
        business_date=TODAY,
    )  # fmt: skip

    # Then a payment of source suspense pays it, in Colombia's order (interest first)
    payment = movement.payment
    assert (payment.source, payment.reference, payment.amount) == (
        Payment.Source.SUSPENSE,
        f"suspense:{item.pk}:1",
        Decimal("300.00"),
    )
    assert (payment.allocated_interest, payment.allocated_principal, payment.allocated_fees) == (
        Decimal("100.00"),
        Decimal("200.00"),
        Decimal("0.00"),
    )
    assert (payment.method, payment.recorded_by) == (item.method, manager)
    # And the ledger has its entry, the debt its balance, the item is resolved
    entry = LedgerEntry.objects.get(payment=payment)
    assert entry.amount == Decimal("-300.00")
    sibling.refresh_from_db()
    assert sibling.balance == Decimal("820.00")
    item.refresh_from_db()
    assert (item.applied_amount, item.remaining, item.status) == (
        Decimal("300.00"),
        Decimal("0.00"),
        "resolved",
    )
    assert (movement.kind, movement.created_by, movement.business_date) == (
        "applied",
        manager,
        TODAY,
    )


def test_a_debt_of_another_debtor_or_creditor_is_refused(item, sibling, manager):
    # Given a debt of another debtor of the same creditor, and one of another creditor
    stranger = DebtFactory(creditor=item.creditor)
    elsewhere = DebtFactory(creditor=CreditorFactory(code="otro"))

    # Then neither takes the money, and nothing is written
    with pytest.raises(ApplicationError, match="another debtor") as refused:
        suspense_apply(item_id=item.pk, debt_id=stranger.pk, amount=Decimal("10.00"),
                       user=manager, business_date=TODAY)  # fmt: skip
    assert refused.value.field == "debt"
    with pytest.raises(ApplicationError, match="Unknown debt"):
        suspense_apply(item_id=item.pk, debt_id=elsewhere.pk, amount=Decimal("10.00"),
                       user=manager, business_date=TODAY)  # fmt: skip
    assert not Payment.objects.exists() and not SuspenseMovement.objects.exists()


def test_an_unknown_payer_may_be_applied_to_any_debt_of_the_creditor(creditor, manager):
    # Given money under a reference that named no debt, and the debt staff found it was for
    held, _created = receive(creditor)
    debt = DebtFactory(creditor=creditor)

    # When applied to it
    movement = suspense_apply(item_id=held.pk, debt_id=debt.pk, amount=Decimal("50.00"),
                              user=manager, business_date=TODAY)  # fmt: skip

    # Then the debt is paid and the item resolved
    assert movement.payment.debt == debt
    held.refresh_from_db()
    assert held.status == "resolved"


def test_apply_refuses_more_than_is_left_or_than_the_debt_owes(item, sibling, manager):
    with pytest.raises(ApplicationError, match="At most") as refused:
        suspense_apply(item_id=item.pk, debt_id=sibling.pk, amount=Decimal("300.01"),
                       user=manager, business_date=TODAY)  # fmt: skip
    assert refused.value.field == "amount"
    small = DebtFactory(creditor=item.creditor, debtor=item.debtor, principal=Decimal("5.00"),
                        interest=0, fees=0)  # fmt: skip
    with pytest.raises(ApplicationError, match="balance"):
        suspense_apply(item_id=item.pk, debt_id=small.pk, amount=Decimal("6.00"),
                       user=manager, business_date=TODAY)  # fmt: skip
    item.refresh_from_db()
    assert item.remaining == Decimal("300.00")


def test_refund_needs_its_reference_and_records_who_and_why(item, manager):
    # A refund without the reference of the transfer that paid it back is refused
    for blank in ("", "   "):
        with pytest.raises(ApplicationError) as refused:
            suspense_refund(item_id=item.pk, amount=Decimal("300.00"), refund_reference=blank,
                            note="", user=manager, business_date=TODAY)  # fmt: skip
        assert refused.value.field == "refund_reference"
    assert not SuspenseMovement.objects.exists()

    # With it, the refund is recorded and the item resolved
    movement = suspense_refund(
        item_id=item.pk, amount=Decimal("300.00"), refund_reference=" TRF-991 ",
        note="The debtor asked for it back", user=manager, business_date=TODAY,
    )  # fmt: skip
    assert (movement.kind, movement.refund_reference, movement.payment) == (
        "refunded",
        "TRF-991",
        None,
    )
    assert (movement.note, movement.created_by) == ("The debtor asked for it back", manager)
    item.refresh_from_db()
    assert (item.refunded_amount, item.status) == (Decimal("300.00"), "resolved")


def test_partial_apply_then_refund_of_the_rest_resolves_the_item(item, sibling, manager):
    # When 120.00 is applied (twice 60.00) and the 180.00 left is refunded
    for _ in range(2):
        suspense_apply(item_id=item.pk, debt_id=sibling.pk, amount=Decimal("60.00"),
                       user=manager, business_date=TODAY)  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.remaining) == ("open", Decimal("180.00"))
    suspense_refund(item_id=item.pk, amount=Decimal("180.00"), refund_reference="TRF-1",
                    note="", user=manager, business_date=TODAY)  # fmt: skip

    # Then every unit has its movement, the payments their own references, nothing is left
    item.refresh_from_db()
    assert (item.applied_amount, item.refunded_amount, item.status) == (
        Decimal("120.00"),
        Decimal("180.00"),
        "resolved",
    )
    assert sorted(Payment.objects.values_list("reference", flat=True)) == [
        f"suspense:{item.pk}:1",
        f"suspense:{item.pk}:2",
    ]
    assert [m.kind for m in item.movements.all()] == ["applied", "applied", "refunded"]
    with pytest.raises(ApplicationError, match="Nothing is left"):
        suspense_refund(item_id=item.pk, amount=Decimal("1.00"), refund_reference="TRF-2",
                        note="", user=manager, business_date=TODAY)  # fmt: skip


def test_only_the_creditors_managers_and_admins_may_handle_its_suspense(item, sibling):
    outsider = ManagerFactory(username="otro", creditors=[CreditorFactory(code="otro")])
    for user in (outsider, CollectorFactory(username="c")):
        with pytest.raises(PermissionDenied):
            suspense_apply(item_id=item.pk, debt_id=sibling.pk, amount=Decimal("1.00"),
                           user=user, business_date=TODAY)  # fmt: skip
        with pytest.raises(PermissionDenied):
            suspense_refund(item_id=item.pk, amount=Decimal("1.00"), refund_reference="T",
                            note="", user=user, business_date=TODAY)  # fmt: skip
    assert not SuspenseMovement.objects.exists()
    movement = suspense_refund(item_id=item.pk, amount=Decimal("1.00"), refund_reference="T",
                               note="", user=AdminFactory(username="root"),
                               business_date=TODAY)  # fmt: skip
    assert movement.amount == Decimal("1.00")
