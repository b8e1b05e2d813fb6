"""The escalation panel of the debt page, driven in Chromium: a collector opens a dispute (a
complaint with its clock), a manager resolves it as withdrawn, then writes the debt off after
confirming the browser's dialog."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints.models import Complaint
from core.dates import business_today
from portfolio.models import Debt, Hold, Stage, StageChange
from tests.e2e.conftest import log_in
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dispute_resolution_and_write_off_from_the_debt_page(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    ManagerFactory(username="directora", creditors=[creditor])
    debt = DebtFactory(
        creditor=creditor,
        debt_ref="OBL-77",
        due_date=business_today() - datetime.timedelta(days=20),
        stage=Stage.FIRM_NOTICE,
        assigned_to=collector,
    )

    # a collector places a dispute from the debt page
    log_in(page, live_server, "gestor")
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    page.get_by_text("Aplicar una suspensión").click()
    page.get_by_label("Tipo").select_option("dispute")
    page.get_by_label("Motivo", exact=True).fill("Dice que ya pagó en octubre")
    page.get_by_role("button", name="Suspender", exact=True).click()
    expect(page.locator("#escalation")).to_contain_text("Dice que ya pagó en octubre")
    expect(page.locator("#escalation")).to_contain_text(
        "el escalamiento y el contacto están en pausa"
    )
    hold = Hold.objects.get(debt=debt)
    assert (hold.kind, hold.opened_by.username) == ("dispute", "gestor")
    screenshot("escalation-dispute-es")

    # a manager resolves it, then writes the debt off, confirming the dialog
    page.context.clear_cookies()
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    # the dispute is a complaint the debtor is owed an answer to (#18): resolving its hold by
    # hand is refused, naming the complaint; withdrawn by the debtor, it closes with the hold
    complaint = Complaint.objects.get(hold=hold)
    page.locator(f"#outcome-{hold.pk}").select_option("rejected")
    page.locator(f"#note-{hold.pk}").fill("Sin soporte de pago")
    page.get_by_role("button", name="Resolver").click()
    expect(page.locator(".messages")).to_contain_text(complaint.number)
    assert Hold.objects.get(pk=hold.pk).is_open
    page.locator(f"#outcome-{hold.pk}").select_option("withdrawn")
    page.locator(f"#note-{hold.pk}").fill("El deudor retiró la disputa")
    page.get_by_role("button", name="Resolver").click()
    expect(page.locator(".messages")).to_contain_text("Suspensión cerrada")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == ("closed", "withdrawn")
    page.get_by_text("Castigar").click()
    page.locator("#code-write_off").select_option("uncollectible")
    page.locator("#reason-write_off").fill("Deudor sin bienes, costo mayor que el saldo")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form:has(#reason-write_off) button[type=submit]").click()
    # The stage history names the transition by its label, never its code (#16 Language).
    expect(page.locator("#escalation")).to_contain_text("Castigada por un director")
    expect(page.locator("#escalation")).not_to_contain_text("write_off")
    screenshot("escalation-written-off-es")

    assert Debt.objects.get(pk=debt.pk).stage == Stage.WRITTEN_OFF
    assert Hold.objects.get(pk=hold.pk).outcome == "withdrawn"
    change = StageChange.objects.get(debt=debt)
    assert (change.actor.username, change.to_stage) == ("directora", Stage.WRITTEN_OFF)
