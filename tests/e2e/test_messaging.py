"""The manager's messaging pages in Chromium: today's outbox, then a template edited with a
live preview against a real debt, saved as the creditor's own text."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.dates import business_today
from messaging.models import MessageTemplate
from portfolio.models import Stage
from tests.e2e.test_escalation import log_in
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_reviews_the_outbox_and_edits_a_template(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    debt = DebtFactory(creditor=creditor, debt_ref="OBL-88", stage=Stage.FRIENDLY_REMINDER)
    ContactPointFactory(debtor=debt.debtor, channel="email", value="ana@example.com")
    today = business_today()
    make_message(debt=debt, to="ana@example.com", business_date=today)
    # suppressed as planning records it: the rule's reason as a code and its parameters, told
    # in the viewer's language
    make_message(
        debt=debt, channel="sms", to="+573001112233", business_date=today, status="suppressed",
        suppression_rule="CO-DAY", suppression_code="compliance.cap_reached",
        suppression_params={"label": "CO-DAY", "max": 1, "days": 1},
    )  # fmt: skip

    # the outbox: counts by channel and status, then the day's messages with their reasons
    log_in(page, live_server, "directora")
    page.get_by_role("link", name="Bandeja de salida").click()
    expect(page.get_by_role("heading", name="Bandeja de salida")).to_be_visible()
    expect(page.get_by_test_id("outbox-counts")).to_contain_text("Correo electrónico")
    reason = page.get_by_test_id("message-reason").last
    expect(reason).to_contain_text("CO-DAY: Como máximo un contacto por deudor al día: se alcanzó")
    expect(reason).to_have_attribute(
        "title",
        "CO-DAY: Como máximo un contacto por deudor al día: se alcanzó el límite de 1 en 1 día.",
    )
    screenshot("messaging-outbox-es")

    # a template: edit the body, preview it against the real debt, save a new version
    page.get_by_role("link", name="Plantillas", exact=True).first.click()
    page.locator("#id_code").fill("friendly")
    page.locator("#id_channel").select_option("email")
    page.locator("#id_language").select_option("es")
    page.get_by_role("button", name="Filtrar").click()
    page.get_by_role("link", name="friendly").click()
    body = page.get_by_label("Texto")
    body.fill(body.input_value() + "\n\nTe esperamos en nuestras oficinas.")
    page.locator("#id_debt").fill(str(debt.pk))
    page.get_by_role("button", name="Vista previa", exact=True).click()
    preview = page.get_by_test_id("preview-body")
    expect(preview).to_contain_text("Te esperamos en nuestras oficinas.")
    expect(preview).to_contain_text("$1.170.000,00")
    expect(preview).to_contain_text(debt.debtor.first_name)
    screenshot("messaging-template-preview-es")
    page.get_by_label("Nota del cambio").fill("Invitación a las oficinas")
    page.get_by_role("button", name="Guardar nueva versión").click()
    # the text is saved as the creditor's own (its first version); the default is unchanged
    expect(page.locator(".messages")).to_contain_text("Versión 1 guardada")
    expect(page.get_by_test_id("template-owner")).to_contain_text("Texto propio de Banco Andino")
    own = MessageTemplate.objects.get(
        creditor=creditor, code="friendly", channel="email", language="es"
    )
    assert own.versions.get().body.endswith("Te esperamos en nuestras oficinas.")
    default = MessageTemplate.objects.get(
        creditor=None, code="friendly", channel="email", language="es"
    )
    assert default.versions.count() == 1

    # the same outbox in English
    page.goto(f"{live_server.url}{reverse('messaging:outbox')}")
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    expect(page.get_by_test_id("message-reason").last).to_have_attribute(
        "title",
        "CO-DAY: At most one contact per debtor per day: the limit of 1 in 1 day is reached.",
    )
    screenshot("messaging-outbox-en")
