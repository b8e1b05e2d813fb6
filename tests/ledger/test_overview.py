"""The ledger's front page: open suspense per currency, drafts, the missing usury rate."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.models import SuspenseItem, SuspenseReason
from tests.factories.ledger import UsuryRateFactory
from tests.factories.portfolio import CreditorFactory

pytestmark = pytest.mark.django_db


def test_overview_shows_open_suspense_of_the_managers_creditors_only(client, manager, creditor):
    # Given money in suspense for the manager's creditor and for another creditor
    for owner, amount in ((creditor, "150000.00"), (CreditorFactory(), "999.00")):
        SuspenseItem.objects.create(
            creditor=owner, amount=Decimal(amount), currency="COP",
            received_at=timezone.now(), business_date=datetime.date(2026, 12, 1),
            reference=f"R-{amount}", method="pse", source="portal",
            reason=SuspenseReason.DEBT_CLOSED,
        )  # fmt: skip
    client.force_login(manager)

    response = client.get("/ledger/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="suspense-totals"' in body
    assert "150,000.00" in body and "999.00" not in body


def test_overview_warns_when_no_usury_rate_covers_today(client, manager, creditor):
    client.force_login(manager)
    assert 'id="usury-missing"' in client.get("/ledger/").content.decode()

    today = timezone.localdate()
    UsuryRateFactory(valid_from=today - datetime.timedelta(days=3), valid_to=today)
    assert 'id="usury-missing"' not in client.get("/ledger/").content.decode()


def test_collectors_may_not_open_the_ledger(client, collector):
    client.force_login(collector)
    assert client.get("/ledger/").status_code == 403
