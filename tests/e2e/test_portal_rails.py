"""Local payment rails in Chromium on a 360 px phone, in Spanish and English: a Colombian
debtor pays with PSE (bank choice, the bank's page, pending, then approved); a Mexican debtor
gets SPEI instructions (a CLABE for this payment, the reference, the amount, the deadline).

New strings may still be untranslated in Spanish, so the rails' own controls are found by
their form names and values; the portal's translated words are matched per language.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from core.dates import business_today
from messaging.models import SandboxDelivery
from messaging.services.context import message_context
from portal.models import PaymentIntent
from portal.payments.spei import clabe_is_valid
from portfolio.models import Payment, Stage
from tests.e2e.conftest import SCREENSHOTS
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
BROWSER_LOCALE = {"es": "es-CO", "en": "en-US"}
T = {
    "es": {
        "digits": "Últimos 4 caracteres de tu documento de identidad",
        "continue": "Continuar",
        "code": "El código de 6 dígitos que te enviamos",
        "verify": "Verificar",
        "hello": "Hola, Ana",
        "details": "Detalle",
        "pay_online": "Pagar en línea",
        "amount": "Valor a pagar",
        "to_payment": "Continuar al pago",
        "processing": "Tu pago se está procesando",
        "thanks": "¡Gracias por tu pago!",
    },
    "en": {
        "digits": "Last 4 characters of your identity document",
        "continue": "Continue",
        "code": "The 6-digit code we sent you",
        "verify": "Verify",
        "hello": "Hello, Ana",
        "details": "Details",
        "pay_online": "Pay online",
        "amount": "Amount to pay",
        "to_payment": "Continue to payment",
        "processing": "Your payment is being processed",
        "thanks": "Thank you for your payment!",
    },
}


@pytest.fixture(params=["es", "en"])
def lang(request):
    return request.param


@pytest.fixture
def phone(new_page, lang):
    def open_(zone):
        return new_page(
            viewport=PHONE, locale=BROWSER_LOCALE[lang], timezone_id=zone, is_mobile=True,
            has_touch=True,
        )  # fmt: skip

    return open_


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def make_debt(*, country, currency, zone, document, lang):
    creditor = CreditorFactory(code=f"rail-{country.lower()}", name=f"Crédito {country}",
                               country=country)  # fmt: skip
    debt = DebtFactory(
        creditor=creditor, currency=currency, stage=Stage.FIRM_NOTICE,
        due_date=business_today() - datetime.timedelta(days=30),
        debtor__country=country, debtor__timezone=zone, debtor__language=lang,
        debtor__document_number=document, debtor__full_name="Ana María Pérez",
    )  # fmt: skip
    ContactPointFactory(debtor=debt.debtor, channel="sms", value=f"+57300{document[-7:]}")
    return debt


def sign_in(page, debt, lang):
    context = message_context(
        debtor=debt.debtor, creditor=debt.creditor, debts=[debt], language=lang,
        as_of=business_today(),
    )  # fmt: skip
    page.goto(context["portal_link"])
    page.get_by_label(T[lang]["digits"]).fill(debt.debtor.document_number[-4:])
    page.get_by_role("button", name=T[lang]["continue"]).click()
    code = re.search(r"\b(\d{6})\b", SandboxDelivery.objects.order_by("-id").first().body)
    page.get_by_label(T[lang]["code"]).fill(code.group(1))
    page.get_by_role("button", name=T[lang]["verify"]).click()
    expect(page.get_by_role("heading", name=T[lang]["hello"])).to_be_visible()
    page.get_by_role("link", name=T[lang]["details"]).click()


def start_payment(page, lang, *, amount, method):
    page.get_by_role("link", name=T[lang]["pay_online"]).first.click()
    page.get_by_label(T[lang]["amount"]).fill(amount)
    # Only the debtor's country's rails are on the form
    offered = page.locator("input[name=method]").evaluate_all("els => els.map(e => e.value)")
    page.locator(f"input[name=method][value={method}]").check()
    page.get_by_role("button", name=T[lang]["to_payment"]).click()
    return set(offered)


def test_a_colombian_debtor_pays_with_pse(live_server, phone, lang, settings):
    settings.CARTERA_PUBLIC_URL = live_server.url
    debt = make_debt(country="CO", currency="COP", zone="America/Bogota",
                     document="1020304050", lang=lang)  # fmt: skip
    page = phone("America/Bogota")
    sign_in(page, debt, lang)

    offered = start_payment(page, lang, amount="250000.00", method="pse")

    assert offered == {"card", "pse", "breb"}
    # PSE's page: the bank, who pays, the document
    expect(page.locator("select[name=bank]")).to_be_visible()
    page.locator("select[name=bank]").select_option("1007")
    page.locator("input[name=person_type][value=natural]").check()
    page.locator("select[name=document_type]").select_option("CC")
    page.locator("input[name=document_number]").fill("1020304050")
    shot(page, f"rails_pse_01_banks_{lang}")
    page.locator("main form button.p-button").click()
    # The bank's page (the sandbox's): Bancolombia, the amount, PSE's tracking code
    expect(page.get_by_role("heading", name="Bancolombia")).to_be_visible()
    intent = PaymentIntent.objects.get()
    expect(page.get_by_test_id("cus")).to_have_text(intent.instructions["cus"])
    shot(page, f"rails_pse_02_bank_{lang}")
    # The bank leaves it pending first, as PSE often does
    page.locator("button[name=outcome][value=pending]").click()
    expect(page.get_by_role("heading", name=T[lang]["processing"])).to_be_visible()
    assert not Payment.objects.exists()
    shot(page, f"rails_pse_03_pending_{lang}")
    # Then the confirmation arrives
    page.locator("button[name=outcome][value=approved]").click()
    expect(page.get_by_role("heading", name=T[lang]["thanks"])).to_be_visible()
    shot(page, f"rails_pse_04_thanks_{lang}")
    payment = Payment.objects.get()
    assert payment.method == "pse" and str(payment.amount) == "250000.00"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_mexican_debtor_gets_spei_instructions(live_server, phone, lang, settings):
    settings.CARTERA_PUBLIC_URL = live_server.url
    debt = make_debt(country="MX", currency="MXN", zone="America/Mexico_City",
                     document="7711223344", lang=lang)  # fmt: skip
    page = phone("America/Mexico_City")
    sign_in(page, debt, lang)

    offered = start_payment(page, lang, amount="1500.00", method="spei")

    assert offered == {"card", "spei", "oxxo"}
    intent = PaymentIntent.objects.get()
    clabe = intent.instructions["clabe"]
    expect(page.get_by_test_id("clabe")).to_have_text(clabe)
    assert clabe_is_valid(clabe) and len(clabe) == 18
    expect(page.get_by_test_id("reference")).to_have_text(intent.instructions["reference"])
    expect(page.locator("main")).to_contain_text("1,500.00")
    expect(page.locator("main")).to_contain_text(debt.creditor.name)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, f"rails_spei_01_instructions_{lang}")
    # Nothing is paid until the transfer arrives; the debtor can come back from the debt
    assert not Payment.objects.exists()
    page.goto(f"{live_server.url}/portal/debts/{debt.pk}/")
    page.locator(f"a[href$='/payments/{intent.provider_reference}/']").click()
    expect(page.get_by_test_id("clabe")).to_have_text(clabe)
