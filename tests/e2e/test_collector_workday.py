"""A collector's day in Chromium, in Spanish and in English: signing in lands on the queue; the
queue leaves legal debts to counsel, puts debts not yet due last and says who may be called
now; the case page's first screen (1366×768) holds the phones, balance, stage and log form;
logging a contact is confirmed in place and refreshes the panels it touched; "save and next"
goes on to the next case; a manager lands on the dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agreements.models import PromiseToPay
from collections_app.models import Interaction
from core.dates import business_today
from portfolio.models import Stage, Task
from tests.collections_app.workspace_helpers import DAY_ZONE, NIGHT_ZONE
from tests.e2e.conftest import DESKTOP, SCREENSHOTS
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contact_hours"),
]

TEXT = {
    "es": {
        "queue": "Mi cartera de hoy",
        "dashboard": "Tablero",
        "callable": "Se puede llamar ahora",
        "from_seven": "Desde las 07:00",
        "not_due": "Sin vencer",
        "no_consent": "No se puede llamar",
        "logged": "Gestión registrada: Llamada saliente · Promesa de pago.",
        "promise": "Promesa de pago de $300.000,00",
        "amount": "$300.000,00",
        "header_promise": "Promesa: $300.000,00",
        "no_answer": "Gestión registrada: Llamada saliente · No contesta.",
        "callback": "Nueva llamada programada para el",
    },
    "en": {
        "queue": "My queue today",
        "dashboard": "Dashboard",
        "callable": "Callable now",
        "from_seven": "From 07:00",
        "not_due": "Not yet due",
        "no_consent": "Not callable",
        "logged": "Contact logged: Outbound call · Promise to pay.",
        "promise": "Promise to pay of COP\xa0300,000.00",
        "amount": "COP\xa0300,000.00",
        "header_promise": "Promise: COP\xa0300,000.00",
        "no_answer": "Contact logged: Outbound call · No answer.",
        "callback": "Callback scheduled for",
    },
}
LANGUAGES = pytest.mark.parametrize("lang", ["es", "en"])


def log_in(page, live_server, username, lang):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill("pass-1234")
    page.get_by_role("button", name="Iniciar sesión").click()
    if lang == "en":
        page.locator("button[value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def case_url(live_server, debt) -> str:
    return f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}"


def make_debt(creditor, collector, ref, principal="1000000.00", *, zone=DAY_ZONE, **kwargs):
    debtor = DebtorFactory(creditor=creditor, timezone=zone, full_name=f"Deudor {ref}")
    ContactPointFactory(debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}")
    kwargs.setdefault("stage", Stage.FIRM_NOTICE)
    kwargs.setdefault("due_date", business_today() - datetime.timedelta(days=30))
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref=ref,
        assigned_to=collector,
        principal=Decimal(principal),
        interest=Decimal("150000.00"),
        fees=Decimal("50000.00"),
        **kwargs,
    )


def business_today_at(hour):
    return timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0)


def first_screen(page, name):
    """What the collector sees without scrolling (the viewport only)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def within_first_screen(locator):
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"], (locator, box)


@LANGUAGES
def test_each_role_lands_on_its_own_start_page(live_server, page, lang):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    CollectorFactory(username="gestor")
    ManagerFactory(username="directora", creditors=[creditor])

    log_in(page, live_server, "gestor", lang)
    expect(page).to_have_url(f"{live_server.url}{reverse('collections:queue')}")
    expect(page.locator("h1")).to_have_text(TEXT[lang]["queue"])

    page.context.clear_cookies()
    log_in(page, live_server, "directora", lang)
    expect(page).to_have_url(f"{live_server.url}{reverse('analytics:dashboard')}")
    expect(page.locator("h1").first).to_have_text(TEXT[lang]["dashboard"])


@LANGUAGES
def test_the_queue_leaves_legal_to_counsel_puts_not_yet_due_last_and_says_who_to_call(
    live_server, page, screenshot, lang
):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    # the biggest balances: a legal-stage debt and one not due for five days
    make_debt(creditor, collector, "OBL-LEGAL", "90000000.00", stage=Stage.LEGAL)
    make_debt(
        creditor, collector, "OBL-NOT-DUE", "80000000.00", stage=Stage.CURRENT,
        due_date=business_today() + datetime.timedelta(days=5),
    )  # fmt: skip
    make_debt(creditor, collector, "OBL-DAY", "2000000.00")
    make_debt(creditor, collector, "OBL-NIGHT", "1000000.00", zone=NIGHT_ZONE)

    log_in(page, live_server, "gestor", lang)

    rows = page.locator("[data-testid=queue] tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("queue")).not_to_contain_text("OBL-LEGAL")
    expect(rows.nth(0)).to_contain_text("OBL-DAY")
    expect(rows.nth(0).get_by_test_id("call-status")).to_contain_text(TEXT[lang]["callable"])
    expect(rows.nth(1)).to_contain_text("OBL-NIGHT")
    expect(rows.nth(1).get_by_test_id("call-status")).to_contain_text(TEXT[lang]["from_seven"])
    expect(rows.nth(1).get_by_test_id("call-status")).to_contain_text("CO-WINDOW")
    expect(rows.nth(2)).to_contain_text("OBL-NOT-DUE")
    expect(rows.nth(2)).to_contain_text(TEXT[lang]["not_due"])
    screenshot(f"collector-queue-{lang}")


@LANGUAGES
def test_the_case_page_first_screen_holds_the_phones_balance_stage_and_log_form(
    live_server, page, screenshot, lang
):
    # given a case with two numbers (one the debtor withdrew consent from), a pending
    # promise and earlier contacts: a full header
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    debt = make_debt(creditor, collector, "OBL-00012345", "4500000.00")
    ContactPointFactory(
        debtor=debt.debtor, channel="voice", value="+573009999999", consent_granted=False
    )
    ContactPointFactory(debtor=debt.debtor, channel="email", value="deudor@example.com")
    PromiseToPay.objects.create(
        debt=debt, debtor=debt.debtor, amount=Decimal("500000"), currency="COP",
        promised_date=business_today() + datetime.timedelta(days=2), channel="phone",
        made_on=business_today() - datetime.timedelta(days=3),
    )  # fmt: skip
    for days in range(1, 6):
        Interaction.objects.create(
            debt=debt, debtor=debt.debtor, collector=collector, channel="call",
            outcome="no_answer", note=f"Intento {days}",
            occurred_at=business_today_at(10) - datetime.timedelta(days=days),
        )  # fmt: skip

    log_in(page, live_server, "gestor", lang)
    page.locator("#next-case").click()
    expect(page).to_have_url(case_url(live_server, debt))

    # then, without scrolling: the phones (each with whether it may be called now), the
    # balance, the stage and the log form down to its buttons
    phones = page.get_by_test_id("phone")
    expect(phones).to_have_count(2)
    expect(phones.nth(0).get_by_test_id("call-status")).to_have_text(TEXT[lang]["callable"])
    expect(phones.nth(0).get_by_test_id("call-button")).to_be_visible()
    expect(phones.nth(1).get_by_test_id("call-status")).to_contain_text(TEXT[lang]["no_consent"])
    expect(phones.nth(1).get_by_test_id("call-button")).to_have_count(0)
    for locator in (
        phones.nth(0),
        phones.nth(1),
        page.get_by_test_id("balance"),
        page.get_by_test_id("stage"),
        page.get_by_test_id("outcomes"),
        page.get_by_test_id("save-next"),
        page.get_by_test_id("save"),
    ):
        within_first_screen(locator)
    assert page.evaluate("window.scrollY") == 0
    # and the history is folded below
    expect(page.locator("#case-history")).not_to_have_attribute("open", "")
    expect(page.locator("#history")).not_to_have_attribute("open", "")
    expect(page.get_by_test_id("timeline")).to_be_hidden()
    first_screen(page, f"collector-case-first-screen-{lang}")
    screenshot(f"collector-case-{lang}")


@LANGUAGES
def test_a_logged_promise_is_confirmed_in_place_and_refreshes_the_panels(live_server, page, lang):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    debt = make_debt(creditor, collector, "OBL-1", "9000000.00")
    other = make_debt(creditor, collector, "OBL-2")
    log_in(page, live_server, "gestor", lang)
    page.goto(case_url(live_server, debt))
    panel = page.get_by_test_id("case-panel")
    expect(panel.get_by_test_id("call-status")).to_have_text(TEXT[lang]["callable"])

    # when the collector presses 2 (promise): only the promise's fields show, amount first
    amount, date = panel.locator("[name=promise_amount]"), panel.locator("[name=promise_date]")
    expect(amount).to_be_hidden()
    page.keyboard.press("2")
    expect(amount).to_be_focused()
    expect(date).to_be_visible()
    expect(panel.locator("[name=callback_at]")).to_be_hidden()
    expect(panel.locator("[name=dispute_reason]")).to_be_hidden()
    page.keyboard.type("300000")
    date.fill((business_today() + datetime.timedelta(days=4)).isoformat())
    panel.get_by_test_id("save").click()

    # then the panel itself confirms what was recorded
    confirmation = page.get_by_test_id("log-confirmation")
    expect(confirmation).to_contain_text(TEXT[lang]["logged"])
    expect(confirmation).to_contain_text(TEXT[lang]["promise"])
    # and, without reloading, the agreements panel lists the promise, the header shows it
    # and the phone is no longer callable today (one contact a day)
    expect(page.locator("#agreements")).to_contain_text(TEXT[lang]["amount"])
    expect(page.get_by_test_id("promise-note")).to_contain_text(TEXT[lang]["header_promise"])
    expect(page.get_by_test_id("case-panel").get_by_test_id("call-status")).not_to_have_text(
        TEXT[lang]["callable"]
    )
    outcome = "Promise to pay" if lang == "en" else "Promesa de pago"
    expect(page.get_by_test_id("timeline-latest")).to_contain_text(outcome)
    assert PromiseToPay.objects.get(debt=debt).amount == Decimal("300000")
    first_screen(page, f"collector-case-logged-{lang}")

    # and the next case opened shows no stale confirmation of this one
    page.goto(case_url(live_server, other))
    expect(page.get_by_test_id("case-panel")).to_be_visible()
    expect(page.locator(".messages")).to_have_count(0)


@LANGUAGES
def test_save_and_next_logs_the_outcome_and_opens_the_next_case(live_server, page, lang):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    first = make_debt(creditor, collector, "OBL-A", "9000000.00")
    second = make_debt(creditor, collector, "OBL-B", "5000000.00")
    third = make_debt(creditor, collector, "OBL-C", "1000000.00")
    log_in(page, live_server, "gestor", lang)
    page.locator("#next-case").click()
    expect(page).to_have_url(case_url(live_server, first))

    # when the collector presses 1 (no answer) and "save and next"
    page.keyboard.press("1")
    page.get_by_test_id("save-next").click()

    # then the next case of the queue opens, saying what was logged on the first
    expect(page).to_have_url(case_url(live_server, second))
    expect(page.locator(".messages")).to_contain_text("OBL-A")
    expect(page.locator(".messages")).to_contain_text(TEXT[lang]["no_answer"])
    assert Interaction.objects.get(debt=first).outcome == "no_answer"

    # and a callback (key 3) asks for its time only, then goes on to the third case
    page.keyboard.press("3")
    callback = page.locator("[data-testid=case-panel] [name=callback_at]")
    expect(callback).to_be_focused()
    expect(page.locator("[data-testid=case-panel] [name=promise_amount]")).to_be_hidden()
    callback.fill(f"{business_today() + datetime.timedelta(days=1)}T17:30")
    page.get_by_test_id("save-next").click()
    expect(page).to_have_url(case_url(live_server, third))
    expect(page.locator(".messages")).to_contain_text(TEXT[lang]["callback"])
    assert Task.objects.get(debt=second, kind="callback").status == "open"
