"""A complaint end to end in Chromium, in Spanish and in English: the debtor files it from the
portal on a 360 px phone with an attachment and gets the number and the legal answer date; a
complaints officer finds it in the queue, drafts the answer from a template, sends it and
closes the complaint; the debtor reads the answer in the portal, as sent."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from complaints.models import Complaint
from core.dates import business_today
from portfolio.models import Hold, Stage
from tests.e2e.conftest import SCREENSHOTS, axe_findings, log_in
from tests.e2e.test_portal import last_code, open_and_verify, personal_link
from tests.e2e.test_portal_debtors import TARGETS_JS
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import OfficerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SAID = {
    "es": {
        "file": "Presentar una solicitud",
        "kind_label": "¿Qué quieres hacer?",
        "kind": "Una queja por cómo me trataron",
        "debt_label": "¿Sobre qué deuda es?",
        "subject_label": "Asunto",
        "text_label": "Cuéntanos qué pasó y qué pides",
        "files_label": "Adjunta documentos (opcional)",
        "send": "Enviar la solicitud",
        "received": "Recibimos tu solicitud",
        "staff_switch": None,
        "nav": "Quejas y reclamos",
        "start_from": "Partir de",
        "template": "Respuesta: usted tiene razón",
        "details_label": "Detalles para la plantilla",
        "draft": "Redactar desde la plantilla",
        "send_answer": "Enviar la respuesta",
        "answer_sent": "Respuesta enviada al deudor.",
        "outcome_label": "Resultado",
        "outcome": "Procedente: el deudor tenía razón",
        "cause_label": "Causa raíz",
        "cause": "Reglas de contacto: contacto fuera del horario permitido",
        "close": "Cerrar la queja",
        "closed": "Queja cerrada.",
        "answer_text": "Revisamos su solicitud",
        "my_requests": "Mis solicitudes",
        "details": "Ya ajustamos el horario de las llamadas.",
    },
    "en": {
        "file": "File a request",
        "kind_label": "What do you want to do?",
        "kind": "A complaint about how I was treated",
        "debt_label": "Which debt is it about?",
        "subject_label": "Subject",
        "text_label": "Tell us what happened and what you ask for",
        "files_label": "Attach documents (optional)",
        "send": "Send the request",
        "received": "We received your request",
        "staff_switch": "EN",
        "nav": "Complaints",
        "start_from": "Start from",
        "template": "Answer: you are right",
        "details_label": "Details for the template",
        "draft": "Draft from the template",
        "send_answer": "Send the answer",
        "answer_sent": "Answer sent to the debtor.",
        "outcome_label": "Outcome",
        "outcome": "Upheld: the debtor was right",
        "cause_label": "Root cause",
        "cause": "Contact rules: contact outside the allowed hours",
        "close": "Close the complaint",
        "closed": "Complaint closed.",
        "answer_text": "We reviewed your request",
        "my_requests": "My requests",
        "details": "We have moved the calls to the allowed hours.",
    },
}


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def check(page, name, findings, *, taps=False):
    """axe-core (nothing serious or critical) and, on the phone, 44 x 44 tap targets."""
    findings += axe_findings(page, name)
    if taps:
        findings += [f"{name}: tap target {t}" for t in page.evaluate(TARGETS_JS)]
    shot(page, name)


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_debtor_files_a_complaint_and_staff_answer_it(live_server, browser, settings, language):
    said = SAID[language]
    settings.CARTERA_PUBLIC_URL = live_server.url
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    OfficerFactory(username="quejas", creditors=[creditor])
    debt = DebtFactory(
        creditor=creditor,
        debt_ref="OBL-901",
        due_date=business_today() - datetime.timedelta(days=20),
        stage=Stage.FIRM_NOTICE,
        debtor__document_number="1020304050",
        debtor__full_name="Ana María Pérez",
        debtor__language=language,
    )
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001234050")
    ContactPointFactory(debtor=debt.debtor, channel="email", value="ana@example.com")

    # The debtor, on a phone: in through the personal link and the code.
    findings: list[str] = []
    # bypass_csp: axe-core is injected as an inline script, which the pages' CSP forbids.
    phone = browser.new_context(
        viewport=PHONE, locale="es-CO", timezone_id="America/Bogota", is_mobile=True,
        has_touch=True, bypass_csp=True,
    )  # fmt: skip
    portal = phone.new_page()
    portal.set_default_timeout(15_000)
    open_and_verify(portal, personal_link(debt), "4050")
    portal.get_by_label("El código de 6 dígitos que te enviamos").fill(last_code())
    portal.get_by_role("button", name="Verificar").click()
    # The portal speaks the debtor's language once they are in.
    expect(portal.locator("html")).to_have_attribute("lang", language)

    # Files a complaint about the debt, with a PDF.
    portal.get_by_role("link", name=said["file"], exact=True).first.click()
    portal.get_by_label(said["kind_label"]).select_option(label=said["kind"])
    portal.get_by_label(said["debt_label"]).select_option(index=1)
    portal.get_by_label(said["subject_label"]).fill("Llamadas a las 10 de la noche")
    portal.get_by_label(said["text_label"]).fill("Me llamaron tres veces después de las 9 pm.")
    portal.get_by_label(said["files_label"]).set_input_files(
        files=[{"name": "registro.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    check(portal, f"complaints_01_portal_form_{language}", findings, taps=True)
    portal.get_by_role("button", name=said["send"]).click()
    expect(portal.get_by_role("heading", name=said["received"])).to_be_visible()
    assert portal.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check(portal, f"complaints_02_portal_received_{language}", findings, taps=True)

    complaint = Complaint.objects.get()
    assert (complaint.debt, complaint.channel, complaint.kind) == (debt, "portal", "complaint")
    assert complaint.attachments.get().name == "registro.pdf"
    assert Hold.objects.get(debt=debt, closed_at__isnull=True).kind == "complaint"
    main = portal.locator("main")
    expect(main).to_contain_text(complaint.number)
    day = complaint.answer_due_on
    expect(main).to_contain_text(str(day.year))
    assert any(complaint.number in m.subject for m in mail.outbox)  # acknowledged by e-mail

    # A complaints officer, at a desk: queue, detail, draft, send, close.
    desk = browser.new_context(locale="es-CO", timezone_id="America/Bogota", bypass_csp=True)
    staff = desk.new_page()
    staff.set_default_timeout(15_000)
    log_in(staff, live_server, "quejas")
    if said["staff_switch"]:
        staff.get_by_role("button", name=said["staff_switch"], exact=True).click()
    staff.get_by_role("link", name=said["nav"], exact=True).first.click()
    staff.get_by_role("link", name=complaint.number).click()
    expect(staff.get_by_role("heading", name=complaint.number)).to_be_visible()
    staff.get_by_label(said["start_from"]).select_option(label=said["template"])
    staff.get_by_label(said["details_label"]).fill(said["details"])
    staff.get_by_role("button", name=said["draft"]).click()
    body = staff.locator("#answer-form textarea[name=body]")
    expect(body).to_contain_text(said["details"])
    expect(body).to_contain_text(complaint.number)
    check(staff, f"complaints_03_staff_draft_{language}", findings)
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name=said["send_answer"]).click()
    expect(staff.get_by_text(said["answer_sent"])).to_be_visible()
    staff.get_by_label(said["outcome_label"]).select_option(label=said["outcome"])
    staff.get_by_label(said["cause_label"]).select_option(label=said["cause"])
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name=said["close"]).click()
    expect(staff.get_by_text(said["closed"])).to_be_visible()
    check(staff, f"complaints_04_staff_closed_{language}", findings)

    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.root_cause) == (
        "closed",
        "upheld",
        "contact_hours",
    )
    assert complaint.answered_on_time
    assert not Hold.objects.filter(debt=debt, closed_at__isnull=True).exists()
    sent = complaint.events.get(kind="answered")
    assert said["details"] in sent.body and said["answer_text"] in sent.body

    # The debtor reads the answer, exactly as sent.
    portal.get_by_role("link", name=said["my_requests"]).first.click()
    portal.get_by_role("link", name=complaint.number).first.click()
    expect(portal.locator("main")).to_contain_text(said["details"])
    expect(portal.locator("main")).to_contain_text(said["answer_text"])
    assert portal.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check(portal, f"complaints_05_portal_answer_{language}", findings, taps=True)
    phone.close()
    desk.close()
    assert findings == []
