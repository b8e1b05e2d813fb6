"""Credit-bureau reporting in Chromium on a 360 px phone: a manager starts a run, reads its
preview (who may be reported and why not), checks it and generates the file; the debtor reads
on their debt's page whether and when it may be reported; in Spanish and in English.
Screenshots: var/screenshots/bureau_*.png."""

import datetime

import pytest
from playwright.sync_api import expect

from portfolio.models import Stage
from tests.bureau.surfaces_helpers import TinyLayout, send_notice
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.e2e.test_portal import last_code, open_and_verify, personal_link
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
SAID = {
    "es": {"switch": None, "new": "Nueva corrida", "of": "1 de 3",
           "check": "Verificar las cuentas", "generate": "Generar el archivo"},
    "en": {"switch": "EN", "new": "New run", "of": "1 of 3",
           "check": "Check the accounts", "generate": "Generate the file"},
}  # fmt: skip


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def tiny_layout():
    from bureau.layouts import base

    base.layouts()
    kept = dict(base._LAYOUTS)
    base.layout_register(TinyLayout())
    yield
    base._LAYOUTS.clear()
    base._LAYOUTS.update(kept)


def _phone(browser):
    context = browser.new_context(
        viewport=PHONE, locale="es-CO", timezone_id="America/Bogota", is_mobile=True,
        has_touch=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_manager_runs_the_month_and_the_debtor_reads_the_outlook(
    live_server, browser, settings, tiny_layout, language
):
    settings.CARTERA_PUBLIC_URL = live_server.url
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="gerente", creditors=[creditor])
    debts = [
        DebtFactory(
            creditor=creditor,
            debt_ref=f"OBL-95{i}",
            due_date=datetime.date(2026, 8, 1),
            stage=Stage.FIRM_NOTICE,
            debtor__document_number=f"10203040{i}0",
            debtor__language=language,
            debtor__timezone="America/Bogota",
        )
        for i in range(3)
    ]
    send_notice(debts[0])
    ContactPointFactory(debtor=debts[0].debtor, channel="sms", value="+573001234050")

    said = SAID[language]
    staff = _phone(browser)
    log_in(staff, live_server, "gerente")
    if said["switch"]:
        staff.get_by_role("button", name=said["switch"], exact=True).click()
    staff.goto(f"{live_server.url}/bureau/")
    expect(staff.get_by_role("link", name=said["new"]).first).to_be_visible()
    shot(staff, f"bureau_01_runs_empty_{language}")
    staff.get_by_role("link", name=said["new"]).first.click()
    staff.locator("select[name=creditor]").select_option(str(creditor.pk))
    staff.locator("select[name=bureau]").select_option("datacredito")
    staff.locator("input[name=cut_off]").fill("2026-11-30")
    staff.locator("main form.stack button[type=submit]").click()
    expect(staff.get_by_test_id("eligibility-reasons")).to_be_visible()
    expect(staff.get_by_test_id("eligibility-summary")).to_contain_text(said["of"])
    shot(staff, f"bureau_02_preview_{language}")
    _fits(staff)

    staff.get_by_role("button", name=said["check"]).click()
    expect(staff.get_by_test_id("run-findings")).to_contain_text("TINY-1")
    staff.get_by_role("button", name=said["generate"]).click()
    expect(staff.get_by_test_id("run-checksum")).to_be_visible()
    shot(staff, f"bureau_03_generated_{language}")
    _fits(staff)
    staff.goto(f"{live_server.url}/bureau/")
    expect(staff.get_by_test_id("bureau-runs")).to_be_visible()
    shot(staff, f"bureau_04_runs_{language}")
    _fits(staff)

    portal = _phone(browser)
    open_and_verify(portal, personal_link(debts[0]), "4000")
    portal.get_by_label("El código de 6 dígitos que te enviamos").fill(last_code())
    portal.get_by_role("button", name="Verificar").click()
    portal.goto(f"{live_server.url}/portal/debts/{debts[0].pk}/")
    section = portal.get_by_test_id("portal-bureau")
    expect(section).to_be_visible()
    expect(section).to_contain_text("Datacrédito")
    section.scroll_into_view_if_needed()
    shot(portal, f"bureau_05_portal_{language}")
    _fits(portal)
