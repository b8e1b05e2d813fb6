"""Payments file: money no debt can take goes to suspense; each debtor's country order applies."""

import datetime
from decimal import Decimal

import pytest

from imports.models import ImportBatch
from imports.selectors import batch_suspense_summary
from imports.services.payments_file import payments_import_run
from imports.services.portfolio_file import import_batch_create
from ledger.models import EntryKind, LedgerEntry, SuspenseItem
from portfolio.models import Payment, Stage
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

HEADER = "debt_ref,amount,currency,paid_at,method,reference"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run_file(tmp_path, creditor, *lines, dry_run=False):
    path = tmp_path / "pagos.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    batch = import_batch_create(
        kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path, dry_run=dry_run
    )
    return payments_import_run(batch=batch)


def make_debt(creditor, ref, *, country="CO", currency="COP", **kw):
    values = {
        "principal": Decimal("1000.00"),
        "interest": Decimal("100.00"),
        "fees": Decimal("20.00"),
        "stage": Stage.FRIENDLY_REMINDER,
        "due_date": datetime.date(2026, 10, 1),
    }
    values.update(kw)
    debtor = DebtorFactory(creditor=creditor, country=country)
    return DebtFactory(creditor=creditor, debtor=debtor, debt_ref=ref, currency=currency, **values)


def test_unknown_reference_closed_debt_and_overpayment_are_held_not_rejected(tmp_path, creditor):
    # Given an open debt of 1,120 and a paid one
    owed = make_debt(creditor, "OBL-A")
    paid = make_debt(creditor, "OBL-PAID", principal=0, interest=0, fees=0, stage=Stage.PAID)

    # When a file pays 1,200 on the first, 50 on the paid one and 70 quoting no known debt
    batch = run_file(
        tmp_path,
        creditor,
        "OBL-A,1200.00,COP,2026-11-02T09:00:00Z,pse,R-1",
        "OBL-PAID,50.00,COP,2026-11-02T09:00:00Z,cash,R-2",
        "OBL-ZZZ,70.00,COP,2026-11-02T09:00:00Z,bank_transfer,R-3",
    )

    # Then nothing is rejected: the balance is paid, the rest held, each under its reason
    assert (batch.status, batch.created_count, batch.rejected_count) == ("completed", 1, 0)
    assert Payment.objects.get().amount == Decimal("1120.00")
    owed.refresh_from_db()
    assert (owed.balance, owed.stage) == (Decimal("0.00"), Stage.PAID)
    items = {i.reference: i for i in SuspenseItem.objects.all()}
    assert {r: (i.reason, i.amount) for r, i in items.items()} == {
        "R-1": ("overpayment", Decimal("80.00")),
        "R-2": ("debt_closed", Decimal("50.00")),
        "R-3": ("unknown_reference", Decimal("70.00")),
    }
    assert (items["R-1"].debt, items["R-1"].debtor) == (owed, owed.debtor)
    assert (items["R-2"].debt, items["R-2"].debtor, items["R-2"].method) == (
        paid,
        paid.debtor,
        "cash",
    )
    unknown = items["R-3"]
    assert (unknown.debt, unknown.debtor, unknown.quoted_reference) == (None, None, "OBL-ZZZ")
    assert {i.source for i in items.values()} == {"file"}
    assert unknown.received_at == datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)
    # And the batch reports what it sent to suspense, in count and amount
    expected = {"count": 3, "amounts": {"COP": Decimal("200.00")}}
    assert batch.suspense_summary == expected
    assert batch_suspense_summary(batch=batch) == expected


def test_reimporting_a_file_with_held_money_holds_and_pays_nothing_twice(tmp_path, creditor):
    make_debt(creditor, "OBL-A")
    lines = (
        "OBL-A,1200.00,COP,2026-11-02T09:00:00Z,pse,R-1",
        "OBL-ZZZ,70.00,COP,2026-11-02T09:00:00Z,pse,R-3",
        "OBL-ZZZ,70.00,COP,2026-11-02T09:00:00Z,pse,R-3",
    )
    first = run_file(tmp_path, creditor, *lines)
    assert (first.created_count, first.unchanged_count) == (1, 1)

    # When the same file comes again
    again = run_file(tmp_path, creditor, *lines)

    # Then every row is "already recorded": one payment, two items, as before
    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 3, 0)
    assert (Payment.objects.count(), SuspenseItem.objects.count()) == (1, 2)
    assert again.suspense_summary["count"] == 0


def test_a_held_reference_sent_again_with_another_amount_is_a_row_error(tmp_path, creditor):
    run_file(tmp_path, creditor, "OBL-ZZZ,70.00,COP,2026-11-02,pse,R-3")

    batch = run_file(tmp_path, creditor, "OBL-ZZZ,71.00,COP,2026-11-02,pse,R-3")

    assert [(e.row, e.column) for e in batch.row_errors.all()] == [(2, "reference")]
    assert SuspenseItem.objects.get().amount == Decimal("70.00")


def test_money_held_in_an_unknown_currency_is_a_row_error(tmp_path, creditor):
    batch = run_file(tmp_path, creditor, "OBL-ZZZ,70.00,XYZ,2026-11-02,pse,R-3")

    assert [(e.row, e.column) for e in batch.row_errors.all()] == [(2, "currency")]
    assert not SuspenseItem.objects.exists()


def test_a_dry_run_reports_what_it_would_hold_and_holds_nothing(tmp_path, creditor):
    batch = run_file(tmp_path, creditor, "OBL-ZZZ,70.00,COP,2026-11-02,pse,R-3", dry_run=True)

    assert batch.suspense_summary == {"count": 1, "amounts": {"COP": Decimal("70.00")}}
    assert not SuspenseItem.objects.exists()


def test_each_debtor_country_has_its_order_and_every_payment_its_ledger_entry(tmp_path, creditor):
    # Given a Colombian and a Mexican debtor, each owing 20 fees, 100 interest, 1,000 principal
    co = make_debt(creditor, "OBL-CO", country="CO")
    mx = make_debt(creditor, "OBL-MX", country="MX", currency="MXN")

    # When a file pays 150 on each, then 30 more on each
    batch = run_file(
        tmp_path,
        creditor,
        "OBL-CO,150.00,COP,2026-11-02T09:00:00Z,pse,CO-1",
        "OBL-MX,150.00,MXN,2026-11-02T09:00:00Z,spei,MX-1",
        "OBL-CO,30.00,COP,2026-11-03T09:00:00Z,pse,CO-2",
        "OBL-MX,30.00,MXN,2026-11-03T09:00:00Z,spei,MX-2",
    )
    assert (batch.created_count, batch.rejected_count) == (4, 0)

    # Then the Colombian one goes interest -> principal -> fees (Código Civil art. 1653)
    def split(ref):
        p = Payment.objects.get(reference=ref)
        return (p.allocated_fees, p.allocated_interest, p.allocated_principal)

    assert split("CO-1") == (Decimal("0.00"), Decimal("100.00"), Decimal("50.00"))
    assert split("CO-2") == (Decimal("0.00"), Decimal("0.00"), Decimal("30.00"))
    # And the Mexican one fees -> interest -> principal
    assert split("MX-1") == (Decimal("20.00"), Decimal("100.00"), Decimal("30.00"))
    assert split("MX-2") == (Decimal("0.00"), Decimal("0.00"), Decimal("30.00"))
    co.refresh_from_db()
    mx.refresh_from_db()
    assert (co.fees, co.interest, co.principal, co.balance) == (
        Decimal("20.00"),
        Decimal("0.00"),
        Decimal("920.00"),
        Decimal("940.00"),
    )
    assert (mx.fees, mx.interest, mx.principal, mx.balance) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("940.00"),
        Decimal("940.00"),
    )
    # And each payment has one `payment` entry equal to its allocation, negated, posted on
    # its local day with the debt's stage and days past due, as a single payment gets
    for payment in Payment.objects.all():
        entry = LedgerEntry.objects.get(payment=payment)
        assert (entry.kind, entry.debt_id, entry.creditor_id, entry.currency) == (
            EntryKind.PAYMENT,
            payment.debt_id,
            creditor.pk,
            payment.currency,
        )
        assert (entry.fees, entry.interest, entry.principal, entry.amount) == (
            -payment.allocated_fees,
            -payment.allocated_interest,
            -payment.allocated_principal,
            -payment.amount,
        )
        day = datetime.date(2026, 11, 2 if payment.reference.endswith("1") else 3)
        assert (entry.posted_on, entry.stage, entry.days_past_due) == (
            day,
            Stage.FRIENDLY_REMINDER,
            (day - datetime.date(2026, 10, 1)).days,
        )
    assert LedgerEntry.objects.count() == 4
