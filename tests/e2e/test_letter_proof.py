"""A collector records the post's receipt of a certified letter from the case page, in Chromium:
the letter waits for its proof, the receipt is uploaded, the letter shows its day of receipt;
a failed notice is flagged on the same page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from messaging.models import LetterProof
from tests.e2e.test_escalation import log_in
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["es", "en"])
def test_collector_uploads_the_receipt_from_the_case_page(
    live_server, page, screenshot, tmp_path, settings, language
):
    settings.MEDIA_ROOT = tmp_path
    collector = CollectorFactory(username="gestor")
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    debt = DebtFactory(creditor=creditor, debt_ref="OBL-77", assigned_to=collector)
    sent = timezone.now() - datetime.timedelta(days=3)
    letter = make_message(
        debt=debt, channel="letter", template="bureau_notice", stage="pre_legal", status="sent",
        sent_at=sent, planned_for=sent, business_date=timezone.localdate(sent),
        to="Calle 10 # 5-20\nBogotá", provider_message_id="SBX00000000000000E2",
    )  # fmt: skip
    make_message(
        debt=debt, template="firm_notice", status="failed", sent_at=sent, planned_for=sent,
        last_error="bounced: mailbox does not exist",
    )  # fmt: skip
    receipt = tmp_path / "acuse.pdf"
    receipt.write_bytes(b"%PDF-1.4\n% acuse de recibo\n")

    log_in(page, live_server, "gestor")
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("failed-notices")).to_be_visible()
    waiting = page.get_by_test_id("awaiting-proof")
    expect(waiting).to_contain_text("SBX00000000000000E2")
    waiting.locator("summary").first.click()
    form = waiting.get_by_test_id("letter-proof-form")
    form.locator("input[type=file]").set_input_files(str(receipt))
    form.locator("input[type=date]").fill(timezone.localdate().isoformat())
    form.locator("input[name=signed_by]").fill("Ana Pérez")
    screenshot(f"letter-proof-case-page-{language}")
    form.locator("button[type=submit]").click()

    # back on the case page: the letter has its proof, recorded by the collector
    expect(page.get_by_test_id("awaiting-proof")).to_have_count(0)
    proof = LetterProof.objects.get(message=letter)
    assert proof.recorded_by == collector and proof.signed_by == "Ana Pérez"
    page.goto(f"{live_server.url}{reverse('messaging:message-detail', args=[letter.pk])}")
    expect(page.get_by_test_id("letter-proof")).to_contain_text("Ana Pérez")
    screenshot(f"letter-proof-message-page-{language}")
