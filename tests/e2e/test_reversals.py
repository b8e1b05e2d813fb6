"""A manager reverses a payment from the debt page, in Chromium, in Spanish and in English: the
Reverse button opens a confirmation dialog (reason and note); confirming swaps the payments list
in place (htmx) with the payment struck and "reversed on … (reason)", and the debt owes it
again."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from collections_app.services.payments import payment_record
from collections_app.services.policies import policy_ensure_defaults
from ledger.models import PaymentReversal
from portfolio.models import Debt, Stage
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_manager_reverses_a_payment_from_the_debt_page(live_server, page, language):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    policy_ensure_defaults(creditors=[creditor])
    manager = ManagerFactory(creditors=[creditor])
    debt = DebtFactory(
        creditor=creditor,
        debt_ref="OBL-3001",
        debtor__full_name="Carlos Andrés Gómez",
        principal=Decimal("900000.00"),
        interest=Decimal("90000.00"),
        fees=Decimal("10000.00"),
        due_date=datetime.date(2026, 10, 1),
    )
    ContactPointFactory(debtor=debt.debtor)
    # Paid in full by a transfer that later bounced.
    payment, _created = payment_record(
        creditor=creditor,
        debt=debt,
        amount=Decimal("1000000.00"),
        currency="COP",
        paid_at=datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC),
        method="pse",
        reference="PSE-778",
        source="api",
    )
    assert Debt.objects.get(pk=debt.pk).stage == Stage.PAID

    log_in(page, live_server, manager.username)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server.url}/debts/{debt.pk}/")
    payments = page.get_by_test_id("debt-payments")
    expect(payments).to_contain_text("PSE-778")

    # The dialog asks for a reason first: confirming without one sends nothing.
    page.get_by_test_id(f"open-reverse-{payment.pk}").click()
    dialog = page.locator(f"#reverse-{payment.pk}")
    expect(dialog).to_be_visible()
    page.get_by_test_id(f"confirm-reverse-{payment.pk}").click()
    expect(dialog).to_be_visible()
    assert not PaymentReversal.objects.exists()
    dialog.locator("select[name=reason]").select_option("bounced")
    dialog.locator("textarea[name=note]").fill("Rechazada por el banco: cuenta embargada")
    shot(page, f"reversal_00_dialog_{language}")
    page.get_by_test_id(f"confirm-reverse-{payment.pk}").click()

    # The payments list is swapped in place: the payment is struck, with when and why.
    reversed_tag = page.get_by_test_id("reversed")
    expect(reversed_tag).to_be_visible()
    expect(page.locator(f"tr[data-payment='{payment.pk}'] s")).to_be_visible()
    expect(page.get_by_test_id(f"open-reverse-{payment.pk}")).to_have_count(0)
    expect(page.get_by_test_id("payments-messages")).to_contain_text("PSE-778")
    expect(page.locator(f"#reverse-{payment.pk}")).to_have_count(0)
    shot(page, f"reversal_01_reversed_{language}")

    reversal = PaymentReversal.objects.get(payment=payment)
    assert (reversal.reason, reversal.source, reversal.reversed_by) == (
        "bounced",
        "staff",
        manager,
    )
    debt.refresh_from_db()
    assert debt.balance == Decimal("1000000.00") and debt.stage != Stage.PAID

    # The corrections page lists it.
    page.goto(f"{live_server.url}/collections/reversals/")
    expect(page.get_by_test_id("reversals")).to_contain_text("PSE-778")
    expect(page.get_by_test_id("reversals")).to_contain_text("OBL-3001")
    shot(page, f"reversal_02_list_{language}")
