"""A manager gives a WhatsApp text its approved Twilio template in Chromium: a bad Content SID
refused on the page, then the SID and variables saved, the approval marked, and the status on
the template list; in Spanish and in English."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from messaging.models import MessageTemplate, MessageTemplateVersion
from messaging.services.templates import template_version_create
from tests.e2e.test_escalation import log_in
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SID = "HX0123456789abcdef0123456789abcdef"


def test_manager_approves_a_whatsapp_template(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    manager = ManagerFactory(username="directora", creditors=[creditor])
    default = MessageTemplate.objects.get(
        creditor=None, code="friendly", channel="whatsapp", language="es"
    )
    version = template_version_create(
        template=default, user=manager, creditor=creditor, subject="",
        body=default.versions.get(number=1).body,
    )  # fmt: skip
    edit = f"{live_server.url}{reverse('messaging:template-edit', args=[version.template_id])}"

    log_in(page, live_server, "directora")
    page.goto(edit)
    panel = page.get_by_test_id("provider-template")
    expect(panel).to_be_visible()
    # the text's placeholders are offered as the variables, in order
    expect(page.locator("#provider_provider_variables")).to_have_value(
        "1 = first_name\n2 = amount\n3 = creditor_name\n4 = due_date\n5 = portal_link\n"
        "6 = contact_phone"
    )

    # a SID that is not one: refused, nothing saved
    page.locator("#provider_provider_template_id").fill("HX123")
    page.get_by_test_id("provider-form").locator("button[type=submit]").click()
    expect(panel).to_contain_text("32")
    assert MessageTemplateVersion.objects.get(pk=version.pk).provider_template_id == ""
    screenshot("whatsapp-template-error-es")

    # the right one, then the approval
    page.locator("#provider_provider_template_id").fill(SID)
    page.get_by_test_id("provider-form").locator("button[type=submit]").click()
    page.get_by_test_id("approval-form").locator("button[value=approve]").click()
    expect(page.get_by_test_id("provider-template")).to_contain_text("Aprobada")
    expect(page.locator("#provider_provider_template_id")).to_have_value(SID)
    saved = MessageTemplateVersion.objects.get(pk=version.pk)
    assert saved.approval_status == "approved" and saved.approval_changed_by == manager
    assert saved.provider_variables["1"] == "first_name"
    screenshot("whatsapp-template-approved-es")

    # the list shows it, in English too
    page.goto(f"{live_server.url}{reverse('messaging:template-list')}?channel=whatsapp&language=es")
    page.get_by_role("button", name="EN").click()
    row = page.locator("tr", has=page.get_by_role("link", name="friendly"))
    expect(row.first.get_by_test_id("approval-status")).to_contain_text("Approved")
    screenshot("whatsapp-template-list-en")
