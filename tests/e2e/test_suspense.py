"""The suspense queue in Chromium, in Spanish and in English: a manager finds money held for a
debtor whose debt was already paid, applies part of it to the debtor's other, open debt, and
refunds the rest with the refund's reference behind a confirmation; the item resolves and its
movements name who did what."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ledger.models import SuspenseItem
from portfolio.models import Payment, Stage
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.ledger import SuspenseItemFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_manager_applies_an_item_from_the_queue_and_refunds_the_rest(
    live_server, page, language
):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    manager = ManagerFactory(creditors=[creditor], first_name="Gloria", last_name="Mesa")
    paid = DebtFactory(
        creditor=creditor, debt_ref="OBL-PAGADA", stage=Stage.PAID,
        principal=0, interest=0, fees=0, debtor__full_name="Carlos Andrés Gómez",
    )  # fmt: skip
    open_debt = DebtFactory(creditor=creditor, debtor=paid.debtor, debt_ref="OBL-ABIERTA")
    item = SuspenseItemFactory(debt=paid, amount=Decimal("300000.00"), reference="PSE-4711")

    log_in(page, live_server, manager.username)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # The queue lists the item with its amount and currency; its reference opens it.
    page.goto(f"{live_server.url}/collections/suspense/")
    queue = page.get_by_test_id("suspense-queue")
    expect(queue).to_contain_text("PSE-4711")
    expect(queue).to_contain_text("Carlos Andrés Gómez")
    expect(queue).to_contain_text("300.000,00" if language == "es" else "300,000.00")
    shot(page, f"suspense_00_queue_{language}")
    queue.get_by_role("link", name="PSE-4711").click()

    # Apply 200,000 to the debtor's open debt.
    form = page.get_by_test_id("suspense-apply")
    form.locator("select[name=debt]").select_option(str(open_debt.pk))
    form.locator("input[name=amount]").fill("200000.00")
    shot(page, f"suspense_01_detail_{language}")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("suspense-movements")).to_contain_text("OBL-ABIERTA")
    payment = Payment.objects.get()
    assert (payment.debt, payment.source, payment.amount) == (
        open_debt,
        "suspense",
        Decimal("200000.00"),
    )

    # Refund the 100,000 left, with its reference, accepting the confirmation.
    refund = page.get_by_test_id("suspense-refund")
    refund.locator("input[name=amount]").fill("100000.00")
    refund.locator("input[name=refund_reference]").fill("TRF-0099")
    page.once("dialog", lambda dialog: dialog.accept())
    refund.locator("button[type=submit]").click()
    movements = page.get_by_test_id("suspense-movements")
    expect(movements).to_contain_text("TRF-0099")
    expect(movements).to_contain_text("Gloria Mesa")
    expect(page.get_by_test_id("suspense-apply")).to_have_count(0)
    shot(page, f"suspense_02_resolved_{language}")
    item = SuspenseItem.objects.get(pk=item.pk)
    assert (item.status, item.applied_amount, item.refunded_amount) == (
        "resolved",
        Decimal("200000.00"),
        Decimal("100000.00"),
    )
