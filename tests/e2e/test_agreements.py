"""Agreements in Chromium: a collector offers a plan from the debt page, previews the exact
schedule and confirms it; another offer beyond the limits is approved from the manager's queue."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import AgreementStatus, PaymentAgreement
from core.dates import business_today
from portfolio.models import Debt, Stage
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def make_debt(creditor, collector, ref):
    debt = DebtFactory(
        creditor=creditor,
        debt_ref=ref,
        due_date=business_today() - datetime.timedelta(days=30),
        stage=Stage.FIRM_NOTICE,
        assigned_to=collector,
        principal=Decimal("1000000.00"),
        interest=Decimal("150000.00"),
        fees=Decimal("50000.00"),
    )
    ContactPointFactory(debtor=debt.debtor)
    return debt


def fill_offer(page, *, count, down):
    first = business_today() + datetime.timedelta(days=7)
    page.get_by_label("Número de cuotas").fill(str(count))
    page.get_by_label("Cuota inicial").fill(down)
    page.get_by_label("Primera fecha de pago").fill(first.isoformat())
    page.get_by_role("button", name="Ver plan de pagos").click()


def test_collector_offers_a_plan_and_manager_approves_one_beyond_limits(
    live_server, page, screenshot
):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    ManagerFactory(username="directora", creditors=[creditor])
    debt = make_debt(creditor, collector, "OBL-501")
    other = make_debt(creditor, collector, "OBL-502")

    # the collector opens the debt page and starts an agreement
    log_in(page, live_server, "gestor")
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    expect(page.locator("#agreements")).to_contain_text("Esta obligación no tiene un acuerdo")
    page.get_by_role("link", name="Nuevo acuerdo de pago").click()
    fill_offer(page, count=3, down="120000")

    # the preview shows the exact schedule and says it is within the limits
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Dentro de sus límites")
    rows = preview.locator("[data-testid=schedule] tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Cuota inicial")
    expect(preview.locator("tfoot")).to_contain_text("$1.200.000,00")
    screenshot("agreement-preview-es")
    assert not PaymentAgreement.objects.exists()

    page.get_by_role("button", name="Confirmar acuerdo").click()
    expect(page.get_by_test_id("status")).to_have_text("Activo")
    expect(page.locator(".messages")).to_contain_text("Acuerdo activo")
    screenshot("agreement-detail-es")
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    expect(page.locator("#agreements")).to_contain_text("Acuerdo de pago activo")
    expect(page.locator("#agreements [data-testid=schedule] tbody tr")).to_have_count(4)
    page.locator("#agreements").screenshot(path=str(SCREENSHOTS / "agreement-panel-es.png"))
    assert Debt.objects.get(pk=debt.pk).stage == Stage.CURRENT

    # a second offer on the other debt goes beyond the collector's limits (24 instalments)
    page.goto(f"{live_server.url}{reverse('agreements:new', args=[other.pk])}")
    fill_offer(page, count=24, down="0")
    expect(page.locator("#preview")).to_contain_text("Fuera de sus límites")
    page.get_by_role("button", name="Enviar a aprobación").click()
    expect(page.get_by_test_id("status")).to_have_text("Pendiente de aprobación")
    pending = PaymentAgreement.objects.get(lines__debt=other)

    # the manager approves it from the queue
    page.context.clear_cookies()
    log_in(page, live_server, "directora")
    page.get_by_role("link", name="Aprobaciones").click()
    # the approvals page (agreements + legal escalations) links the agreements' own queue
    page.get_by_role("link", name="Abrir la cola de acuerdos").click()
    card = page.locator(f"#agreement-{pending.pk}")
    expect(card).to_contain_text("24 cuotas")
    screenshot("agreement-queue-es")
    card.get_by_label("Motivo").fill("Cliente con buen historial")
    card.get_by_role("button", name="Aprobar").click()
    expect(page.locator(".messages")).to_contain_text("Acuerdo aprobado y activo")
    expect(page.locator(".empty-state")).to_contain_text("Nada espera su aprobación")

    pending.refresh_from_db()
    assert pending.status == AgreementStatus.ACTIVE
    assert pending.decided_by.username == "directora"

    # both show in the agreements list
    page.get_by_role("link", name="Todos los acuerdos").click()
    expect(page.locator("table tbody tr")).to_have_count(2)
    screenshot("agreement-list-es")

    # the approved agreement, in English
    page.goto(f"{live_server.url}{reverse('agreements:detail', args=[pending.pk])}")
    page.locator("button[value=en]").click()
    expect(page.get_by_test_id("status")).to_have_text("Active")
    expect(page.locator("body")).to_contain_text("Why it needed approval")
    screenshot("agreement-approved-detail-en")
