"""The book rules and the certified usury rates, in Chromium, in Spanish and in English: the
manager adds a collection fee (refused without its disclosure, then saved), a new late interest
rule version, and loads the Superintendencia's certified rate (usury computed as 1.5 × IBC)."""

import pytest
from playwright.sync_api import expect

from core.dates import business_today
from ledger.models import AccrualRule, FeeRule, UsuryRate
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_manager_sets_fees_rules_and_the_usury_rate(live_server, page, language):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    manager = ManagerFactory(creditors=[creditor])

    # Decimals are shown in the page's language (10,00 in Spanish).
    sep = "," if language == "es" else "."
    log_in(page, live_server, manager.username)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server.url}/ledger/rules/")
    expect(page.locator(".ledger-nav [aria-current=page]")).to_be_visible()

    # A fee without saying how it was disclosed is refused.
    fee = page.get_by_test_id("fee-form")
    fee.locator("select[name=fee-stage]").select_option("firm_notice")
    fee.locator("input[name=fee-percent]").fill("10")
    fee.locator("input[name=fee-disclosed_on]").fill("2026-01-15")
    fee.locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-form").locator(".field-error").first).to_be_visible()
    assert not FeeRule.objects.exists()
    page.get_by_test_id("fee-form").locator("textarea[name=fee-disclosure]").fill(
        "Cláusula 12 del pagaré y carta de bienvenida."
    )
    page.get_by_test_id("fee-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("fee-rules")).to_contain_text(f"10{sep}00")
    assert FeeRule.objects.get().created_by == manager

    # A new late interest rule version from today.
    accrual = page.get_by_test_id("accrual-form")
    accrual.locator("select[name=accrual-product]").select_option("credit_card")
    accrual.locator("input[name=accrual-valid_from]").fill(business_today().isoformat())
    accrual.locator("input[name=accrual-annual_rate]").fill("24.5")
    accrual.locator("button[type=submit]").click()
    expect(page.get_by_test_id("accrual-rules")).to_contain_text(f"24{sep}5000")
    assert AccrualRule.objects.get().created_by == manager
    shot(page, f"ledger_rules_{language}")

    # The certified usury rate.
    page.goto(f"{live_server.url}/ledger/usury/")
    form = page.get_by_test_id("usury-form")
    form.locator("input[name=valid_from]").fill("2026-07-01")
    form.locator("input[name=valid_to]").fill("2026-07-31")
    form.locator("input[name=bank_current_rate]").fill("16.5")
    form.locator("input[name=resolution]").fill("Resolución 0890 de 2026")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("usury-rates")).to_contain_text(f"24{sep}7500")
    assert UsuryRate.objects.get().loaded_by == manager
    shot(page, f"ledger_usury_{language}")
