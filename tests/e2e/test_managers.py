"""The managers' pages in Chromium, as a manager lives them: amounts per currency on the
assignment, approvals with their reasons and schedule, the dashboard's today band, the
reminder cadence as a form."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.dates import business_today
from portfolio.models import Stage
from tests.collections_app.workspace_helpers import DAY_ZONE
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contact_hours"),
]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill("pass-1234")
    page.get_by_role("button", name="Iniciar sesión").click()


def make_debt(creditor, ref, principal, currency="COP", stage=Stage.FIRM_NOTICE, collector=None):
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}")
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref=ref,
        currency=currency,
        due_date=business_today() - datetime.timedelta(days=30),
        stage=stage,
        assigned_to=collector,
        principal=Decimal(principal),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )


def test_assign_shows_each_currency_apart(live_server, page, screenshot):
    # Given open debts in COP, MXN and USD
    creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
    ManagerFactory(username="directora", creditors=[creditor])
    CollectorFactory(username="ana", first_name="Ana", last_name="Ruiz")
    make_debt(creditor, "COP-1", "1000000")
    make_debt(creditor, "COP-2", "2500000")
    make_debt(creditor, "MXN-1", "15000", currency="MXN")
    make_debt(creditor, "USD-1", "300", currency="USD")

    # When the manager opens the assignment and previews it
    log_in(page, live_server, "directora")
    page.goto(f"{live_server.url}{reverse('collections:assign')}?stage=firm_notice")
    totals = page.get_by_test_id("selection-totals")
    # Then the selection shows one total per currency, never their sum
    expect(totals.locator("li")).to_have_count(3)
    expect(totals.locator("[data-currency=COP]")).to_contain_text("$3.500.000,00 (2 obligaciones)")
    expect(totals.locator("[data-currency=MXN]")).to_contain_text("MXN\u00a015.000,00")
    expect(totals.locator("[data-currency=USD]")).to_contain_text("US$300,00")
    expect(page.locator("main")).not_to_contain_text("3.515.300")
    page.get_by_label("Ana Ruiz").check()
    page.locator("form.card button.btn--primary").click()
    preview = page.get_by_test_id("preview")
    expect(preview.locator("[data-currency]")).to_have_count(3)
    expect(preview.locator("[data-currency=MXN]")).to_have_text("MXN\u00a015.000,00")
    expect(preview).not_to_contain_text("3.515.300")
    screenshot("managers-assign-currencies-es")

    # The same page in English
    page.locator(".langswitch button[value=en]").click()
    totals = page.get_by_test_id("selection-totals")
    expect(totals.locator("[data-currency=COP]")).to_contain_text("COP\u00a03,500,000.00")
    expect(totals.locator("[data-currency=USD]")).to_contain_text("$300.00")
    expect(page.locator("main")).not_to_contain_text("3,515,300")
    screenshot("managers-assign-currencies-en")
