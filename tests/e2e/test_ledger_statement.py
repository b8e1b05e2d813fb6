"""The account statement in Chromium, in Spanish and in English: a manager opens it from the debt
page (the movements, the running balance, a period), and the debtor sees in the portal how each
of their payments was applied, a reversed one marked, with the late interest and the balance."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from core.dates import business_today
from core.money import format_money
from portfolio.models import Stage
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.e2e.test_portal import PHONE, last_code, open_and_verify, personal_link
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory
from tests.ledger.statement_helpers import accrue, pay, reverse_payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _money(amount: str, language: str) -> str:
    with translation.override(language):
        return format_money(Decimal(amount), "COP")


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_statement_from_the_debt_page_and_the_portals_payments(
    live_server, page, browser, settings, language
):
    settings.CARTERA_PUBLIC_URL = live_server.url
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    manager = ManagerFactory(creditors=[creditor])
    debt = DebtFactory(
        creditor=creditor,
        debt_ref="OBL-3101",
        stage=Stage.FIRM_NOTICE,
        due_date=business_today() - datetime.timedelta(days=60),
        principal=Decimal("1000000.00"),
        interest=Decimal("150000.00"),
        fees=Decimal("20000.00"),
        debtor__full_name="Ana María Pérez",
        debtor__document_number="1020304050",
        debtor__language="es",
    )
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001234050")
    # Paid twice in Colombian order (interest first), a day of late interest, one bounced.
    pay(debt, "100000.00", "PSE-001", 2)
    accrue(debt, "4500.00", 4)
    bounced = pay(debt, "210000.00", "PSE-002", 5)
    reverse_payment(bounced, 6)
    pay(debt, "60000.00", "PSE-003", 9)
    debt.refresh_from_db()

    # The manager opens the statement from the debt page.
    log_in(page, live_server, manager.username)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server.url}/debts/{debt.pk}/")
    page.locator("#debt-statement-link").click()
    lines = page.locator("#statement-lines tbody tr")
    expect(lines).to_have_count(5)
    expect(page.locator("#statement-lines")).to_contain_text("PSE-002")
    expect(page.locator('#statement-lines tr[data-kind="reversal"]')).to_have_count(1)
    expect(page.locator("#statement-closing")).to_contain_text(_money(debt.balance, language))
    expect(page.locator("#statement-csv")).to_be_visible()
    expect(page.locator("#statement-pdf")).to_be_visible()
    shot(page, f"ledger_statement_01_{language}")

    # A period: the lines of those days, opening with what came before.
    page.locator("input[name=from]").fill("2026-11-04")
    page.locator("input[name=to]").fill("2026-11-06")
    page.locator("form.filterbar button[type=submit]").click()
    expect(lines).to_have_count(3)
    expect(page.locator("#statement-balances")).to_contain_text(_money("1070000.00", language))
    shot(page, f"ledger_statement_02_period_{language}")
    # An impossible period is refused with a message.
    page.goto(f"{live_server.url}/ledger/debts/{debt.pk}/statement/?from=2026-11-09&to=2026-11-01")
    expect(page.locator("#statement-invalid")).to_be_visible()
    expect(page.locator(".field-error")).to_be_visible()

    # The debtor opens the debt in the portal, on their phone.
    phone_context = browser.new_context(
        viewport=PHONE, locale="es-CO", timezone_id="America/Bogota", is_mobile=True
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    try:
        open_and_verify(phone, personal_link(debt), "4050")
        phone.get_by_label("El código de 6 dígitos que te enviamos").fill(last_code())
        phone.get_by_role("button", name="Verificar").click()
        if language == "en":
            phone.get_by_role("button", name="English").click()
        expect(phone.locator("html")).to_have_attribute("lang", language)
        phone.goto(f"{live_server.url}/portal/debts/{debt.pk}/")
        section = phone.locator("#payments-applied")
        payments = section.get_by_test_id("payment-applied")
        expect(payments).to_have_count(3)
        # newest first: 60,000 all to principal; then the bounced one, marked, with its split
        expect(payments.nth(0)).to_contain_text(_money("60000.00", language))
        expect(payments.nth(1).locator(".p-reversed")).to_be_visible()
        expect(payments.nth(1)).to_contain_text(_money("54500.00", language))
        expect(payments.nth(1)).to_contain_text(_money("155500.00", language))
        expect(payments.nth(2).locator(".p-reversed")).to_have_count(0)
        expect(section.get_by_test_id("late-interest")).to_contain_text(_money("4500.00", language))
        expect(section.get_by_test_id("balance-today")).to_contain_text(
            _money(debt.balance, language)
        )
        # The page fits the phone: nothing scrolls sideways.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        section.scroll_into_view_if_needed()
        shot(phone, f"ledger_statement_03_portal_{language}")
    finally:
        phone_context.close()
