"""The debtor portal in Chromium on a 360 px phone: link from a message, second factor, a
partial payment in the sandbox, a plan, an SMS opt-out; five wrong codes lock out; another
debtor's debt is a 404."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agreements.models import PaymentAgreement
from core.dates import business_today
from messaging.models import SandboxDelivery
from messaging.services.context import message_context
from portfolio.models import ContactPoint, Debt, Payment, Stage
from tests.e2e.conftest import DESKTOP, SCREENSHOTS
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, locale="es-CO", timezone_id="America/Bogota", is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def make_debt(creditor, ref, document):
    debt = DebtFactory(
        creditor=creditor,
        debt_ref=ref,
        due_date=business_today() - datetime.timedelta(days=30),
        stage=Stage.FIRM_NOTICE,
        debtor__document_number=document,
        debtor__full_name="Ana María Pérez",
    )
    ContactPointFactory(debtor=debt.debtor, channel="sms", value=f"+57300{document[-7:]}")
    return debt


def last_code():
    body = SandboxDelivery.objects.order_by("-id").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def personal_link(debt):
    context = message_context(
        debtor=debt.debtor, creditor=debt.creditor, debts=[debt], language="es",
        as_of=business_today(),
    )  # fmt: skip
    return context["portal_link"]


def open_and_verify(page, link, digits):
    page.goto(link)
    page.get_by_label("Últimos 4 caracteres de tu documento de identidad").fill(digits)
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_label("El código de 6 dígitos que te enviamos")).to_be_visible()


def test_debtor_pays_chooses_a_plan_and_opts_out(live_server, phone, settings):
    settings.CARTERA_PUBLIC_URL = live_server.url
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    debt = make_debt(creditor, "OBL-701", "1020304050")
    other = make_debt(creditor, "OBL-702", "9988776655")
    page = phone

    link = personal_link(debt)
    assert "1020304050" not in link and "Ana" not in link
    open_and_verify(page, link, "4050")
    shot(page, "portal_01_code")
    page.get_by_label("El código de 6 dígitos que te enviamos").fill(last_code())
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("heading", name="Hola, Ana")).to_be_visible()
    shot(page, "portal_02_debts")
    # The page fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("link", name="Detalle").click()
    expect(page.get_by_role("heading", name="Lo que debes")).to_be_visible()
    shot(page, "portal_03_debt")

    # Pay part of it by card in the sandbox.
    page.get_by_role("link", name="Pagar en línea").click()
    page.get_by_label("Valor a pagar").fill("100000.00")
    page.get_by_label("Tarjeta").check()
    page.get_by_role("button", name="Continuar al pago").click()
    expect(page.get_by_role("heading", name="Pago de prueba (sandbox)")).to_be_visible()
    shot(page, "portal_04_sandbox")
    page.get_by_role("button", name="Aprobar el pago").click()
    expect(page.get_by_role("heading", name="¡Gracias por tu pago!")).to_be_visible()
    shot(page, "portal_05_thanks")
    debt.refresh_from_db()
    assert debt.balance == Decimal("1070000.00")
    assert Payment.objects.get().source == "portal"

    # Choose a plan: four monthly instalments after the 20% down payment.
    page.get_by_role("link", name="Volver a mi deuda").click()
    page.get_by_role("link", name="Elige un plan de pagos").click()
    page.get_by_label("4 cuotas mensuales después de una cuota inicial").check()
    page.get_by_role("button", name="Ver el calendario").click()
    expect(page.get_by_role("heading", name="Tu calendario de pagos")).to_be_visible()
    shot(page, "portal_06_plan")
    page.get_by_label("Leí el calendario y acepto estas condiciones").check()
    page.get_by_role("button", name="Aceptar y pagar el primer valor").click()
    page.get_by_role("button", name="Aprobar el pago").click()
    expect(page.get_by_role("heading", name="¡Gracias por tu pago!")).to_be_visible()
    agreement = PaymentAgreement.objects.get()
    assert agreement.status == "active" and agreement.channel == "portal"
    assert agreement.instalments.get(number=0).status == "paid"
    page.get_by_role("link", name="Volver a mi deuda").click()
    expect(page.get_by_role("heading", name="Tu plan de pagos")).to_be_visible()
    shot(page, "portal_07_debt_with_plan")

    # Opt out of SMS.
    page.get_by_role("link", name="Preferencias de contacto").click()
    page.get_by_label("SMS").uncheck()
    page.get_by_role("button", name="Guardar preferencias").click()
    expect(page.get_by_text("Tus preferencias quedaron guardadas.")).to_be_visible()
    shot(page, "portal_08_preferences")
    assert not ContactPoint.objects.get(debtor=debt.debtor, channel="sms").consent_granted

    # Another debtor's debt: 404.
    response = page.goto(f"{live_server.url}/portal/debts/{other.pk}/")
    assert response.status == 404
    assert Debt.objects.get(pk=other.pk).balance == other.balance

    # English switch.
    page.goto(f"{live_server.url}/portal/debts/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Hello, Ana")).to_be_visible()
    shot(page, "portal_09_debts_en")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Details").click()
    expect(page.get_by_role("heading", name="Your payment plan")).to_be_visible()
    shot(page, "portal_11_debt_desktop_en")


def test_five_wrong_codes_lock_out(live_server, phone, settings):
    settings.CARTERA_PUBLIC_URL = live_server.url
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    debt = make_debt(creditor, "OBL-801", "1122334455")
    page = phone
    open_and_verify(page, personal_link(debt), "4455")
    wrong = "000000" if last_code() != "000000" else "111111"
    for _ in range(5):
        page.get_by_label("El código de 6 dígitos que te enviamos").fill(wrong)
        page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("alert")).to_contain_text("el acceso está bloqueado")
    shot(page, "portal_10_locked")
    # Even a fresh link does not get past the lockout.
    page.goto(personal_link(debt))
    expect(page.get_by_role("alert")).to_contain_text("bloqueado")
    assert page.get_by_label("Últimos 4 caracteres de tu documento de identidad").count() == 0
