import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from ledger.models import ApplicationOrder, LedgerSettings
from portfolio.models import Debt, Payment, Stage, StageChange
from tests.factories.portfolio import CreditorFactory, DebtFactory, PaymentFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

PAID_AT = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def debt(creditor):
    # These tests pin the original order (fees, interest, principal), which a creditor may keep;
    # the country defaults are tests/ledger/test_application_order.py's.
    LedgerSettings.objects.create(
        creditor=creditor, country="CO", application_order=ApplicationOrder.FEES_INTEREST_PRINCIPAL
    )
    return DebtFactory(
        creditor=creditor,
        debt_ref="OBL-1",
        currency="COP",
        principal=Decimal("1000.00"),
        interest=Decimal("100.00"),
        fees=Decimal("20.00"),
        stage=Stage.FIRM_NOTICE,
    )


def record(on, **overrides):
    kwargs = {
        "creditor": on.creditor,
        "debt": on,
        "amount": Decimal("50.00"),
        "currency": "COP",
        "paid_at": PAID_AT,
        "method": Payment.Method.PSE,
        "reference": "REF-1",
        "source": Payment.Source.API,
    }
    kwargs.update(overrides)
    return payment_record(**kwargs)


def ledger(debt):
    debt.refresh_from_db()
    return (debt.fees, debt.interest, debt.principal, debt.balance)


def test_allocates_fees_then_interest_then_principal(debt):
    # Given a debt owing 20 fees, 100 interest and 1000 principal
    # When 150.01 is paid
    payment, created = record(debt, amount=Decimal("150.01"))

    # Then fees and interest are cleared first and the last 30.01 lowers the principal
    assert created is True
    assert (payment.allocated_fees, payment.allocated_interest, payment.allocated_principal) == (
        Decimal("20.00"),
        Decimal("100.00"),
        Decimal("30.01"),
    )
    assert ledger(debt) == (Decimal("0"), Decimal("0"), Decimal("969.99"), Decimal("969.99"))
    assert debt.stage == Stage.FIRM_NOTICE


def test_one_cent_goes_to_fees_first(debt):
    payment, _ = record(debt, amount=Decimal("0.01"))

    assert payment.allocated_fees == Decimal("0.01")
    assert payment.allocated_interest == payment.allocated_principal == Decimal("0")
    assert ledger(debt) == (
        Decimal("19.99"),
        Decimal("100.00"),
        Decimal("1000.00"),
        Decimal("1119.99"),
    )


def test_payment_splits_within_interest(debt):
    payment, _ = record(debt, amount=Decimal("20.01"))

    assert (payment.allocated_fees, payment.allocated_interest) == (
        Decimal("20.00"),
        Decimal("0.01"),
    )
    assert ledger(debt)[:2] == (Decimal("0"), Decimal("99.99"))


def test_payment_found_by_debt_ref(debt):
    payment, created = record(debt, debt=None, debt_ref="OBL-1")

    assert created and payment.debt_id == debt.pk


def test_full_payment_moves_debt_to_paid(debt):
    # Given two payments that together clear the balance
    record(debt, amount=Decimal("1000.00"), reference="A")
    before = timezone.now()

    # When the last cent arrives
    record(debt, amount=Decimal("120.00"), reference="B")

    # Then the debt is paid, we know since when, and the stage change is on record
    debt.refresh_from_db()
    assert debt.balance == Decimal("0")
    assert debt.stage == Stage.PAID
    assert debt.stage_entered_at >= before
    assert debt.stage_entered_on == timezone.localdate(debt.stage_entered_at)
    change = StageChange.objects.get(debt=debt)
    assert (change.from_stage, change.to_stage, change.transition) == (
        Stage.FIRM_NOTICE,
        Stage.PAID,
        "mark_paid",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": Decimal("0")}, "amount", "greater than zero"),
        ({"amount": Decimal("-5.00")}, "amount", "greater than zero"),
        ({"amount": Decimal("10.001")}, "amount", "at most 2 decimal places"),
        ({"amount": 10.5}, "amount", "exact decimal"),
        ({"currency": "USD"}, "currency", "does not match the debt's currency COP"),
        ({"amount": Decimal("1120.01")}, "amount", "outstanding balance of COP\xa01,120.00"),
        ({"paid_at": datetime.datetime(2026, 11, 2, 9, 30)}, "paid_at", "time zone"),
        (
            {"paid_at": timezone.now() + datetime.timedelta(days=1)},
            "paid_at",
            "cannot be in the future",
        ),
        ({"method": "bitcoin"}, "method", "Unknown payment method"),
        ({"reference": "  "}, "reference", "required"),
        ({"debt": None, "debt_ref": "NOPE"}, "debt_ref", "Unknown debt"),
        ({"source": "fax"}, "source", "Unknown payment source"),
    ],
)
def test_refusals_write_nothing(debt, overrides, field, message):
    before = ledger(debt)

    with pytest.raises(ApplicationError) as exc:
        record(debt, **overrides)

    assert exc.value.field == field
    assert message in exc.value.message
    assert Payment.objects.count() == 0
    assert ledger(debt) == before
    assert debt.history.count() == 1  # only the factory's creation


def test_debt_of_another_creditor_is_unknown(debt):
    other = CreditorFactory(code="otro")

    with pytest.raises(ApplicationError, match="Unknown debt"):
        record(debt, creditor=other)
    with pytest.raises(ApplicationError, match="Unknown debt"):
        record(debt, creditor=other, debt=None, debt_ref="OBL-1")
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("stage", [Stage.PAID, Stage.SETTLED])
def test_closed_debt_is_refused(debt, stage):
    Debt.objects.filter(pk=debt.pk).update(stage=stage)

    with pytest.raises(ApplicationError, match="closed") as exc:
        record(debt)

    assert exc.value.field == "debt"
    assert Payment.objects.count() == 0


def test_replay_returns_existing_payment_and_changes_nothing(debt):
    # Given a recorded payment
    first, created = record(debt, amount=Decimal("70.00"))
    after_first = ledger(debt)

    # When the same reference arrives again with the same data
    again, created_again = record(debt, amount=Decimal("70.00"))

    # Then it is the same payment and the balance was lowered once
    assert created and not created_again
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert (
        ledger(debt)
        == after_first
        == (
            Decimal("0"),
            Decimal("50.00"),
            Decimal("1000.00"),
            Decimal("1050.00"),
        )
    )


def test_replay_after_the_debt_was_paid_is_still_a_replay(debt):
    first, _ = record(debt, amount=Decimal("1120.00"))

    again, created = record(debt, amount=Decimal("1120.00"))

    assert not created and again.pk == first.pk


def test_reference_reused_with_other_data_is_refused(debt):
    record(debt, amount=Decimal("70.00"))
    other_debt = DebtFactory(creditor=debt.creditor, currency="COP")

    with pytest.raises(ApplicationError, match="Reference already used") as exc:
        record(debt, amount=Decimal("71.00"))
    assert exc.value.field == "reference"
    with pytest.raises(ApplicationError, match="Reference already used"):
        record(other_debt, amount=Decimal("70.00"))

    assert Payment.objects.count() == 1
    assert ledger(debt)[3] == Decimal("1050.00")


def test_same_reference_at_another_creditor_is_a_new_payment(debt):
    record(debt)
    other_debt = DebtFactory(creditor=CreditorFactory(code="otro"), currency="COP")

    _, created = record(other_debt)

    assert created
    assert Payment.objects.count() == 2


def test_history_rows_name_the_acting_manager(debt, creditor):
    manager = ManagerFactory(username="gloria", creditors=[creditor])

    payment, _ = record(debt, amount=Decimal("1120.00"), user=manager)

    assert payment.recorded_by == manager
    assert payment.history.get().history_user == manager
    latest = debt.history.first()
    assert latest.history_user == manager
    assert latest.stage == Stage.PAID
    assert latest.balance == Decimal("0")
    assert "REF-1" in latest.history_change_reason


def test_manager_of_another_creditor_may_not_record(debt):
    outsider = ManagerFactory(username="ajeno", creditors=[CreditorFactory(code="otro")])

    with pytest.raises(PermissionDenied):
        record(debt, user=outsider)
    assert Payment.objects.count() == 0


def test_existing_factory_payments_do_not_block_new_references(debt):
    PaymentFactory(debt=debt, reference="OLD")

    _, created = record(debt, reference="NEW")

    assert created
