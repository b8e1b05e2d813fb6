"""The journal: entries of the manager's creditors, their totals by kind, and the CSV."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from collections_app.services.payments import payment_record
from ledger.models import EntryKind, LedgerEntry
from ledger.services.entries import entry_post
from tests.factories.portfolio import CreditorFactory, DebtFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(creditor):
    # Given a Colombian debt that accrued interest and then received a payment
    debt = DebtFactory(
        creditor=creditor, debt_ref="=HYPERLINK(1)", currency="COP",
        principal=Decimal("1000.00"), interest=Decimal("0"), fees=Decimal("0"),
    )  # fmt: skip
    entry_post(
        debt=debt, kind=EntryKind.ACCRUAL, posted_on=datetime.date(2026, 11, 30),
        interest=Decimal("12.34"),
    )  # fmt: skip
    debt.interest, debt.balance = Decimal("12.34"), Decimal("1012.34")
    debt.save(update_fields=["interest", "balance"])
    payment_record(
        creditor=creditor, debt=debt, amount=Decimal("100.00"), currency="COP",
        paid_at=timezone.now(), method="pse", reference="J-1", source="api",
    )  # fmt: skip
    # and another creditor's entry the manager must not see
    other = DebtFactory(creditor=CreditorFactory(), currency="COP")
    entry_post(
        debt=other, kind=EntryKind.ACCRUAL, posted_on=datetime.date(2026, 11, 30),
        interest=Decimal("777.77"),
    )  # fmt: skip
    return debt


def test_journal_lists_the_managers_entries_with_totals_by_kind(client, manager, books):
    client.force_login(manager)

    response = client.get("/ledger/journal/")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-entry="') == 2
    assert "777.77" not in body
    totals = {row["kind"]: row for row in response.context["totals"]}
    # The payment went to interest first (Colombia), then principal.
    assert totals[EntryKind.PAYMENT]["interest"] == Decimal("-12.34")
    assert totals[EntryKind.PAYMENT]["principal"] == Decimal("-87.66")
    assert totals[EntryKind.ACCRUAL]["amount"] == Decimal("12.34")


def test_journal_filters_by_kind_and_refuses_bad_dates(client, manager, books):
    client.force_login(manager)

    only = client.get("/ledger/journal/", {"kind": "accrual"})
    bad = client.get("/ledger/journal/", {"date_from": "2026-12-01", "date_to": "2026-11-01"})

    assert only.status_code == 200 and only.content.decode().count('data-entry="') == 1
    assert bad.status_code == 400
    assert "The end date is before the start date." in bad.content.decode()


def test_journal_csv_is_formula_safe_and_recorded(client, manager, books):
    client.force_login(manager)

    response = client.get("/ledger/journal/export.csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["entry_id", "business_date", "recorded_at", "debt_ref", "kind"]
    assert len(rows) == 3
    assert all(row[3] == "'=HYPERLINK(1)" for row in rows[1:])
    assert sum(Decimal(r[9]) for r in rows[1:]) == sum(
        e.amount for e in LedgerEntry.objects.filter(debt=books)
    )
