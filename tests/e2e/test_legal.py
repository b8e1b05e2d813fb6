"""The hand-off and the lawyer's first update, in Chromium, in Spanish and in English: the
manager hands a debt in `legal` to a law firm on the hand-off screen (the debt chosen, the firm
and its lawyer, the power of attorney, a confirmation); the lawyer signs in, finds it in their
cases, records the filing (the 23-digit radicado and the filing date, with a reason) and uploads
a document; the state and the history show it."""

import datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from core.dates import business_today
from legal.models import CaseState, LegalCase
from portfolio.models import Debt, Stage
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.legal import LawFirmFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import LawyerFactory, ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RADICADO = "11001-40-03-012-2026-00123-00"


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_manager_hands_over_and_the_lawyer_records_the_filing(
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
    Debt.objects.filter(pk=debt.pk).update(stage=Stage.LEGAL)
    firm = LawFirmFactory(name="Ríos & Asociados", creditors=[creditor])
    lawyer = LawyerFactory(username="abogada", firms=[firm], first_name="Laura", last_name="Ríos")

    # The manager hands the debt over on the hand-off screen.
    log_in(page, live_server, manager.username)
    if language == "en":
        page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server.url}/legal/handoff/")
    expect(page.get_by_test_id("handoff-debts")).to_contain_text("Carlos Andrés Gómez")
    page.locator(f"#debt-{debt.pk}").check()
    page.locator("select[name=firm]").select_option(str(firm.pk))
    page.locator("select[name=lawyer]").select_option(str(lawyer.pk))
    page.locator("input[name=power_of_attorney]").set_input_files(
        files=[{"name": "poder.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("textarea[name=note]").fill("Pagaré original en custodia.")
    shot(page, f"legal_00_handoff_{language}")
    # Without the confirmation nothing is handed over.
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".field-error").first).to_be_visible()
    assert not LegalCase.objects.exists()
    page.locator("input[name=power_of_attorney]").set_input_files(
        files=[{"name": "poder.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("input[name=confirm]").check()
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".messages, [role=status]").first).to_be_visible()
    case = LegalCase.objects.get(debt=debt)
    assert (case.firm, case.lawyer, case.handed_over_by) == (firm, lawyer, manager)
    assert case.documents.filter(kind="power_of_attorney").count() == 1
    shot(page, f"legal_00_handed_over_{language}")
    # The firm plans its first step (the lawyer's planning, set here to make it overdue).
    LegalCase.objects.filter(pk=case.pk).update(
        next_action="Radicar la demanda",
        next_action_on=business_today() - datetime.timedelta(days=2),
    )
    page.context.clear_cookies()

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
    # The hand-off, its power of attorney, the filing, the claim uploaded.
    assert case.changes.count() == 4 and case.documents.count() == 2
