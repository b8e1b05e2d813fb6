"""`/api/v1/remittances/` and `/api/v1/commission-rates/`: scoped, refusals are 400s, the
steps and the downloads."""

import datetime
from decimal import Decimal

import pytest

from ledger.models import Remittance, RemittanceStatus
from portfolio.models import Stage
from tests.factories.ledger import CommissionRateFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory
from tests.ledger.remittance_helpers import pay

pytestmark = pytest.mark.django_db

D = datetime.date
BODY = {"currency": "COP", "period_start": "2026-11-01", "period_end": "2026-11-30"}


@pytest.fixture
def collected(creditor):
    CommissionRateFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER, percent=Decimal(10))
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER, debt_ref="OBL-9")
    pay(debt, "60000.00", D(2026, 11, 10))


def test_a_manager_prepares_issues_and_downloads_a_statement(
    api_client, manager, creditor, collected
):
    api_client.force_authenticate(manager)

    created = api_client.post(
        "/api/v1/remittances/", {"creditor": creditor.pk, **BODY}, format="json"
    )

    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["collected"], data["commission"], data["net"]) == (
        "draft", "60000.00", "6000.00", "54000.00",
    )  # fmt: skip
    assert data["warnings"] == 0
    assert [(line["debt_ref"], line["amount"], line["percent"]) for line in data["lines"]] == [
        ("OBL-9", "60000.00", "10.00")
    ]
    pk = data["id"]
    listed = api_client.get("/api/v1/remittances/", {"status": "draft"}).json()
    assert [row["id"] for row in listed["results"]] == [pk]

    issued = api_client.post(f"/api/v1/remittances/{pk}/issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    sha = issued.json()["pdf_sha256"]
    pdf = api_client.get(f"/api/v1/remittances/{pk}/pdf/")
    assert pdf.status_code == 200 and pdf["X-Checksum-SHA256"] == sha
    assert pdf.content.startswith(b"%PDF")
    csv = api_client.get(f"/api/v1/remittances/{pk}/csv/")
    assert csv.status_code == 200 and "OBL-9" in csv.content.decode("utf-8-sig")
    # Issued: void is refused with a 400, nothing changes
    refused = api_client.post(f"/api/v1/remittances/{pk}/void/", {"reason": "x"}, format="json")
    assert refused.status_code == 400
    assert Remittance.objects.get(pk=pk).status == RemittanceStatus.ISSUED


def test_void_needs_a_reason(api_client, manager, creditor):
    api_client.force_authenticate(manager)
    pk = api_client.post(
        "/api/v1/remittances/", {"creditor": creditor.pk, **BODY}, format="json"
    ).json()["id"]
    assert api_client.post(f"/api/v1/remittances/{pk}/void/", {}, format="json").status_code == 400
    voided = api_client.post(
        f"/api/v1/remittances/{pk}/void/", {"reason": "Período equivocado"}, format="json"
    )
    assert voided.status_code == 200
    assert (voided.json()["status"], voided.json()["void_reason"]) == ("void", "Período equivocado")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"period_end": "2027-06-30"}, "period_end"),  # after today
        ({"period_start": "2026-11-30", "period_end": "2026-11-01"}, "period_end"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "C1P"}, "currency"),
        ({"period_start": "9999-01-01"}, "period_start"),
    ],
)
def test_bad_periods_are_400s(api_client, manager, creditor, body, field):
    api_client.force_authenticate(manager)
    response = api_client.post(
        "/api/v1/remittances/", {"creditor": creditor.pk, **BODY, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Remittance.objects.exists()


def test_an_overlapping_period_is_a_400(api_client, manager, creditor):
    api_client.force_authenticate(manager)
    assert (
        api_client.post(
            "/api/v1/remittances/", {"creditor": creditor.pk, **BODY}, format="json"
        ).status_code
        == 201
    )
    again = api_client.post(
        "/api/v1/remittances/",
        {"creditor": creditor.pk, **BODY, "period_start": "2026-11-20", "period_end": "2026-12-01"},
        format="json",
    )
    assert again.status_code == 400 and "period_start" in again.json()


def test_scoping(api_client, manager, creditor, collected):
    api_client.force_authenticate(manager)
    pk = api_client.post(
        "/api/v1/remittances/", {"creditor": creditor.pk, **BODY}, format="json"
    ).json()["id"]

    stranger = ManagerFactory(creditors=[CreditorFactory()])
    api_client.force_authenticate(stranger)
    assert api_client.get("/api/v1/remittances/").json()["results"] == []
    for suffix in ("", "pdf/", "csv/"):
        assert api_client.get(f"/api/v1/remittances/{pk}/{suffix}").status_code == 404
    assert api_client.post(f"/api/v1/remittances/{pk}/issue/").status_code == 404
    # Preparing for a creditor they do not manage: the creditor is unknown
    refused = api_client.post(
        "/api/v1/remittances/", {"creditor": creditor.pk, **BODY, "currency": "USD"}, format="json"
    )
    assert refused.status_code == 400 and "creditor" in refused.json()
    assert api_client.get("/api/v1/commission-rates/").json()["results"] == []

    api_client.force_authenticate(CollectorFactory())
    assert api_client.get("/api/v1/remittances/").status_code == 403


def test_commission_rates_api(api_client, manager, creditor):
    api_client.force_authenticate(manager)
    body = {
        "creditor": creditor.pk,
        "basis": "age",
        "min_dpd": 0,
        "max_dpd": 30,
        "percent": "7.50",
        "valid_from": "2026-11-01",
    }
    created = api_client.post("/api/v1/commission-rates/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["percent"] == "7.50"
    overlapping = api_client.post(
        "/api/v1/commission-rates/", {**body, "min_dpd": 30, "max_dpd": None}, format="json"
    )
    assert overlapping.status_code == 400 and "min_dpd" in overlapping.json()
    listed = api_client.get("/api/v1/commission-rates/", {"creditor": creditor.pk}).json()
    assert [row["min_dpd"] for row in listed["results"]] == [0]
