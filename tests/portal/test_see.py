"""Seeing a debt: its split, stage in words, payments, agreement; the PDF statement."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.portfolio import (
    ContactPointFactory,
    DebtFactory,
    DebtorFactory,
    PaymentFactory,
)
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_debt_page_shows_the_split_and_payments(portal_client, debt):
    PaymentFactory(debt=debt, amount=Decimal("5000.00"), reference="X-1")
    page = portal_client.get(reverse("portal:debt", args=[debt.pk])).content.decode()
    for text in ("1,000,000.00", "150,000.00", "20,000.00", "1,170,000.00", debt.creditor.name):
        assert text in page, text
    assert "5,000.00" in page
    assert "Overdue: please pay" in page  # firm notice in plain words


def test_debt_page_in_spanish(portal_client, debt):
    portal_client.post(reverse("set_language"), {"language": "es", "next": "/portal/debts/"})
    page = portal_client.get(reverse("portal:debt", args=[debt.pk])).content.decode()
    assert "Lo que debes" in page and "Capital" in page


@pytest.mark.parametrize(
    ("country", "currency", "balance", "paid_on"),
    [
        ("MX", "MXN", "$1,170,000.00", "5 dic 2026"),  # es_MX: "$" is the peso, "," groups
        ("CO", "COP", "$1.170.000,00", "5/12/2026"),  # es_CO: "." groups, "," decimals
    ],
)
def test_a_debtor_reads_amounts_and_dates_the_way_their_country_writes_them(
    client, creditor, country, currency, balance, paid_on
):
    # given a Spanish-speaking debtor in Mexico (or Colombia) with a debt in their own currency
    debtor = DebtorFactory(
        creditor=creditor, document_number="5566778899", country=country, language="es"
    )
    ContactPointFactory(debtor=debtor, channel="sms", value="+573005556677")
    debt = DebtFactory(creditor=creditor, debtor=debtor, currency=currency)
    PaymentFactory(debt=debt, amount=Decimal("5000.00"), paid_at="2026-12-05T15:00:00Z")
    # when they sign in and open the debt
    sign_in(client, debtor)
    page = client.get(reverse("portal:debt", args=[debt.pk])).content.decode()
    # then the balance and the payment are in their country's format
    assert balance in page and paid_on in page


def test_statement_is_a_pdf(portal_client, debt):
    response = portal_client.get(reverse("portal:statement", args=[debt.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert debt.debt_ref in response["Content-Disposition"]


def test_staff_debt_page_shows_the_portal_panel(portal_client, debt, admin_client):
    portal_client.get(reverse("portal:reference", args=[debt.pk]))
    portal_client.post(
        reverse("portal:preferences"),
        {"allow_sms": "on", "preferred_from": "18:00", "preferred_to": "20:00"},
    )
    page = admin_client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert "Debtor portal" in page and "18:00–20:00" in page
    assert debt.payment_reference.reference in page
