"""A file that restates a debt's figures posts the difference to the ledger as an adjustment,
so the debt's books still add up (the statement's closing is the debt)."""

from decimal import Decimal

import pytest

from core.dates import business_today
from ledger.models import EntryKind, LedgerEntry
from ledger.selectors.statement import debt_statement
from ledger.services.entries import entry_post
from portfolio.models import Debt
from tests.imports.test_import_service import csv_bytes, row, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_restated_debt_posts_its_difference_as_an_adjustment(creditor):
    # Given a debt loaded from a file, on which Cartera then accrued late interest
    run(
        creditor,
        csv_bytes(
            row(
                debt_ref="A",
                original_amount="1000000",
                principal="900000",
                interest="10000",
                fees="0",
            )
        ),
    )
    debt = Debt.objects.get(debt_ref="A")
    entry_post(debt=debt, kind=EntryKind.ACCRUAL, posted_on=business_today(),
               interest=Decimal("2500.00"))  # fmt: skip
    Debt.objects.filter(pk=debt.pk).update(
        interest=Decimal("12500.00"), balance=Decimal("912500.00")
    )

    # When the creditor's next file restates it (principal paid down at the bank, its own
    # interest figure, a fee)
    batch = run(
        creditor,
        csv_bytes(
            row(
                debt_ref="A",
                original_amount="1000000",
                principal="850000",
                interest="11000",
                fees="5000",
            )
        ),
        name="b.csv",
    )

    # Then the change is one adjustment entry of exactly the difference
    assert batch.updated_count == 1
    (adjustment,) = LedgerEntry.objects.filter(debt=debt, kind=EntryKind.ADJUSTMENT)
    assert (adjustment.principal, adjustment.interest, adjustment.fees, adjustment.amount) == (
        Decimal("-50000.00"), Decimal("-1500.00"), Decimal("5000.00"), Decimal("-46500.00"),
    )  # fmt: skip
    assert adjustment.memo == f"import #{batch.pk}"
    # and the statement still closes on the debt's own figures
    debt.refresh_from_db()
    closing = debt_statement(debt=debt).closing
    assert (closing.principal, closing.interest, closing.fees) == (
        debt.principal, debt.interest, debt.fees,
    )  # fmt: skip


def test_a_file_that_changes_no_figure_posts_nothing(creditor):
    run(creditor, csv_bytes(row(debt_ref="A")))
    # the same debt with only its opened date changed
    run(creditor, csv_bytes(row(debt_ref="A", opened_date="2024-02-01")), name="b.csv")

    assert not LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
