"""A lawyer's first update on a case a manager handed over, in Chromium, in Spanish and in
English: in through the login, to their cases, the case page, the filing recorded (the 23-digit
radicado and the filing date, with a reason), a document uploaded; the state and the history
show it."""

import datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from core.dates import business_today
from legal.models import CaseState, LegalCase
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.legal import make_case
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import LawyerFactory, ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RADICADO = "11001-40-03-012-2026-00123-00"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_lawyer_records_the_filing_and_uploads_the_claim(
    live_server, page, settings, tmp_path, language
):
    settings.MEDIA_ROOT = tmp_path
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    manager = ManagerFactory(creditors=[creditor])
    debt = DebtFactory(
        creditor=creditor,
        debt_ref="OBL-2001",
        debtor__full_name="Carlos Andrés Gómez",
        debtor__document_number="79555123",
    )
    # Handed over by the manager (the hand-off screen is another part: the factory stands in).
    case = make_case(
        debt=debt,
        handed_over_by=manager,
        handover_note="Pagaré original en custodia.",
        next_action="Radicar la demanda",
        next_action_on=business_today() - datetime.timedelta(days=2),
    )
    LawyerFactory(username="abogada", firms=[case.firm], first_name="Laura", last_name="Ríos")

    log_in(page, live_server, "abogada")
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The lawyer lands on their cases: the overdue one is flagged.
    rows = page.get_by_test_id("legal-cases")
    expect(rows).to_contain_text("Carlos Andrés Gómez")
    expect(rows.locator(".tag--no")).to_have_count(1)
    expect(page.locator(".mainnav a")).to_have_count(1)
    shot(page, f"legal_01_my_cases_{language}")

    rows.get_by_role("link", name="Carlos Andrés Gómez").click()
    expect(page.get_by_test_id("case-state")).to_be_visible()
    shot(page, f"legal_02_case_{language}")

    # The filing: the radicado as the court gave it (dashes), the date, and why.
    step = page.locator('details[data-step="file"]')
    step.locator("summary").click()
    # A radicado one digit short: refused next to its field, the step still open.
    step.locator("#id_file-case_number").fill(RADICADO[:-1])
    step.locator("#id_file-filed_on").fill(business_today().isoformat())
    step.locator("#id_file-note").fill("Demanda radicada")
    step.locator("button[type=submit]").click()
    step = page.locator('details[data-step="file"]')
    expect(step.locator(".field-error")).to_contain_text("23")
    with translation.override(language):
        expect(page.get_by_test_id("case-state")).to_have_text(str(CaseState.PREPARED.label))
    shot(page, f"legal_03_bad_radicado_{language}")
    step.locator("#id_file-case_number").fill(RADICADO)
    step.locator("#id_file-filed_on").fill(
        (business_today() - datetime.timedelta(days=1)).isoformat()
    )
    step.locator("#id_file-note").fill("Demanda radicada en el juzgado de reparto")
    shot(page, f"legal_04_filing_{language}")
    step.locator("button[type=submit]").click()

    with translation.override(language):
        filed = str(CaseState.FILED.label)
        prepared = str(CaseState.PREPARED.label)
    expect(page.get_by_test_id("case-state")).to_have_text(filed)
    expect(page.get_by_test_id("case-number")).to_have_text("11001400301220260012300")
    history = page.get_by_test_id("case-history")
    expect(history).to_contain_text(f"{prepared} → {filed}")
    expect(history).to_contain_text("Demanda radicada en el juzgado de reparto")
    expect(history).to_contain_text("Laura Ríos")

    # The claim as filed, uploaded to the case.
    form = page.get_by_test_id("document-form")
    form.locator("select[name=kind]").select_option("claim")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "demanda.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-documents")).to_contain_text("demanda.pdf")
    expect(page.get_by_test_id("case-history")).to_contain_text("demanda.pdf")
    shot(page, f"legal_05_filed_{language}")

    case = LegalCase.objects.get(pk=case.pk)
    assert case.state == CaseState.FILED
    assert case.case_number == "11001400301220260012300"
    assert case.changes.count() == 2 and case.documents.count() == 1
