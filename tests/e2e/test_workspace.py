"""The collector workspace in Chromium: a collector works the queue, logs a call with a promise
and starts an agreement; a manager bulk-assigns and approves; a foreign case is a 404."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import AgreementStatus, PaymentAgreement, PromiseToPay
from collections_app.models import Assignment, Interaction
from core.dates import business_today
from portfolio.models import Debt, Stage
from tests.collections_app.workspace_helpers import callable_debt
from tests.e2e.conftest import TABLET, log_in
from tests.factories.portfolio import (
    CreditorFactory,
)
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contact_hours"),
]


def make_debt(creditor, collector, ref, principal="1000000.00", stage=Stage.FIRM_NOTICE):
    return callable_debt(
        creditor,
        ref,
        principal,
        collector=collector,
        stage=stage,
        interest="150000.00",
        fees="50000.00",
    )


def test_collector_works_the_queue_logs_a_promise_and_starts_an_agreement(
    live_server, page, screenshot
):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    other = CollectorFactory(username="otra")
    top = make_debt(creditor, collector, "OBL-900", principal="9000000.00")
    make_debt(creditor, collector, "OBL-100", principal="100000.00")
    foreign = make_debt(creditor, other, "OBL-777")

    log_in(page, live_server, "gestor")
    page.goto(f"{live_server.url}{reverse('collections:queue')}")
    rows = page.locator("[data-testid=queue] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("OBL-900")
    screenshot("workspace-queue-es")

    # "Next case" (Alt+N) opens the top case
    page.locator("#next-case").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('portfolio:debt-detail', args=[top.pk])}")
    panel = page.get_by_test_id("case-panel")
    expect(panel.get_by_test_id("call-button")).to_be_visible()
    # a Colombian debtor: no reason-for-non-payment question, no visit channel
    expect(panel.locator("[name=nonpayment_reason]")).to_have_count(0)
    expect(panel.locator("select[name=channel] option[value=visit]")).to_have_count(0)

    # log a call with a promise (htmx swaps the panel)
    when = (business_today() + datetime.timedelta(days=4)).isoformat()
    panel.locator("select[name=channel]").select_option("call")
    panel.locator("label.outcome-key", has_text="Promesa de pago").click()
    panel.locator("[name=promise_amount]").fill("300000")
    panel.locator("[name=promise_date]").fill(when)
    panel.locator("[name=note]").fill("Paga el viernes con la prima")
    panel.get_by_test_id("save").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("Paga el viernes con la prima")
    screenshot("workspace-case-es")
    promise = PromiseToPay.objects.get(debt=top)
    assert promise.amount == Decimal("300000.00")
    assert Interaction.objects.get(debt=top).promise == promise

    # a bad promise (no amount) is refused with a message and writes nothing
    panel = page.get_by_test_id("case-panel")
    panel.locator("label.outcome-key", has_text="Promesa de pago").click()
    panel.get_by_test_id("save").click()
    expect(page.get_by_test_id("case-panel").locator(".field-error").first).to_be_visible()
    assert Interaction.objects.count() == 1

    # start an agreement from the case page
    page.get_by_test_id("case-panel").locator(
        f"a[href='{reverse('agreements:new', args=[top.pk])}']"
    ).click()
    page.get_by_label("Número de cuotas").fill("3")
    page.get_by_label("Cuota inicial").fill("1000000")
    first = business_today() + datetime.timedelta(days=7)
    page.get_by_label("Primera fecha de pago").fill(first.isoformat())
    page.get_by_role("button", name="Ver plan de pagos").click()
    screenshot("workspace-agreement-preview-es")
    page.get_by_role("button", name="Confirmar acuerdo").click()
    expect(page.get_by_test_id("status")).to_have_text("Activo")
    assert PaymentAgreement.objects.get(lines__debt=top).status == AgreementStatus.ACTIVE

    # another collector's case is a 404
    response = page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[foreign.pk])}")
    assert response.status == 404

    # the tablet layout of the case page
    page.set_viewport_size(TABLET)
    page.goto(f"{live_server.url}{reverse('portfolio:debt-detail', args=[top.pk])}")
    screenshot("workspace-case-tablet-es")


def test_manager_assigns_a_city_of_one_creditor_balanced_by_balance(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    other = CreditorFactory(code="coop-sur", name="Cooperativa del Sur")
    ManagerFactory(username="directora", creditors=[creditor, other])
    names = [("ana", "Ana", "Ruiz"), ("luis", "Luis", "Mora"), ("eva", "Eva", "Gil")]
    collectors = [CollectorFactory(username=u, first_name=f, last_name=s) for u, f, s in names]
    for i, principal in enumerate(["9000000.00", "4000000.00", "3000000.00", "2000000.00"]):
        debt = make_debt(creditor, None, f"BOG-{i}", principal=principal)
        debt.debtor.city = "Bogotá"
        debt.debtor.save(update_fields=["city"])
    for ref, owner, city in [("MED-1", creditor, "Medellín"), ("SUR-1", other, "Bogotá")]:
        debt = make_debt(owner, None, ref)
        debt.debtor.city = city
        debt.debtor.save(update_fields=["city"])

    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('collections:assign')}")
    page.get_by_label("Acreedor").select_option("banco-andino")
    page.get_by_label("Ciudad").fill("bogotá")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_test_id("selection")).to_contain_text("4 obligaciones abiertas")
    for _u, first, last in names:
        page.get_by_label(f"{first} {last}").check()
    page.get_by_label("Saldo total").check()
    page.locator("form.card button.btn--primary").click()
    preview = page.get_by_test_id("preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    screenshot("workspace-assign-city-es")
    page.locator("button[name=confirm]").click()
    expect(page.locator(".messages")).to_contain_text("4")
    owners = dict(
        Debt.objects.filter(assigned_to__isnull=False).values_list("debt_ref", "assigned_to")
    )
    # largest first, each to the lightest: 9M | 4M | 3M + 2M
    ana, luis, eva = (c.pk for c in collectors)
    assert owners == {"BOG-0": ana, "BOG-1": luis, "BOG-2": eva, "BOG-3": eva}


def test_manager_bulk_assigns_and_approves(live_server, page, screenshot):
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    first = CollectorFactory(username="ana", first_name="Ana", last_name="Ruiz")
    second = CollectorFactory(username="luis", first_name="Luis", last_name="Mora")
    for i in range(5):
        make_debt(creditor, None, f"OBL-{i:03d}")
    make_debt(creditor, None, "OBL-PRE", stage=Stage.PRE_LEGAL)

    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('collections:assign')}?stage=firm_notice")
    expect(page.get_by_test_id("selection")).to_contain_text("5")
    page.get_by_label("Ana Ruiz").check()
    page.get_by_label("Luis Mora").check()
    page.locator("[name=reason]").fill("Campaña diciembre")
    page.locator("form.card button.btn--primary").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Ana Ruiz")
    screenshot("workspace-assign-preview-es")
    assert not Assignment.objects.exists()
    page.locator("button[name=confirm]").click()
    expect(page.locator(".messages")).to_contain_text("5")
    assert Debt.objects.filter(assigned_to=first).count() == 3
    assert Debt.objects.filter(assigned_to=second).count() == 2
    assert Debt.objects.get(debt_ref="OBL-PRE").assigned_to is None
    assert Assignment.objects.filter(reason="Campaña diciembre").count() == 5

    # an agreement beyond the limits waits in the approvals queue; the manager approves it
    debt = Debt.objects.get(debt_ref="OBL-000")
    from agreements.services.lifecycle import agreement_create

    agreement = agreement_create(
        user=first,
        debt_ids=[debt.pk],
        as_of=business_today(),
        notes="",
        kind="instalment_plan",
        instalment_count=24,
        down_payment=Decimal("0"),
        first_due_date=business_today() + datetime.timedelta(days=7),
        frequency="monthly",
        channel="phone",
    )
    assert agreement.status == AgreementStatus.PENDING_APPROVAL
    page.goto(f"{live_server.url}{reverse('collections:approvals')}")
    screenshot("workspace-approvals-es")
    page.locator(f"#agreement-{agreement.pk} textarea[name=reason]").fill("Buen historial")
    approve = reverse("agreements:approve", args=[agreement.pk])
    page.locator(f"#agreement-{agreement.pk} button[formaction$='{approve}']").click()
    expect(page.locator(".messages")).to_contain_text("aprobado")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE

    # the same pages in English
    page.goto(f"{live_server.url}{reverse('collections:approvals')}")
    page.locator("button[value=en]").click()
    expect(page.locator("h1")).to_have_text("Approvals")
    expect(page.locator("body")).to_contain_text("Legal escalations")
    page.goto(f"{live_server.url}{reverse('collections:queue')}")
    expect(page.locator("h1")).to_have_text("My queue today")
    screenshot("workspace-queue-en")
