"""The agreements and promises API: create, preview, list, detail, decisions, scoping."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agreements.models import AgreementStatus, PaymentAgreement, PromiseToPay
from tests.agreements.conftest import AS_OF
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/agreements/"
BOGOTA = ZoneInfo("America/Bogota")


def body(debt, **overrides):
    data = {
        "debts": [debt.pk],
        "kind": "instalment_plan",
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_date": "2026-11-10",
        "down_payment": "120000.00",
        "channel": "phone",
        "as_of": AS_OF.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _business_today_is_as_of():
    # The API holds a client's as_of to a window around today: these tests live on AS_OF.
    with time_machine.travel(datetime.datetime.combine(AS_OF, datetime.time(12), tzinfo=BOGOTA)):
        yield


@pytest.fixture
def as_collector(api_client, collector):
    api_client.force_authenticate(collector)
    return api_client


def test_preview_shows_the_schedule_and_writes_nothing(as_collector, debt):
    response = as_collector.post(f"{URL}preview/", body(debt, instalment_count=13), format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["needs_approval"] is True
    assert [line["number"] for line in data["schedule"]] == list(range(14))
    assert data["agreed_total"] == "1200000.00"
    assert not PaymentAgreement.objects.exists()


def test_create_list_and_detail(as_collector, debt):
    response = as_collector.post(URL, body(debt), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "active"
    assert [i["amount"] for i in created["instalments"]] == [
        "120000.00",
        "360000.00",
        "360000.00",
        "360000.00",
    ]
    assert created["debts"][0]["stage_at_start"] == "firm_notice"

    listed = as_collector.get(URL, {"status": "active", "debt": debt.pk}).json()
    assert listed["count"] == 1
    detail = as_collector.get(f"{URL}{created['id']}/").json()
    assert [c["to_status"] for c in detail["changes"]] == ["draft", "active"]
    # The first change comes from no status at all, and the API says so with null.
    assert [c["from_status"] for c in detail["changes"]] == [None, "draft"]
    # Active at once, within the collector's limits: no manager decided anything.
    assert detail["decided_by"] is None


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"agreed_total": "9999999.00"}, "agreed_total"),
        ({"first_due_date": "2026-11-01"}, "first_due_date"),
        ({"instalment_count": 0}, "instalment_count"),
        ({"debts": []}, "debts"),
        ({"debts": [999999]}, "debts"),
    ],
)
def test_bad_input_is_a_field_error(as_collector, debt, overrides, field):
    response = as_collector.post(URL, body(debt, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not PaymentAgreement.objects.exists()


@pytest.mark.parametrize("as_of", ["2001-01-01", "2035-01-01"])
def test_an_as_of_far_from_today_is_a_field_error_everywhere(
    api_client, as_collector, debt, manager, as_of
):
    # Creating an agreement, previewing one, and deciding on one all refuse the date.
    for url in (URL, f"{URL}preview/"):
        response = as_collector.post(url, body(debt, as_of=as_of), format="json")
        assert response.status_code == 400 and "as_of" in response.json(), url
    assert not PaymentAgreement.objects.exists()
    pending = as_collector.post(URL, body(debt, instalment_count=24), format="json").json()
    api_client.force_authenticate(manager)
    for decision in ("approve", "reject", "cancel"):
        response = api_client.post(
            f"{URL}{pending['id']}/{decision}/", {"reason": "x", "as_of": as_of}, format="json"
        )
        assert response.status_code == 400 and "as_of" in response.json(), decision
    assert PaymentAgreement.objects.get().status == AgreementStatus.PENDING_APPROVAL


def test_second_agreement_is_a_clear_400(as_collector, debt):
    as_collector.post(URL, body(debt), format="json")
    response = as_collector.post(URL, body(debt), format="json")
    assert response.status_code == 400
    assert "debts" in response.json()


def test_approve_and_reject_are_for_the_creditors_managers(api_client, as_collector, debt, manager):
    pending = as_collector.post(URL, body(debt, instalment_count=24), format="json").json()
    assert pending["status"] == "pending_approval"
    assert as_collector.post(f"{URL}{pending['id']}/approve/", {}).status_code == 403

    outsider = ManagerFactory(username="otra")
    api_client.force_authenticate(outsider)
    assert api_client.post(f"{URL}{pending['id']}/approve/", {}).status_code == 404

    api_client.force_authenticate(manager)
    response = api_client.post(f"{URL}{pending['id']}/reject/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_client.post(f"{URL}{pending['id']}/approve/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_client.post(
        f"{URL}{pending['id']}/approve/", {"reason": "Cliente antiguo"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "active"
    assert response.json()["decided_by"] == "manager"


def test_cancel_with_a_reason(as_collector, debt):
    created = as_collector.post(URL, body(debt), format="json").json()
    response = as_collector.post(
        f"{URL}{created['id']}/cancel/", {"reason": "Error de digitación"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == AgreementStatus.CANCELLED
    again = as_collector.post(f"{URL}{created['id']}/cancel/", {"reason": "x"}, format="json")
    assert again.status_code == 400


def test_a_collector_sees_only_agreements_on_their_debts(
    api_client, as_collector, debt, other_collector
):
    as_collector.post(URL, body(debt), format="json")
    api_client.force_authenticate(other_collector)
    assert api_client.get(URL).json()["count"] == 0


def test_promises_create_and_list(as_collector, debt):
    response = as_collector.post(
        "/api/v1/promises/",
        {
            "debt": debt.pk,
            "amount": "50000.00",
            "promised_date": (AS_OF + datetime.timedelta(days=5)).isoformat(),
            "channel": "phone",
            "as_of": AS_OF.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    listed = as_collector.get("/api/v1/promises/", {"debt": debt.pk}).json()
    assert listed["count"] == 1
    assert as_collector.get(f"/api/v1/promises/{response.json()['id']}/").status_code == 200
    assert PromiseToPay.objects.get().created_by.username == "collector"


def test_the_terms_say_whether_late_interest_is_frozen(as_collector, debt):
    # By default an agreement freezes late interest; the terms may say it keeps accruing.
    frozen = as_collector.post(URL, body(debt), format="json").json()
    assert frozen["accrual_frozen"] is True
    PaymentAgreement.objects.filter(pk=frozen["id"]).update(status=AgreementStatus.CANCELLED)
    PaymentAgreement.objects.get(pk=frozen["id"]).lines.update(is_open=False)

    response = as_collector.post(URL, body(debt, accrual_frozen=False), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["accrual_frozen"] is False
    assert PaymentAgreement.objects.get(pk=response.json()["id"]).accrual_frozen is False
