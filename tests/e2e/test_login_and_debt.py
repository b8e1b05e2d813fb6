import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.dates import business_today
from portfolio.models import DebtorDataAccess, Stage
from tests.e2e.conftest import DESKTOP, TABLET
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
    PaymentFactory,
)
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_collector_logs_in_sees_their_debts_and_a_debt_page(live_server, page, screenshot):
    # given a collector with three cases and a colleague with one
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor", first_name="Laura", last_name="Méndez")
    colleague = CollectorFactory(username="colega")
    today = business_today()
    debtor = DebtorFactory(
        creditor=creditor,
        full_name="Jorge Castaño",
        document_number="79123456",
        address_line="Carrera 7 # 32-16",
        city="Bogotá",
    )
    ContactPointFactory(debtor=debtor, channel="sms", value="+573015550123")
    debt = DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref="OBL-00012345",
        principal=Decimal("1000000.00"),
        interest=Decimal("150000.00"),
        fees=Decimal("20000.00"),
        due_date=today - datetime.timedelta(days=47),
        stage=Stage.PRE_LEGAL,
        assigned_to=collector,
    )
    DebtFactory(
        creditor=creditor,
        debt_ref="OBL-00012346",
        due_date=today - datetime.timedelta(days=12),
        stage=Stage.FRIENDLY_REMINDER,
        assigned_to=collector,
    )
    DebtFactory(
        creditor=creditor,
        debt_ref="OBL-00012347",
        currency="USD",
        principal=Decimal("850.00"),
        interest=Decimal("40.00"),
        fees=Decimal("0"),
        due_date=today + datetime.timedelta(days=3),
        assigned_to=collector,
    )
    DebtFactory(creditor=creditor, debt_ref="OBL-AJENA", assigned_to=colleague)
    # ...whose history has a change made by the daily cycle (no user) and a payment
    debt.stage_entered_at = datetime.datetime(2026, 11, 1, 6, tzinfo=datetime.UTC)
    debt.save()
    PaymentFactory(debt=debt, amount=Decimal("50000.00"), reference="PSE-778899", method="pse")

    # when the collector opens Cartera, they are asked to sign in, in Spanish
    page.goto(f"{live_server.url}{reverse('portfolio:debt-list')}")
    expect(page).to_have_url(
        f"{live_server.url}{reverse('login')}?next={reverse('portfolio:debt-list')}"
    )
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.set_viewport_size(DESKTOP)
    screenshot("login-es-1366")
    page.get_by_label("Usuario").fill("gestor")
    page.get_by_label("Contraseña").fill("pass-1234")
    page.get_by_role("button", name="Iniciar sesión").click()

    # then they see their own cases and not their colleague's
    expect(page).to_have_url(f"{live_server.url}{reverse('portfolio:debt-list')}")
    expect(page.get_by_role("heading", name="Deudas")).to_be_visible()
    table = page.locator("table.table--debts")
    for ref in ("OBL-00012345", "OBL-00012346", "OBL-00012347"):
        expect(table.get_by_role("link", name=ref)).to_be_visible()
    expect(page.get_by_text("OBL-AJENA")).to_have_count(0)
    expect(page.get_by_test_id("debt-count")).to_have_text("3")
    screenshot("debts-es-1366")
    page.set_viewport_size(TABLET)
    screenshot("debts-es-tablet")
    page.set_viewport_size(DESKTOP)

    # and the filter bar narrows the table in place (htmx), keeping the URL shareable
    page.get_by_label("Buscar").fill("12346")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}{reverse('portfolio:debt-list')}?q=12346")
    page.get_by_role("link", name="Limpiar").click()
    expect(table.locator("tbody tr")).to_have_count(3)
    # sorting by a column keeps its order while the filters change
    table.get_by_role("link", name="Saldo").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('portfolio:debt-list')}?sort=balance")
    expect(table.locator("tbody tr").first).to_contain_text("OBL-00012347")
    page.get_by_label("Buscar").fill("OBL")
    expect(page).to_have_url(
        f"{live_server.url}{reverse('portfolio:debt-list')}?q=OBL&sort=balance"
    )
    expect(table.locator("tbody tr").first).to_contain_text("OBL-00012347")
    page.get_by_role("link", name="Limpiar").click()

    # when they open a debt, they see its balance, debtor and history
    table.get_by_role("link", name="OBL-00012345").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    expect(page.get_by_test_id("balance")).to_contain_text("$1.170.000,00")
    expect(page.get_by_text("••••3456")).to_be_visible()
    expect(page.get_by_role("button", name="Mostrar documento completo")).to_have_count(0)
    history = page.locator("ol.timeline")
    expect(history).to_contain_text("Pago PSE-778899")
    expect(history).to_contain_text("sistema")
    screenshot("debt-es-1366")

    # when they switch to English, the same page comes back with English labels
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{reverse('portfolio:debt-detail', args=[debt.pk])}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Balance", exact=True)).to_be_visible()
    expect(page.get_by_test_id("balance")).to_contain_text("COP\xa01,170,000.00")
    expect(history).to_contain_text("Payment PSE-778899")
    screenshot("debt-en-1366")

    # and the layout holds on a tablet
    page.set_viewport_size(TABLET)
    screenshot("debt-en-tablet")
    page.get_by_role("link", name="Debts", exact=True).first.click()
    expect(page.get_by_role("heading", name="Debts")).to_be_visible()
    screenshot("debts-en-tablet")
    page.set_viewport_size(DESKTOP)
    screenshot("debts-en-1366")


def test_manager_reveals_a_document_and_the_access_is_logged(live_server, page, screenshot):
    # given a manager of a creditor with one debt
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    manager = ManagerFactory(
        username="directora", first_name="Sofía", last_name="Lara", creditors=[creditor]
    )
    debtor = DebtorFactory(creditor=creditor, full_name="Ana Beltrán", document_number="52987654")
    debt = DebtFactory(creditor=creditor, debtor=debtor, debt_ref="OBL-REVEAL")

    # when the manager signs in (in English) and opens the debt
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Username").fill("directora")
    page.get_by_label("Password").fill("pass-1234")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}{reverse('analytics:dashboard')}")
    expect(page.get_by_role("link", name="Imports")).to_be_visible()
    page.get_by_role("link", name="Debts", exact=True).click()
    page.get_by_role("link", name="OBL-REVEAL").click()
    expect(page.get_by_test_id("document-masked")).to_have_text("••••7654")

    # and asks to see the full document
    page.get_by_role("button", name="Show full document").click()

    # then it appears in place and the access is on record
    expect(page.get_by_test_id("document-full")).to_have_text("52987654")
    expect(page.get_by_text("Access logged")).to_be_visible()
    screenshot("debt-manager-revealed-en-1366")
    page.set_viewport_size(TABLET)
    screenshot("debt-manager-en-tablet")
    log = DebtorDataAccess.objects.get(data="document")
    assert (log.user_id, log.debtor_id) == (manager.pk, debtor.pk)
    assert log.ip_address == "127.0.0.1"
    assert debt.debt_ref in log.purpose


def test_an_out_of_range_filter_typed_in_the_live_list_says_so(live_server, page):
    # given a collector with a case, signed in on the debt list
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    collector = CollectorFactory(username="gestor")
    DebtFactory(creditor=creditor, debt_ref="OBL-1", assigned_to=collector)
    page.goto(f"{live_server.url}{reverse('portfolio:debt-list')}")
    page.get_by_label("Usuario").fill("gestor")
    page.get_by_label("Contraseña").fill("pass-1234")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_test_id("debt-count")).to_have_text("1")
    # when they type a minimum days past due no debt can have
    page.get_by_label("Mínimo de días de mora").fill("99999999")
    # then the results (a 400 htmx swaps in) say which filter and list nothing
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("no se pudieron aplicar")
    expect(alert).to_contain_text("36500")
    expect(page.get_by_test_id("debt-count")).to_have_text("0")
