"""A debt's statement from the ledger: the balance brought forward, each movement with its running
balance, how each payment was applied, the write-off as an event, and the closing balance that
always equals the debt's components when the period is open."""

import datetime
from decimal import Decimal

import pytest

from agreements.services.lifecycle import agreement_create
from collections_app.services.payments import payment_record
from ledger.models import EntryKind
from ledger.selectors.statement import WRITE_OFF, Components, debt_statement
from legal.selectors.books import debt_books_as_of
from portfolio.models import Payment, Stage
from tests.factories.portfolio import ContactPointFactory, PaymentFactory
from tests.factories.users import CollectorFactory
from tests.ledger.statement_helpers import (
    accrue,
    at,
    colombian_debt,
    components_of,
    day,
    pay,
    reverse_payment,
    write_off,
)

pytestmark = pytest.mark.django_db

HANDED_OVER = Components(
    principal=Decimal("1000000.00"), interest=Decimal("150000.00"), fees=Decimal("20000.00")
)


def _kinds(statement):
    return [line.kind for line in statement.lines]


def test_payments_in_colombian_order_and_an_accrual_close_at_the_debts_components():
    # Given a Colombian debt: interest is paid before principal, fees last
    debt = colombian_debt()
    first = pay(debt, "100000.00", "P-1", 2)  # all to interest
    second = pay(debt, "200000.00", "P-2", 3)  # the last 50,000 of interest, then principal
    accrue(debt, "4500.00", 4)  # a day of late interest
    third = pay(debt, "10000.00", "P-3", 5)

    # When the statement is read with an open period
    statement = debt_statement(debt=debt)

    # Then it starts from what the creditor handed over and closes at the debt's components
    assert statement.brought_forward == HANDED_OVER
    assert statement.opening == HANDED_OVER
    assert statement.closing == components_of(debt)
    assert statement.closing.balance == Decimal("864500.00") == debt.balance
    assert _kinds(statement) == ["payment", "payment", "accrual", "payment"]
    # each payment's split, as its allocation and its entry say
    splits = [(a.to_interest, a.to_principal, a.to_fees) for a in statement.payments]
    assert splits == [
        (Decimal("100000.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("50000.00"), Decimal("150000.00"), Decimal("0.00")),
        (Decimal("4500.00"), Decimal("5500.00"), Decimal("0.00")),
    ]
    assert [a.payment for a in statement.payments] == [first, second, third]
    # the running balance per component after each line
    running = [(line.balance.interest, line.balance.principal) for line in statement.lines]
    assert running == [
        (Decimal("50000.00"), Decimal("1000000.00")),
        (Decimal("0.00"), Decimal("850000.00")),
        (Decimal("4500.00"), Decimal("850000.00")),
        (Decimal("0.00"), Decimal("844500.00")),
    ]
    accrual = statement.lines[2]
    assert accrual.delta == Components(interest=Decimal("4500.00"))
    assert statement.late_interest == Decimal("4500.00")


def test_a_period_opens_with_what_came_before_and_closes_on_its_last_day():
    debt = colombian_debt()
    pay(debt, "100000.00", "P-1", 2)
    pay(debt, "200000.00", "P-2", 3)
    accrue(debt, "4500.00", 4)
    pay(debt, "10000.00", "P-3", 5)

    statement = debt_statement(debt=debt, date_from=day(3), date_to=day(4))

    # the first payment is before the period: the opening has it
    assert statement.brought_forward == HANDED_OVER
    assert statement.opening == HANDED_OVER - Components(interest=Decimal("100000.00"))
    assert _kinds(statement) == ["payment", "accrual"]
    assert statement.closing == Components(
        principal=Decimal("850000.00"), interest=Decimal("4500.00"), fees=Decimal("20000.00")
    )
    assert statement.closing == statement.opening + statement.movements
    # the next period opens where this one closed
    after = debt_statement(debt=debt, date_from=day(5))
    assert after.opening == statement.closing
    assert after.closing == components_of(debt)
    # a period with nothing in it: opening and closing are the same
    quiet = debt_statement(debt=debt, date_from=day(20), date_to=day(25))
    assert quiet.lines == [] and quiet.opening == quiet.closing == components_of(debt)


def test_a_completed_settlement_shows_the_forgiven_rest_and_closes_at_zero():
    # Given a settlement for 10 % off, paid in full
    collector = CollectorFactory()
    debt = colombian_debt(assigned_to=collector, due_date=datetime.date(2026, 10, 1))
    ContactPointFactory(debtor=debt.debtor)
    agreement = agreement_create(
        user=collector, debt_ids=[debt.pk], as_of=day(2), kind="settlement",
        instalment_count=1, frequency="monthly", first_due_date=day(10), down_payment=Decimal(0),
        discount_pct=Decimal("10"), channel="phone",
    )  # fmt: skip
    payment_record(
        creditor=debt.creditor, debt=debt, amount=agreement.agreed_total, currency="COP",
        paid_at=at(25), method="pse", reference="S-1", source="api",
    )  # fmt: skip
    debt.refresh_from_db()
    assert debt.stage == Stage.SETTLED

    statement = debt_statement(debt=debt)

    assert _kinds(statement) == ["payment", "forgiveness"]
    forgiven = statement.lines[1]
    assert forgiven.amount == -(HANDED_OVER.balance - agreement.agreed_total)
    assert forgiven.memo == f"Agreement #{agreement.pk}"
    assert statement.closing == Components() == components_of(debt)


def test_a_recovery_after_the_write_off_and_the_write_off_as_an_event():
    debt = colombian_debt()
    pay(debt, "100000.00", "P-1", 2)
    record = write_off(debt, 10)
    recovery = pay(debt, "300000.00", "R-1", 20)

    statement = debt_statement(debt=debt)

    assert _kinds(statement) == ["payment", WRITE_OFF, "recovery"]
    event = statement.lines[1]
    # the write-off moves no balance: the debtor still owes what they owed
    assert event.is_event and event.write_off == record and event.delta == Components()
    assert event.balance == statement.lines[0].balance
    assert statement.write_off == record
    assert statement.payments[1].payment == recovery and statement.payments[1].recovery
    assert statement.closing == components_of(debt)
    # a period after the write-off shows the recovery but not the event
    later = debt_statement(debt=debt, date_from=day(15))
    assert _kinds(later) == ["recovery"]


def test_a_reversal_is_shown_against_its_payment():
    debt = colombian_debt()
    bounced = pay(debt, "200000.00", "P-1", 2)
    reverse_payment(bounced, 6)
    debt.refresh_from_db()

    statement = debt_statement(debt=debt)

    assert _kinds(statement) == ["payment", "reversal"]
    payment_line, reversal_line = statement.lines
    assert payment_line.application is reversal_line.application
    assert payment_line.application.reversed
    assert payment_line.application.reversed_on == day(6)
    assert "P-1" in reversal_line.memo
    assert reversal_line.delta == Components(
        interest=Decimal("150000.00"), principal=Decimal("50000.00")
    )
    assert statement.closing == HANDED_OVER == components_of(debt)
    # the reversal is no payment of its own
    assert [a.payment for a in statement.payments] == [bounced]


def test_a_payment_without_an_entry_is_read_from_its_allocation():
    # Given a payment recorded before the ledger existed: its allocation, no entry
    debt = colombian_debt(principal=Decimal("900000.00"))
    old = PaymentFactory(debt=debt, amount=Decimal("100000.00"), paid_at=at(2))
    accrue(debt, "1000.00", 4)

    statement = debt_statement(debt=debt)

    assert _kinds(statement) == ["payment", "accrual"]
    assert statement.lines[0].from_payment and statement.lines[0].application.payment == old
    assert statement.brought_forward == HANDED_OVER
    assert statement.closing == components_of(debt)
    # a day before it, the books had it still owed
    assert debt_statement(debt=debt, date_to=day(1)).closing == HANDED_OVER


def test_the_balance_certificate_is_the_statements_closing_on_its_day():
    debt = colombian_debt()
    first = pay(debt, "100000.00", "P-1", 2)
    accrue(debt, "4500.00", 4)
    pay(debt, "200000.00", "P-2", 6)

    books = debt_books_as_of(debt=debt, as_of=day(5))

    # the later payment is added back to the parts it paid
    assert (books.principal, books.interest, books.fees) == (
        Decimal("1000000.00"),
        Decimal("54500.00"),
        Decimal("20000.00"),
    )
    assert books.balance == Decimal("1074500.00")
    assert books.payments == [first]
    assert isinstance(books.payments[0], Payment)
    assert debt_books_as_of(debt=debt, as_of=day(30)).balance == debt.balance


def test_entries_of_another_debt_stay_out():
    debt = colombian_debt()
    other = colombian_debt(creditor=debt.creditor)
    pay(other, "100000.00", "O-1", 2)
    accrue(other, "999.00", 3)

    statement = debt_statement(debt=debt)

    assert statement.lines == [] and statement.payments == []
    assert statement.closing == HANDED_OVER == statement.brought_forward


def test_a_line_carries_who_recorded_it():
    debt = colombian_debt()
    user = CollectorFactory(first_name="Lina", last_name="Ortiz")
    reverse_payment(pay(debt, "1000.00", "P-1", 2), 3, user=user)
    debt.refresh_from_db()

    statement = debt_statement(debt=debt)

    assert statement.lines[0].user is None  # written by the API without a user
    assert statement.lines[1].user == user
    assert statement.lines[1].kind == EntryKind.REVERSAL
