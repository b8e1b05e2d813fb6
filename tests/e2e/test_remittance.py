"""A remittance statement end to end in Chromium, in Spanish and in English: a manager finds no
statement yet, prepares last month's for their creditor (a payment at 10 % by stage and one no
rate matches, which the statement warns about), sees its totals and lines, and issues it through
its confirmation dialog; its PDF's SHA-256 is then shown.

The pages' own texts are located by ids and test ids: their Spanish arrives with the catalogue
at merge, and the test must not depend on which words it picks."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.dates import business_today
from ledger.models import Remittance, RemittanceStatus
from portfolio.models import Stage
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.ledger import CommissionRateFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory
from tests.ledger.remittance_helpers import pay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_prepare_and_issue_a_remittance(live_server, page, language):
    # Given last month's payments for a creditor with a commission by stage
    end = business_today().replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(day=1)
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    CommissionRateFactory(
        creditor=creditor, stage=Stage.FRIENDLY_REMINDER, percent=Decimal("10"),
        valid_from=start - datetime.timedelta(days=60),
    )  # fmt: skip
    rated = DebtFactory(
        creditor=creditor, stage=Stage.FRIENDLY_REMINDER, debt_ref="OBL-3001",
        debtor__full_name="Carlos Andrés Gómez", due_date=start - datetime.timedelta(days=20),
    )  # fmt: skip
    unrated = DebtFactory(
        creditor=creditor, stage=Stage.PRE_LEGAL, debt_ref="OBL-3002",
        debtor__full_name="Lucía Restrepo", due_date=start - datetime.timedelta(days=70),
    )  # fmt: skip
    pay(rated, "200000.00", start + datetime.timedelta(days=4))
    pay(unrated, "50000.00", start + datetime.timedelta(days=9))
    ManagerFactory(username="tesorera", creditors=[creditor])

    log_in(page, live_server, "tesorera")
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)

    # No statement yet
    page.goto(f"{live_server.url}/ledger/remittances/")
    expect(page.locator(".empty-state")).to_be_visible()
    expect(page.locator(".ledger-nav a[aria-current=page]")).to_have_count(1)
    _shot(page, f"remittance-list-empty-{language}")

    # The manager prepares last month's statement
    page.get_by_test_id("remittance-new").click()
    form = page.get_by_test_id("remittance-form")
    form.locator("#id_creditor").select_option(str(creditor.pk))
    form.locator("#id_currency").fill("COP")
    form.locator("#id_period_start").fill(start.isoformat())
    form.locator("#id_period_end").fill(end.isoformat())
    _shot(page, f"remittance-new-{language}")
    form.locator("button[type=submit]").click()

    remittance = Remittance.objects.get()
    expect(page).to_have_url(f"{live_server.url}/ledger/remittances/{remittance.pk}/")
    assert (remittance.collected, remittance.commission, remittance.net) == (
        Decimal("250000.00"), Decimal("20000.00"), Decimal("230000.00"),
    )  # fmt: skip
    lines = page.get_by_test_id("remittance-lines")
    expect(lines.locator("tbody tr")).to_have_count(2)
    expect(lines).to_contain_text("Carlos Andrés Gómez")
    expect(page.get_by_test_id("remittance-warnings")).to_be_visible()
    expect(page.get_by_test_id("no-rate")).to_have_count(1)
    expect(page.get_by_test_id("total-net")).to_contain_text("230")
    _shot(page, f"remittance-draft-{language}")

    # Issued only through its confirmation dialog
    page.get_by_test_id("open-dlg-issue").click()
    expect(page.locator("#dlg-issue")).to_be_visible()
    _shot(page, f"remittance-issue-dialog-{language}")
    page.get_by_test_id("confirm-dlg-issue").click()
    expect(page.locator(".message--success")).to_be_visible()
    remittance.refresh_from_db()
    assert remittance.status == RemittanceStatus.ISSUED
    expect(page.get_by_test_id("remittance-checksum")).to_have_text(remittance.pdf_sha256)
    expect(page.get_by_test_id("open-dlg-void")).to_have_count(0)
    _shot(page, f"remittance-issued-{language}")

    # Listed as issued
    page.locator(".breadcrumb a").click()
    expect(page.get_by_test_id("remittances").locator("tbody tr")).to_have_count(1)
