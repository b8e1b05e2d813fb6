"""Browser fixtures: Playwright (sync API) driving Debian's Chromium; never `playwright install`."""

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from collections_app.models import EscalationPolicy
from collections_app.services.policies import policy_ensure_defaults
from core.dates import business_today
from legal.models import LegalCase
from tests.analytics.helpers import pay, run
from tests.factories.legal import LawFirmFactory, make_case
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (factories, assertions) are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}
# The staff pages' phone (the portal's tests use a 360 px one of their own).
PHONE_390 = {"width": 390, "height": 844}
# A Colombian browser: Accept-Language es-CO, so staff pages start in Spanish as in production.
STAFF_BROWSER = {"viewport": DESKTOP, "locale": "es-CO", "timezone_id": "America/Bogota"}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def require_chromium(path: str = CHROMIUM) -> None:
    """Fail the browser tests with one line that says what to do when Chromium is missing."""
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium is not at {path}: `make test` installs it (Debian's chromium package, "
            "apt-get install chromium), or leave the browser tests out with -m 'not e2e'.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(new_page):
    return new_page(**STAFF_BROWSER)


@pytest.fixture
def new_page(browser):
    """Opens a page in a browser context of its own (`browser.new_context`'s keywords: a
    viewport, a locale, a phone's touch...); every context opened is closed after the test."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as var/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, live_server, username):
    """Sign a staff user in through the Spanish login page (factories' password)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill("pass-1234")
    page.get_by_role("button", name="Iniciar sesión").click()


def in_language(page, language):
    """Staff pages start in Spanish (the browser's es-CO); switch the page to English when
    `language` is "en", through the header's language switch."""
    if language == "en":
        page.locator(".topbar .langswitch button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_findings(page, name: str, *, impacts=SERIOUS) -> list[str]:
    """axe-core's violations on the page, of the given impacts, one line each ("name: axe
    rule (impact) [targets]"). axe-core goes in as an inline script: the page's context must
    bypass the CSP (browser.new_context(bypass_csp=True))."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{name}: axe {violation['id']} ({violation['impact']})"
        f" {[node['target'] for node in violation['nodes']][:5]}"
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


@pytest.fixture
def staff_book(db):
    """Two creditors (COP and MXN) under the manager `directora`, the collector `gestor`'s
    cases (one in pre-legal with a payment, one due today), a law firm with a long name, the
    lawyer `abogada`'s filed case with a 23-digit number, yesterday's KPIs and the default
    policy: what the staff pages' layout and accessibility tests open."""
    andino = CreditorFactory(code="banco-andino", name="Banco Andino")
    finzo = CreditorFactory(code="finzo", name="Finzo", country="MX")
    ManagerFactory(username="directora", creditors=[andino, finzo])
    collector = CollectorFactory(username="gestor", first_name="Ana", last_name="Ruiz")
    today = business_today()
    big = DebtFactory(
        creditor=andino,
        debt_ref="AND-BIG",
        principal=Decimal("32976457.85"),
        interest=0,
        fees=0,
        due_date=today - datetime.timedelta(days=87),
        stage="pre_legal",
        assigned_to=collector,
    )
    # Due today: tomorrow's cycle plans its friendly reminder, with the portal link in it.
    due = DebtFactory(creditor=andino, debt_ref="AND-DUE", due_date=today, assigned_to=collector)
    ContactPointFactory(debtor=due.debtor, channel="email")
    mx = DebtFactory(creditor=finzo, debt_ref="FZ-1", currency="MXN", principal=Decimal("15000"))
    firm = LawFirmFactory(
        name="Cobranza Jurídica Andina y Asociados del Valle S.A.S.", creditors=[andino]
    )
    lawyer = LawyerFactory(username="abogada", firms=[firm])
    # A Colombian case number (radicado) has 23 digits and no place to break.
    filed = make_case(firm=firm, creditor=andino, lawyer=lawyer)
    LegalCase.objects.filter(pk=filed.pk).update(case_number="11001310300312026000001")
    make_case(firm=firm, creditor=andino)
    yesterday = today - datetime.timedelta(days=1)
    pay(big, "200000", yesterday, "W-1")
    pay(mx, "3000", yesterday, "W-2")
    run(yesterday)
    policy_ensure_defaults(creditors=[andino])
    return {
        "big": big,
        "policy": EscalationPolicy.objects.get(creditor=andino),
        "case": filed,
    }


def legal_kpis_url() -> str:
    """The legal KPIs over last year and this one (staff_book's cases are this year's)."""
    year = business_today().year
    return f"{reverse('legal:kpis')}?from={year - 1}-01-01&to={year}-12-31"
