"""The payments file import reconciles rows that quote the portal's payment reference."""

from decimal import Decimal

import pytest

from ledger.models import SuspenseItem
from portal.services.payments import payment_reference_for
from portfolio.models import Payment
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.imports.test_payments_import import HEADER, run_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_payment_reference_reconciles_to_its_debt(tmp_path, creditor):
    debt = DebtFactory(creditor=creditor, debt_ref="OBL-77")
    reference = payment_reference_for(debt).reference
    other_creditor = CreditorFactory(code="otro")
    foreign = payment_reference_for(DebtFactory(creditor=other_creditor)).reference
    text = (
        f"{HEADER}\n"
        f"{reference},1000.00,COP,2026-11-30T10:00:00-05:00,pse,BANK-1\n"
        f"OBL-77,500.00,COP,2026-11-30T11:00:00-05:00,cash,BANK-2\n"
        f"{foreign},10.00,COP,2026-11-30T11:00:00-05:00,cash,BANK-3\n"
    )
    batch = run_file(tmp_path, creditor, text)
    assert batch.created_count == 2 and batch.rejected_count == 0
    # Another creditor's reference names no debt of this one: the money is held in suspense
    held = SuspenseItem.objects.get()
    assert (held.reference, held.reason, held.quoted_reference) == (
        "BANK-3",
        "unknown_reference",
        foreign,
    )
    debt.refresh_from_db()
    assert debt.balance == Decimal("1168500.00")
    assert set(Payment.objects.values_list("reference", flat=True)) == {"BANK-1", "BANK-2"}
    # Running the same file again records nothing new.
    again = run_file(tmp_path, creditor, text)
    assert again.created_count == 0 and Payment.objects.count() == 2
    assert again.unchanged_count == 3 and SuspenseItem.objects.count() == 1
