"""The portal as debtors live it (issue #16, "Debtors"), in Spanish and English on a 360 px phone.

A US debtor imported with a dashed SSN signs in; the last-4 step opens the keyboard the
document needs; a lockout gives the debtor's own time and a number to tap; a creditor is
named before sign-in only when the link names it; each country sees its own ways to pay and
the statement says how; every page passes axe-core (no serious or critical finding) and
every tap target is at least 44 x 44 px.
"""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
from babel import dates as babel_dates
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from core.dates import business_today
from imports.models import ImportBatch
from imports.services.portfolio_file import import_batch_create, import_batch_run
from messaging.models import SandboxDelivery
from messaging.services.context import message_context
from portal.models import Throttle
from portfolio.models import Debtor, PaymentReference, Stage
from tests.e2e.conftest import SCREENSHOTS, axe_findings
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.portal.conftest import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
BROWSER_LOCALE = {"es": "es-CO", "en": "en-US"}
T = {
    "es": {
        "doc_type": "Tipo de documento",
        "doc_number": "Número de documento",
        "send": "Enviarme un código",
        "code": "El código de 6 dígitos que te enviamos",
        "verify": "Verificar",
        "digits": "Últimos 4 caracteres de tu documento de identidad",
        "continue": "Continuar",
        "hello": "Hola, Sam",
        "locked": "el acceso está bloqueado",
        "zone": "hora de Los Ángeles",
        "call": "Llamar al",
        "neutral": "tu acreedor",
        "details": "Detalle",
        "other_ways": "Otras formas de pagar",
        "pay_online": "Pagar en línea",
        "amount": "Valor a pagar",
        "card": "Tarjeta",
        "to_payment": "Continuar al pago",
        "approve": "Aprobar el pago",
        "back": "Volver a mi deuda",
        "plan": "Elige un plan de pagos",
        "see_schedule": "Ver el calendario",
        "dispute": "Reclamar esta deuda",
        "preferences": "Preferencias de contacto",
        "callback": "Llámenme",
        "how_to_pay": "Cómo pagar",
        "ach": "Transferencia bancaria (ACH)",
    },
    "en": {
        "doc_type": "Document type",
        "doc_number": "Document number",
        "send": "Send me a code",
        "code": "The 6-digit code we sent you",
        "verify": "Verify",
        "digits": "Last 4 characters of your identity document",
        "continue": "Continue",
        "hello": "Hello, Sam",
        "locked": "access is locked",
        "zone": "Los Angeles time",
        "call": "Call",
        "neutral": "your creditor",
        "details": "Details",
        "other_ways": "Other ways to pay",
        "pay_online": "Pay online",
        "amount": "Amount to pay",
        "card": "Card",
        "to_payment": "Continue to payment",
        "approve": "Approve the payment",
        "back": "Back to my debt",
        "plan": "Choose a payment plan",
        "see_schedule": "See the schedule",
        "dispute": "Dispute this debt",
        "preferences": "Contact preferences",
        "callback": "Call me back",
        "how_to_pay": "How to pay",
        "ach": "Bank transfer (ACH)",
    },
}


@pytest.fixture(params=["es", "en"])
def lang(request):
    return request.param


@pytest.fixture
def open_phone(new_page, lang):
    """A 360 x 740 phone in the debtor's language (and, if given, time zone)."""

    def open_(zone="America/Bogota"):
        # bypass_csp: the portal's CSP forbids inline scripts, and axe is injected as one.
        return new_page(
            viewport=PHONE, locale=BROWSER_LOCALE[lang], timezone_id=zone, is_mobile=True,
            has_touch=True, bypass_csp=True,
        )  # fmt: skip

    return open_


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def last_code():
    delivery = SandboxDelivery.objects.order_by("-id").first()
    assert delivery is not None, "no code was sent to the debtor"
    return re.search(r"\b(\d{6})\b", delivery.body).group(1)


def personal_link(debt):
    context = message_context(
        debtor=debt.debtor, creditor=debt.creditor, debts=[debt], language="es",
        as_of=business_today(),
    )  # fmt: skip
    return context["portal_link"]


def us_debt(*, lang, number="123456789", kind="SSN", phone="+13105550101", **debtor):
    creditor = CreditorFactory(
        code="pacific", name="Pacific Credit", country="US", contact_phone="+1 213 555 0199"
    )
    debtor = {
        "document_type": kind, "document_number": number, "country": "US",
        "timezone": "America/Los_Angeles", "language": lang, "full_name": "Sam Rivera",
        **debtor,
    }  # fmt: skip
    debt = DebtFactory(
        creditor=creditor, currency="USD", stage=Stage.FIRM_NOTICE,
        due_date=business_today() - datetime.timedelta(days=30),
        **{f"debtor__{k}": v for k, v in debtor.items()},
    )  # fmt: skip
    ContactPointFactory(debtor=debt.debtor, channel="sms", value=phone)
    return debt


def sign_in_by_link(page, debt, digits, lang):
    page.goto(personal_link(debt))
    page.get_by_label(T[lang]["digits"]).fill(digits)
    page.get_by_role("button", name=T[lang]["continue"]).click()
    page.get_by_label(T[lang]["code"]).fill(last_code())
    page.get_by_role("button", name=T[lang]["verify"]).click()
    expect(page.get_by_role("heading", name=T[lang]["hello"])).to_be_visible()


# -- A debtor whose document has separators gets in -------------------------------------------


PORTFOLIO = (
    "debtor_ref,document_type,document_number,full_name,email,phone,country,language,"
    "consent_sms,debt_ref,product,currency,original_amount,principal,due_date\n"
    "US-1,SSN,123-45-6789,Sam Rivera,sam@example.com,+13105550101,US,{lang},true,OBL-US-1,"
    "credit_card,USD,900.00,800.00,2026-10-01\n"
    "CO-1,NIT,900.123.456-8,Ferretería Sam S.A.S.,sam@example.co,+573001234567,CO,{lang},true,"
    "OBL-CO-1,credit_card,COP,900000.00,800000.00,2026-10-01\n"
)


@pytest.mark.parametrize(
    ("kind", "typed"), [("SSN", "123-45-6789"), ("NIT", "900.123.456-8")], ids=["ssn", "nit"]
)
def test_a_debtor_imported_with_separators_signs_in_with_their_document(
    live_server, open_phone, lang, settings, tmp_path, kind, typed
):
    # Given a creditor's file that writes SSNs and NITs with their separators
    settings.MEDIA_ROOT = tmp_path
    creditor = CreditorFactory(code="pacific", name="Pacific Credit", country="US")
    upload = SimpleUploadedFile("cartera.csv", PORTFOLIO.format(lang=lang).encode())
    batch = import_batch_create(
        kind=ImportBatch.Kind.PORTFOLIO, creditor=creditor, uploaded_file=upload, user=None
    )
    assert import_batch_run(batch_id=batch.id).status == ImportBatch.Status.COMPLETED
    page = open_phone()

    # When the debtor types their document as it is printed
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label(T[lang]["doc_type"]).select_option(kind)
    page.get_by_label(T[lang]["doc_number"]).fill(typed)
    page.get_by_role("button", name=T[lang]["send"]).click()
    expect(page.get_by_label(T[lang]["code"])).to_be_visible()

    # Then a code reaches their phone, and it lets them in
    page.get_by_label(T[lang]["code"]).fill(last_code())
    page.get_by_role("button", name=T[lang]["verify"]).click()
    expect(
        page.get_by_role("heading", name=re.compile(T[lang]["hello"].split(",")[0]))
    ).to_be_visible()
    shot(page, f"portal_debtors_{kind.lower()}_signed_in_{lang}")


# -- The last 4 open the keyboard the document needs ------------------------------------------


def test_the_last_4_step_opens_the_keyboard_the_document_needs(live_server, open_phone, lang,
                                                                settings):  # fmt: skip
    settings.CARTERA_PUBLIC_URL = live_server.url
    curp = us_debt(lang=lang, kind="CURP", number="BADA800101HDFRRA0X", country="MX",
                   timezone="America/Mexico_City")  # fmt: skip
    page = open_phone()

    # A CURP ends in letters: a text keyboard, in capitals
    page.goto(personal_link(curp))
    field = page.get_by_label(T[lang]["digits"])
    assert field.get_attribute("inputmode") == "text"
    assert field.get_attribute("autocapitalize") == "characters"
    assert field.get_attribute("pattern") == "[0-9A-Za-z]{4}"
    shot(page, f"portal_debtors_digits_curp_{lang}")
    field.fill("ra0x")
    page.get_by_role("button", name=T[lang]["continue"]).click()
    expect(page.get_by_label(T[lang]["code"])).to_be_visible()

    # An SSN is digits only: the numeric keypad
    ssn = us_debt(lang=lang, number="555667777", phone="+13105550102")
    page.goto(personal_link(ssn))
    field = page.get_by_label(T[lang]["digits"])
    assert field.get_attribute("inputmode") == "numeric"
    assert field.get_attribute("pattern") == "[0-9]{4}"


# -- A lockout in the debtor's own time, with a number to tap; only that debtor is locked -----


def test_a_lockout_says_when_on_the_debtors_clock_and_whom_to_call(live_server, open_phone,
                                                                    lang, settings):  # fmt: skip
    settings.CARTERA_PUBLIC_URL = live_server.url
    debt = us_debt(lang=lang)
    page = open_phone("America/Los_Angeles")

    # When the last-4 step is failed five times
    page.goto(personal_link(debt))
    for _ in range(5):
        page.get_by_label(T[lang]["digits"]).fill("0000")
        page.get_by_role("button", name=T[lang]["continue"]).click()

    # Then the end of the lockout is on the debtor's clock, and their creditor is a tap away
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(T[lang]["locked"])
    until = Throttle.objects.get(key=f"debtor:{debt.debtor_id}").locked_until
    locale = "es_CO" if lang == "es" else "en_US"
    local = babel_dates.format_time(
        until.astimezone(ZoneInfo("America/Los_Angeles")), "short", locale=locale
    )
    expect(alert).to_contain_text(local)
    expect(alert).to_contain_text(T[lang]["zone"])
    call = page.get_by_role("link", name=f"{T[lang]['call']} +1 213 555 0199").first
    assert call.get_attribute("href") == "tel:+12135550199"
    shot(page, f"portal_debtors_lockout_{lang}")

    # And another debtor on the same connection is not locked out
    other = us_debt(lang=lang, number="555667777", phone="+13105550102",
                    debtor_ref="OTHER-1")  # fmt: skip
    sign_in_by_link(page, other, "7777", lang)


# -- Before sign-in: the creditor only when the link names it, and always a number ------------


def test_before_sign_in_the_page_names_the_creditor_only_through_its_link(
    live_server, open_phone, lang, settings
):
    settings.CARTERA_PUBLIC_URL = live_server.url
    settings.CARTERA_PORTAL_SUPPORT_PHONE = "+57 601 555 0100"
    debt = us_debt(lang=lang)
    page = open_phone()

    page.goto(f"{live_server.url}/portal/")
    expect(page.get_by_text(T[lang]["neutral"])).to_be_visible()
    call = page.get_by_role("link", name=f"{T[lang]['call']} +57 601 555 0100")
    assert call.get_attribute("href") == "tel:+576015550100"
    assert "Pacific Credit" not in page.content()
    shot(page, f"portal_debtors_start_{lang}")

    page.goto(personal_link(debt))
    expect(page.get_by_text("Pacific Credit")).to_be_visible()
    call = page.get_by_role("link", name=f"{T[lang]['call']} +1 213 555 0199")
    assert call.get_attribute("href") == "tel:+12135550199"
    shot(page, f"portal_debtors_link_{lang}")


# -- Each country its own ways to pay; the statement says how ---------------------------------


def test_each_country_sees_its_ways_and_the_statement_carries_them(live_server, open_phone,
                                                                    lang, settings):  # fmt: skip
    settings.CARTERA_PUBLIC_URL = live_server.url
    debt = us_debt(lang=lang)
    page = open_phone("America/Los_Angeles")
    sign_in_by_link(page, debt, "6789", lang)

    page.get_by_role("link", name=T[lang]["details"]).click()
    page.get_by_role("link", name=T[lang]["other_ways"]).click()
    reference = PaymentReference.objects.get(debt=debt).reference
    expect(page.get_by_text(reference)).to_be_visible()
    body = page.locator("main").inner_text()
    assert "ACH" in body
    for other in ("PSE", "SPEI", "OXXO", "Efecty"):
        assert other not in body, other
    shot(page, f"portal_debtors_ways_us_{lang}")

    response = page.request.get(f"{live_server.url}/portal/debts/{debt.pk}/statement.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert T[lang]["how_to_pay"] in text and reference in text and T[lang]["ach"] in text
    for other in ("PSE", "SPEI", "OXXO", "Efecty"):
        assert other not in text, other


# -- Every page: axe-core finds nothing serious, every tap target is 44 x 44 ------------------

TARGETS_JS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [role=button], [tabindex]:not([tabindex="-1"])';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    // A checkbox or radio is tapped through the label that wraps it.
    const target = (el.type === 'checkbox' || el.type === 'radio') && el.closest('label')
      ? el.closest('label') : el;
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (box.right <= 0 || box.bottom <= 0) continue;  // off screen until focused (skip link)
    if (box.width < 44 - 0.01 || box.height < 44 - 0.01) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name
        || '').trim().slice(0, 40)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def follow(page, control):
    """Click a link or a submit button and wait for the page it loads: the checks that come next
    inject axe-core into the document, and one caught between two pages has no head yet."""
    with page.expect_navigation():
        control.click()


def check_page(page, name, lang, findings):
    """Run axe-core and the tap-target measure on the page; collect what fails."""
    findings += axe_findings(page, name)
    for target in page.evaluate(TARGETS_JS):
        findings.append(f"{name}: tap target smaller than 44x44: {target}")
    shot(page, f"portal_a11y_{lang}_{name}")


def test_every_portal_page_is_accessible_with_44px_targets(live_server, open_phone, lang,
                                                            settings):  # fmt: skip
    settings.CARTERA_PUBLIC_URL = live_server.url
    debt = us_debt(lang=lang)
    findings: list[str] = []
    t = T[lang]
    page = open_phone("America/Los_Angeles")

    # Before sign-in: the start page, empty and with an error; an invalid link
    page.goto(f"{live_server.url}/portal/")
    check_page(page, "01_start", lang, findings)
    follow(page, page.get_by_role("button", name=t["send"]))
    check_page(page, "02_start_error", lang, findings)
    page.goto(f"{live_server.url}/portal/l/not-a-token/")
    check_page(page, "03_link_invalid", lang, findings)

    # The second factor: last 4 (with an error), the code step
    page.goto(personal_link(debt))
    check_page(page, "04_digits", lang, findings)
    page.get_by_label(t["digits"]).fill("12")
    follow(page, page.get_by_role("button", name=t["continue"]))
    check_page(page, "05_digits_error", lang, findings)
    page.get_by_label(t["digits"]).fill("6789")
    follow(page, page.get_by_role("button", name=t["continue"]))
    check_page(page, "06_code", lang, findings)
    page.get_by_label(t["code"]).fill(last_code())
    follow(page, page.get_by_role("button", name=t["verify"]))

    # Signed in: the debts, a debt, paying, the thanks, other ways, a plan, a dispute,
    # preferences, a call-back
    expect(page.get_by_role("heading", name=t["hello"])).to_be_visible()
    check_page(page, "07_debts", lang, findings)
    follow(page, page.get_by_role("link", name=t["details"]))
    check_page(page, "08_debt", lang, findings)
    follow(page, page.get_by_role("link", name=t["pay_online"]))
    check_page(page, "09_pay", lang, findings)
    page.get_by_label(t["amount"]).fill("100.00")
    page.get_by_label(t["card"]).check()
    follow(page, page.get_by_role("button", name=t["to_payment"]))
    check_page(page, "10_sandbox_checkout", lang, findings)
    follow(page, page.get_by_role("button", name=t["approve"]))
    check_page(page, "11_thanks", lang, findings)
    follow(page, page.get_by_role("link", name=t["back"]))
    page.goto(f"{live_server.url}/portal/debts/{debt.pk}/reference/")
    check_page(page, "12_other_ways", lang, findings)
    page.goto(f"{live_server.url}/portal/debts/{debt.pk}/plan/")
    check_page(page, "13_plan", lang, findings)
    follow(page, page.get_by_role("button", name=t["see_schedule"]))
    check_page(page, "14_plan_schedule", lang, findings)
    page.goto(f"{live_server.url}/portal/debts/{debt.pk}/dispute/")
    check_page(page, "15_dispute", lang, findings)
    follow(page, page.get_by_role("link", name=t["preferences"]))
    check_page(page, "16_preferences", lang, findings)
    follow(page, page.get_by_role("link", name=t["callback"]))
    check_page(page, "17_callback", lang, findings)

    # A lockout (another debtor, same phone)
    locked = us_debt(lang=lang, number="555667777", phone="+13105550102", debtor_ref="L-1")
    page.goto(personal_link(locked))
    for _ in range(5):
        page.get_by_label(t["digits"]).fill("0000")
        page.get_by_role("button", name=t["continue"]).click()
    expect(page.get_by_role("alert")).to_contain_text(t["locked"])
    check_page(page, "18_lockout", lang, findings)

    assert not findings, json.dumps(findings, indent=1, ensure_ascii=False)
    assert Debtor.objects.count() == 2
