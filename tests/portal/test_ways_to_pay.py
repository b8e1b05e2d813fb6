"""Each country sees its own ways to pay; the statement says how to pay, reference included."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.services.ways_to_pay import online_method_choices, payment_ways
from portfolio.models import PaymentReference
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.portal.conftest import pdf_text, sign_in

pytestmark = pytest.mark.django_db

EVERY_WAY = {"PSE", "Efecty", "SPEI", "OXXO", "ACH"}
SEEN = {"CO": {"PSE", "Efecty"}, "MX": {"SPEI", "OXXO"}, "US": {"ACH"}}
CURRENCY = {"CO": "COP", "MX": "MXN", "US": "USD"}


def _signed_in(country, name="Banco & Cía"):
    creditor = CreditorFactory(code=f"c-{country}", name=name, country=country,
                               contact_phone="+57 601 444 0000")  # fmt: skip
    debtor = DebtorFactory(creditor=creditor, country=country, language="en",
                           document_number=f"77{len(country)}1234")  # fmt: skip
    ContactPointFactory(debtor=debtor, channel="sms", value="+573001110000")
    debt = DebtFactory(creditor=creditor, debtor=debtor, currency=CURRENCY[country],
                       stage="firm_notice")  # fmt: skip
    client = Client()
    sign_in(client, debtor)
    return client, debt


@pytest.mark.parametrize("country", ["CO", "MX", "US"])
def test_the_reference_page_lists_only_the_debtors_countrys_ways(country):
    client, debt = _signed_in(country)

    page = client.get(reverse("portal:reference", args=[debt.pk])).content.decode()

    reference = PaymentReference.objects.get(debt=debt).reference
    assert reference in page
    for way in SEEN[country]:
        assert way in page, way
    for way in EVERY_WAY - SEEN[country]:
        assert way not in page, way
    assert 'href="tel:+576014440000"' in page  # where to ask for the account details


def test_a_us_debtor_is_offered_a_card_or_ach_online_not_pse():
    client, debt = _signed_in("US")
    page = client.get(reverse("portal:pay", args=[debt.pk])).content.decode()
    assert "Card (debit or credit)" in page and "Bank account (ACH)" in page
    assert "PSE" not in page and "SPEI" not in page
    labels = {code: str(label) for code, label in online_method_choices("CO")}
    assert labels == {
        "card": "Card (debit or credit)",
        "pse": "PSE (from your bank account)",
        "breb": "Bre-B (instant transfer with a key or QR code)",
    }


def test_a_country_the_portal_has_no_list_for_gets_a_plain_bank_transfer():
    ways = payment_ways(country="ES", creditor="Banco")
    assert [w.code for w in ways] == ["bank_transfer"]


@pytest.mark.parametrize("country", ["CO", "MX", "US"])
def test_the_statement_carries_the_reference_and_how_to_pay(country, settings):
    client, debt = _signed_in(country)

    response = client.get(reverse("portal:statement", args=[debt.pk]))

    assert response.status_code == 200
    text = pdf_text(response.content)
    reference = PaymentReference.objects.get(debt=debt).reference
    assert "How to pay" in text and reference in text
    assert settings.CARTERA_PORTAL_URL in text  # and online
    for way in SEEN[country]:
        assert way in text, way
    for way in EVERY_WAY - SEEN[country]:
        assert way not in text, way
    assert "+57 601 444 0000" in text
    assert "Banco & Cía" in text  # a name with "&" is text, not broken markup


def test_a_paid_debt_statement_says_there_is_nothing_to_pay():
    client, debt = _signed_in("CO")
    type(debt).objects.filter(pk=debt.pk).update(stage="paid", balance=0, principal=0,
                                                 interest=0, fees=0)  # fmt: skip
    text = pdf_text(client.get(reverse("portal:statement", args=[debt.pk])).content)
    assert "nothing left to pay" in text
    assert not PaymentReference.objects.filter(debt=debt).exists()
