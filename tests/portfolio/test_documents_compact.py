"""Staff write and find documents in their compact form, however they type them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from portfolio.models import Debtor
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def _admin_form(debtor, **changes):
    data = {
        "creditor": debtor.creditor_id,
        "debtor_ref": debtor.debtor_ref,
        "document_type": debtor.document_type,
        "document_number": debtor.document_number,
        "full_name": debtor.full_name,
        "country": debtor.country,
        "timezone": debtor.timezone,
        "language": debtor.language,
        "contact_points-TOTAL_FORMS": "0",
        "contact_points-INITIAL_FORMS": "0",
        "contact_points-MIN_NUM_FORMS": "0",
        "contact_points-MAX_NUM_FORMS": "1000",
    }
    return {**data, **changes}


def test_a_document_typed_with_separators_in_the_admin_is_saved_compact(admin_client, creditor):
    debtor = DebtorFactory(creditor=creditor, document_type="SSN", document_number="536904399")
    url = reverse("admin:portfolio_debtor_change", args=[debtor.pk])

    response = admin_client.post(url, _admin_form(debtor, document_number="123-45 6789"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    debtor.refresh_from_db()
    assert debtor.document_number == "123456789"


def test_a_document_of_separators_only_is_refused_in_the_admin(admin_client, creditor):
    debtor = DebtorFactory(creditor=creditor)
    url = reverse("admin:portfolio_debtor_change", args=[debtor.pk])

    response = admin_client.post(url, _admin_form(debtor, document_number=" - . "))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["document_number"]
    assert Debtor.objects.get(pk=debtor.pk).document_number == debtor.document_number


def test_the_database_refuses_a_document_with_separators(creditor):
    debtor = DebtorFactory(creditor=creditor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Debtor.objects.filter(pk=debtor.pk).update(document_number="123-45-6789")
    debtor.document_number = "123-45-6789"
    with pytest.raises(ValidationError):
        debtor.full_clean()


def test_the_api_finds_a_debtor_by_the_document_typed_with_separators(api_client, admin_user,
                                                                       creditor):  # fmt: skip
    api_client.force_authenticate(admin_user)
    ssn = DebtorFactory(creditor=creditor, document_type="SSN", document_number="123456789")
    DebtorFactory(creditor=creditor, document_number="1020304050")

    for typed in ("123-45-6789", "123.45.6789", "123456789"):
        results = api_client.get("/api/v1/debtors/", {"search": typed}).json()["results"]
        assert [row["id"] for row in results] == [ssn.pk], typed


def test_the_staff_debt_list_finds_a_debtor_by_the_document_typed_with_separators(
    admin_client, creditor
):
    debt = DebtFactory(
        creditor=creditor, debtor__document_type="NIT", debtor__document_number="9001234568"
    )
    DebtFactory(creditor=creditor)

    page = admin_client.get(reverse("portfolio:debt-list"), {"q": "900.123.456-8"})

    assert page.status_code == 200
    assert [d.pk for d in page.context["rows"]] == [debt.pk]


def test_the_revealed_document_is_shown_as_people_write_it(admin_client, creditor):
    debt = DebtFactory(
        creditor=creditor, debtor__document_type="SSN", debtor__document_number="536904399"
    )

    page = admin_client.post(reverse("portfolio:debt-document-reveal", args=[debt.pk]))

    assert "536-90-4399" in page.content.decode()
