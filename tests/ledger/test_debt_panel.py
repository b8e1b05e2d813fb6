"""The debt page's late interest panel: contract rate, ceiling today, the capped badge and the
interest accrued so far, read with the page's debt (no query of its own)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import business_today
from ledger.models import LedgerSettings
from ledger.selectors.debt_page import debt_rate_panel
from ledger.services.accrual import accrual_run
from portfolio.selectors import debt_detail_get
from tests.factories.ledger import AccrualRuleFactory, UsuryRateFactory
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def covered():
    today = business_today()
    return UsuryRateFactory(
        valid_from=today - datetime.timedelta(days=40), valid_to=today + datetime.timedelta(days=5),
        bank_current_rate=Decimal("17"), usury_rate=Decimal("25.5"), resolution="Res. 77",
    )  # fmt: skip


def _debt(creditor, *, rate, country="CO"):
    debtor = DebtorFactory(creditor=creditor, country=country)
    return DebtFactory(
        creditor=creditor, debtor=debtor, product="personal_loan", contract_rate=rate,
        interest=Decimal(0), fees=Decimal(0), principal=Decimal("1000000"),
        balance=Decimal("1000000"), due_date=business_today() - datetime.timedelta(days=60),
    )  # fmt: skip


def test_a_contract_rate_above_the_usury_rate_shows_capped_with_the_interest_accrued(
    client, manager, creditor, covered
):
    AccrualRuleFactory(
        creditor=creditor, product="personal_loan", valid_from=datetime.date(2020, 1, 1)
    )
    debt = _debt(creditor, rate=Decimal("31"))
    yesterday = business_today() - datetime.timedelta(days=1)
    accrual_run(as_of=yesterday - datetime.timedelta(days=1))
    accrual_run(as_of=yesterday)
    client.force_login(manager)

    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()

    assert 'id="debt-panel-ledger"' in html
    assert 'data-testid="rate-capped"' in html
    assert "25.5000 %" in html and "Res. 77" in html
    debt.refresh_from_db()
    assert debt.interest > 0
    assert f"{debt.interest:,.2f}" in html


def test_a_rate_within_the_ceiling_is_not_badged(client, manager, creditor, covered):
    debt = _debt(creditor, rate=Decimal("20"))
    client.force_login(manager)

    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()

    assert 'data-testid="contract-rate"' in html and 'data-testid="rate-capped"' not in html


def test_the_creditors_maximum_is_the_ceiling_outside_colombia(manager, creditor):
    LedgerSettings.objects.create(
        creditor=creditor, country="MX", application_order="fees_interest_principal",
        max_late_rate=Decimal("40"),
    )  # fmt: skip
    debt = _debt(creditor, rate=Decimal("45"), country="MX")

    panel = debt_rate_panel(debt_detail_get(user=manager, pk=debt.pk))

    assert (panel["ceiling"].rate, panel["ceiling"].source, panel["capped"]) == (
        Decimal(40), "creditor", True,
    )  # fmt: skip


def test_the_panel_reads_nothing_more_when_read_with_the_page(manager, creditor, covered):
    debt = _debt(creditor, rate=Decimal("31"))
    page_debt = debt_detail_get(user=manager, pk=debt.pk, page_reads=True)

    with CaptureQueriesContext(connection) as queries:
        panel = debt_rate_panel(page_debt)

    assert len(queries) == 0
    assert panel["capped"] and panel["ceiling"].resolution == "Res. 77"
    # Alone (a refresh), the same answer
    assert debt_rate_panel(debt_detail_get(user=manager, pk=debt.pk))["capped"]
