"""Business dates through the API: a date and time must say its offset, a business date must
lie in its window around today; either way a 400 names the field and nothing is written.

The write endpoints and their date fields are read from the OpenAPI schema, so a new endpoint
with a `date-time` field or an `as_of` is covered without touching this file.
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from agreements.models import PromiseToPay
from collections_app.models import Interaction
from core.dates import business_today
from portfolio.models import Payment
from tests.factories.portfolio import DebtFactory
from tests.factories.users import AdminFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"


def _write_fields() -> list[tuple[str, str, str]]:
    """(path, method, field) for each date-time field and each `as_of` of a request body."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, operations in schema["paths"].items():
        if not path.startswith(API):
            continue
        for method, operation in operations.items():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                body = media.get("schema", {})
                if "$ref" in body:
                    body = components.get(body["$ref"].rsplit("/", 1)[-1], {})
                for name, spec in body.get("properties", {}).items():
                    if spec.get("readOnly"):
                        continue
                    if spec.get("format") == "date-time" or name == "as_of":
                        found.append((path, method.upper(), name))
    return sorted(set(found))


WRITE_FIELDS = _write_fields()


def test_the_walk_finds_the_fields_of_the_report():
    fields = {(re.sub(r"\{[^}]+\}", "{}", p), f) for p, _m, f in WRITE_FIELDS}
    assert {
        ("/api/v1/payments/", "paid_at"),
        ("/api/v1/interactions/", "occurred_at"),
        ("/api/v1/interactions/", "callback_at"),
        ("/api/v1/interactions/", "as_of"),
        ("/api/v1/promises/", "as_of"),
        ("/api/v1/agreements/", "as_of"),
        ("/api/v1/debts/{}/transitions/", "as_of"),
    } <= fields


@pytest.fixture
def api(api_client, creditor):
    api_client.force_authenticate(AdminFactory(username="dates-admin"))
    return api_client


def _url(path: str, debt) -> str:
    return re.sub(r"\{[^}]+\}", str(debt.pk), path)


def _cases():
    for path, method, name in WRITE_FIELDS:
        if "{" in path and not path.startswith(f"{API}debts/"):
            # Another resource's detail endpoint (an agreement's decisions): its object is
            # looked up first, so tests/agreements/test_api.py covers it with a real one.
            continue
        if name == "as_of":
            for value in ("2001-01-01", "2035-01-01"):
                yield pytest.param(path, method, name, value, id=f"{method} {path} {name}={value}")
        else:
            value = "2026-12-01T10:00:00"
            yield pytest.param(path, method, name, value, id=f"{method} {path} {name} naive")


@pytest.mark.parametrize(("path", "method", "name", "value"), list(_cases()))
def test_a_naive_time_or_an_as_of_far_from_today_is_a_400_on_that_field(
    api, creditor, path, method, name, value
):
    debt = DebtFactory(creditor=creditor)
    body = json.dumps({name: value})
    response = api.generic(method, _url(path, debt), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert name in response.json(), response.json()


def test_naive_paid_at_is_refused_not_read_as_bogota_time(api, creditor):
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    body = {"debt": debt.pk, "amount": "1.00", "currency": debt.currency, "method": "cash",
            "reference": "NAIVE-1", "paid_at": "2026-12-01T10:00:00"}  # fmt: skip
    response = api.post(f"{API}payments/", body, format="json")
    assert response.status_code == 400
    assert "time zone offset" in response.json()["paid_at"][0]
    assert not Payment.objects.exists()
    # The same instant with its offset is recorded as given.
    body["paid_at"] = "2026-12-01T10:00:00-05:00"
    assert api.post(f"{API}payments/", body, format="json").status_code == 201
    assert Payment.objects.get().paid_at == datetime.datetime(
        2026, 12, 1, 15, 0, tzinfo=datetime.UTC
    )


def test_a_payment_dated_1900_is_refused(api, creditor):
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    body = {"debt": debt.pk, "amount": "1.00", "currency": debt.currency, "method": "cash",
            "reference": "OLD-1", "paid_at": "1900-01-01T10:00:00Z"}  # fmt: skip
    response = api.post(f"{API}payments/", body, format="json")
    assert response.status_code == 400
    assert "Enter a date between" in response.json()["paid_at"][0]
    assert not Payment.objects.exists()


@pytest.mark.parametrize("as_of", ["2001-01-01", "2035-01-01"])
def test_a_promise_made_on_a_business_date_far_from_today_is_refused(api, creditor, as_of):
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    promised = datetime.date.fromisoformat(as_of) + datetime.timedelta(days=4)
    body = {"debt": debt.pk, "amount": "10.00", "promised_date": promised.isoformat(),
            "channel": "phone", "as_of": as_of}  # fmt: skip
    response = api.post(f"{API}promises/", body, format="json")
    assert response.status_code == 400
    assert "as_of" in response.json()
    assert not PromiseToPay.objects.exists()


def test_a_promise_dated_2001_today_is_refused(api, creditor):
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    body = {"debt": debt.pk, "amount": "10.00", "promised_date": "2001-01-05", "channel": "phone"}
    response = api.post(f"{API}promises/", body, format="json")
    assert response.status_code == 400
    assert "promised_date" in response.json()
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"occurred_at": "1900-01-01T10:00:00Z"},
        {"as_of": "2035-01-01"},
        {
            "outcome": "promise_to_pay",
            "promise_amount": "5.00",
            "promise_date": "2035-01-02",
            "as_of": "2035-01-01",
        },  # fmt: skip
        {"outcome": "callback_requested", "callback_at": "2035-01-01T10:00:00-05:00"},
    ],
    ids=["occurred-1900", "as-of-2035", "promise-2035", "callback-2035"],
)
def test_an_interaction_out_of_its_window_is_refused(api, creditor, extra):
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    body = {"debt": debt.pk, "channel": "inbound_call", "outcome": "no_answer", **extra}
    response = api.post(f"{API}interactions/", body, format="json")
    assert response.status_code == 400, response.json()
    field = next(k for k in ("occurred_at", "as_of", "promise_date", "callback_at") if k in extra)
    assert field in response.json(), response.json()
    assert not Interaction.objects.exists() and not PromiseToPay.objects.exists()


def test_today_is_inside_every_window(api, creditor):
    # The windows do not refuse ordinary work: a contact now, a promise next week.
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    today = business_today()
    body = {"debt": debt.pk, "channel": "inbound_call", "outcome": "promise_to_pay",
            "promise_amount": "5.00", "as_of": today.isoformat(),
            "promise_date": (today + datetime.timedelta(days=7)).isoformat()}  # fmt: skip
    response = api.post(f"{API}interactions/", body, format="json")
    assert response.status_code == 201, response.json()
