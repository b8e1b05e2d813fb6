"""The suspense queue page and API: scoped to the manager's creditors, apply and refund."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ledger.models import SuspenseItem, SuspenseMovement
from portfolio.models import Payment, Stage
from tests.factories.ledger import SuspenseItemFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(creditor):
    paid = DebtFactory(creditor=creditor, stage=Stage.PAID, principal=0, interest=0, fees=0,
                       debt_ref="OBL-PAGADA")  # fmt: skip
    return SuspenseItemFactory(debt=paid, amount=Decimal("300.00"), reference="PSE-777")


@pytest.fixture
def sibling(item):
    return DebtFactory(creditor=item.creditor, debtor=item.debtor, debt_ref="OBL-ABIERTA",
                       principal=Decimal("1000.00"))  # fmt: skip


@pytest.fixture
def foreign_item():
    other = DebtFactory(creditor=CreditorFactory(code="otro", name="Otro Banco"),
                        stage=Stage.PAID)  # fmt: skip
    return SuspenseItemFactory(debt=other, reference="ALIEN-1")


@pytest.fixture
def unknown(creditor):
    return SuspenseItem.objects.create(
        creditor=creditor, amount=Decimal("70.00"), currency="COP",
        received_at=timezone.now(), business_date=timezone.localdate(), reference="BANK-9",
        quoted_reference="OBL-ZZZ", method="bank_transfer", source="file",
        reason="unknown_reference",
    )  # fmt: skip


def test_the_queue_lists_the_managers_creditors_items_with_their_currency(
    client, manager, item, foreign_item
):
    client.force_login(manager)

    page = client.get(reverse("collections:suspense-list")).content.decode()

    assert "PSE-777" in page and "ALIEN-1" not in page
    assert "COP\xa0300.00" in page
    assert 'href="/collections/suspense/"' in page  # the ledger sub-navigation links it
    # a payment is received in the masculine: "Recibido"
    client.cookies["django_language"] = "es"
    page = client.get(reverse("collections:suspense-list")).content.decode()
    assert '<th scope="col">Recibido</th>' in page and ">Recibida<" not in page
    detail = client.get(reverse("collections:suspense-detail", args=[item.pk])).content.decode()
    assert "<dt>Recibido</dt>" in detail


def test_the_queue_filters_searches_and_says_when_nothing_matches(client, manager, item, unknown):
    client.force_login(manager)
    url = reverse("collections:suspense-list")

    by_reason = client.get(url, {"reason": "unknown_reference"}).content.decode()
    assert "BANK-9" in by_reason and "PSE-777" not in by_reason
    by_search = client.get(url, {"q": "777"}).content.decode()
    assert "PSE-777" in by_search and "BANK-9" not in by_search
    resolved = client.get(url, {"status": "resolved"}).content.decode()
    assert "No items match" in resolved
    later = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "No items match" in client.get(url, {"received_from": later}).content.decode()
    bad = client.get(url, {"currency": "12345", "received_to": "2020-01-01",
                           "received_from": "2021-01-01"})  # fmt: skip
    assert bad.status_code == 400


def test_the_empty_queue_says_so(client, manager):
    client.force_login(manager)

    page = client.get(reverse("collections:suspense-list")).content.decode()

    assert "Nothing in suspense" in page


def test_collectors_may_not_open_it_and_another_creditors_item_is_a_404(
    client, manager, item, foreign_item
):
    client.force_login(CollectorFactory(username="c1"))
    assert client.get(reverse("collections:suspense-list")).status_code == 403
    client.force_login(manager)
    assert (
        client.get(reverse("collections:suspense-detail", args=[foreign_item.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("collections:suspense-refund", args=[foreign_item.pk]),
        {"amount": "1.00", "refund_reference": "X"},
    )
    assert response.status_code == 404
    assert not SuspenseMovement.objects.exists()


def test_applying_from_the_detail_page_pays_the_debtors_other_debt(client, manager, item, sibling):
    client.force_login(manager)
    detail = reverse("collections:suspense-detail", args=[item.pk])

    page = client.get(detail).content.decode()
    assert "Apply to a debt" in page and "OBL-ABIERTA" in page and "Refund" in page

    response = client.post(
        reverse("collections:suspense-apply", args=[item.pk]),
        {"debt": sibling.pk, "amount": "300.00"},
    )

    assert response.status_code == 302 and response.url == detail
    payment = Payment.objects.get()
    assert (payment.debt, payment.source) == (sibling, "suspense")
    page = client.get(detail).content.decode()
    assert "Resolved" in page and "OBL-ABIERTA" in page and "manager" in page
    assert "Apply to a debt" not in page


def test_an_unknown_payer_is_applied_by_a_debt_reference_within_the_creditor(
    client, manager, unknown, foreign_item
):
    client.force_login(manager)
    debt = DebtFactory(creditor=unknown.creditor, debt_ref="OBL-HALLADA")
    url = reverse("collections:suspense-apply", args=[unknown.pk])

    # A reference of another creditor's debt is not found
    foreign_ref = foreign_item.debt.debt_ref
    refused = client.post(url, {"debt_ref": foreign_ref, "amount": "70.00"})
    assert refused.status_code == 400
    assert "No debt of Banco Andino has this reference." in refused.content.decode()

    response = client.post(url, {"debt_ref": "OBL-HALLADA", "amount": "70.00"})

    assert response.status_code == 302
    assert Payment.objects.get().debt == debt


def test_a_refund_without_its_reference_is_refused_on_the_page(client, manager, item):
    client.force_login(manager)
    url = reverse("collections:suspense-refund", args=[item.pk])

    refused = client.post(url, {"amount": "300.00", "refund_reference": ""})
    assert refused.status_code == 400
    too_much = client.post(url, {"amount": "300.01", "refund_reference": "TRF-1"})
    assert too_much.status_code == 400 and "At most" in too_much.content.decode()
    assert not SuspenseMovement.objects.exists()

    done = client.post(url, {"amount": "300.00", "refund_reference": "TRF-1", "note": "Pidió"})
    assert done.status_code == 302
    assert SuspenseMovement.objects.get().refund_reference == "TRF-1"


def test_the_api_lists_scoped_items_and_applies_and_refunds(
    api_client, manager, item, sibling, foreign_item
):
    api_client.force_authenticate(manager)

    listed = api_client.get("/api/v1/suspense/", {"status": "open", "reason": "debt_closed"})
    assert listed.status_code == 200
    assert [r["reference"] for r in listed.json()["results"]] == ["PSE-777"]
    assert api_client.get(f"/api/v1/suspense/{foreign_item.pk}/").status_code == 404

    applied = api_client.post(
        f"/api/v1/suspense/{item.pk}/apply/", {"debt": sibling.pk, "amount": "100.00"},
        format="json",
    )  # fmt: skip
    assert applied.status_code == 200, applied.content
    assert (applied.json()["remaining"], applied.json()["status"]) == ("200.00", "open")

    refunded = api_client.post(
        f"/api/v1/suspense/{item.pk}/refund/",
        {"amount": "200.00", "refund_reference": "TRF-9", "note": "Devuelto"}, format="json",
    )  # fmt: skip
    assert refunded.status_code == 200, refunded.content
    body = refunded.json()
    assert body["status"] == "resolved"
    assert [m["kind"] for m in body["movements"]] == ["applied", "refunded"]


def test_the_api_answers_clear_400s(api_client, manager, item, sibling):
    api_client.force_authenticate(manager)
    url = f"/api/v1/suspense/{item.pk}/"

    no_ref = api_client.post(url + "refund/", {"amount": "1.00"}, format="json")
    assert no_ref.status_code == 400 and "refund_reference" in no_ref.json()
    stranger = DebtFactory(creditor=item.creditor)
    other = api_client.post(url + "apply/", {"debt": stranger.pk, "amount": "1.00"}, format="json")
    assert other.status_code == 400 and "another debtor" in other.content.decode()
    too_much = api_client.post(url + "apply/", {"debt": sibling.pk, "amount": "301.00"},
                               format="json")  # fmt: skip
    assert too_much.status_code == 400 and "amount" in too_much.json()
    assert api_client.get("/api/v1/suspense/", {"received_from": "99999-01-01"}).status_code == 400
    assert not SuspenseMovement.objects.exists()


def test_the_api_is_for_managers_only(api_client, item):
    api_client.force_authenticate(CollectorFactory(username="c2"))
    assert api_client.get("/api/v1/suspense/").status_code == 403
    outsider = ManagerFactory(username="m2", creditors=[CreditorFactory(code="x")])
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/suspense/").json()["results"] == []
    refused = api_client.post(
        f"/api/v1/suspense/{item.pk}/refund/",
        {"amount": "1.00", "refund_reference": "T"},
        format="json",
    )
    assert refused.status_code == 404


def test_the_queue_shows_open_items_first_the_longest_waiting_first(client, manager, creditor):
    now = timezone.now()
    done = SuspenseItemFactory(debt__creditor=creditor, reference="DONE", received_at=now)
    SuspenseItem.objects.filter(pk=done.pk).update(status="resolved")
    SuspenseItemFactory(debt__creditor=creditor, reference="NEW", received_at=now)
    SuspenseItemFactory(
        debt__creditor=creditor, reference="OLD", received_at=now - datetime.timedelta(days=9)
    )
    client.force_login(manager)

    page = client.get(reverse("collections:suspense-list")).content.decode()

    assert page.index("OLD") < page.index("NEW") < page.index("DONE")
