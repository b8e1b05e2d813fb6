import datetime
from decimal import Decimal

import pytest

from portfolio.models import Payment, Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory, PaymentFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/"


@pytest.fixture
def debt(creditor):
    return DebtFactory(
        creditor=creditor,
        debt_ref="OBL-1",
        principal=Decimal("1000.00"),
        interest=Decimal("100.00"),
        fees=Decimal("20.00"),
        stage=Stage.FIRM_NOTICE,
    )


@pytest.fixture
def other_debt():
    return DebtFactory(creditor=CreditorFactory(code="otro"), debt_ref="OBL-X")


def body(**overrides):
    data = {
        "debt_ref": "OBL-1",
        "amount": "150.01",
        "currency": "COP",
        "paid_at": "2026-11-02T09:30:00-05:00",
        "method": "pse",
        "reference": "API-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, user, data):
    client.force_authenticate(user)
    return client.post(URL, data, format="json")


def test_manager_records_a_payment(api_client, manager, debt):
    response = post(api_client, manager, body())

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["debt"] == debt.pk and data["debt_ref"] == "OBL-1"
    assert data["amount"] == "150.01"
    # A Colombian debtor's payment goes to interest, then principal (C.C. art. 1653; fees last).
    assert (data["allocated_fees"], data["allocated_interest"], data["allocated_principal"]) == (
        "0.00",
        "100.00",
        "50.01",
    )
    assert (data["source"], data["recorded_by"]) == ("api", manager.pk)
    assert data["paid_at"].startswith("2026-11-02")
    debt.refresh_from_db()
    assert debt.balance == Decimal("969.99")
    assert debt.history.first().history_user == manager


def test_replay_returns_200_with_the_same_payment(api_client, manager, debt):
    first = post(api_client, manager, body())

    again = post(api_client, manager, body())

    assert again.status_code == 200
    assert again.json() == first.json()
    debt.refresh_from_db()
    assert debt.balance == Decimal("969.99")


def test_reference_reuse_with_other_data_is_400(api_client, manager, debt):
    post(api_client, manager, body())

    response = post(api_client, manager, body(amount="10.00"))

    assert response.status_code == 400
    assert "already used" in response.json()["reference"][0]
    assert Payment.objects.count() == 1


def test_admin_posts_by_debt_id(api_client, admin_user, debt, other_debt):
    response = post(api_client, admin_user, body(debt_ref=None, debt=debt.pk))

    assert response.status_code == 201
    assert response.json()["debt"] == debt.pk


def test_admin_needs_the_creditor_code_with_a_debt_ref(api_client, admin_user, debt, other_debt):
    response = post(api_client, admin_user, body())
    assert response.status_code == 400
    assert "creditor" in response.json()

    response = post(api_client, admin_user, body(creditor=debt.creditor.code))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1120.01"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"paid_at": "2999-01-01T00:00:00Z"}, "paid_at"),
        ({"paid_at": "yesterday"}, "paid_at"),
        ({"method": "bitcoin"}, "method"),
        ({"reference": ""}, "reference"),
        ({"debt_ref": "NOPE"}, "debt_ref"),
        ({"debt_ref": None}, "debt"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(api_client, manager, debt, overrides, field):
    response = post(api_client, manager, body(**overrides))

    assert response.status_code == 400
    assert field in response.json()
    assert Payment.objects.count() == 0
    debt.refresh_from_db()
    assert debt.balance == Decimal("1120.00")


def test_overpayment_message_names_the_balance(api_client, manager, debt):
    response = post(api_client, manager, body(amount="2000.00"))

    assert "outstanding balance of COP\xa01,120.00" in response.json()["amount"][0]


def test_collector_may_not_post(api_client, collector, debt):
    debt.assigned_to = collector
    debt.save()

    response = post(api_client, collector, body(debt_ref=None, debt=debt.pk))

    assert response.status_code == 403
    assert Payment.objects.count() == 0


def test_anonymous_may_not_post(api_client, debt):
    assert api_client.post(URL, body(), format="json").status_code in (401, 403)


def test_other_creditors_debts_do_not_leak(api_client, manager, debt, other_debt):
    by_id = post(api_client, manager, body(debt_ref=None, debt=other_debt.pk))
    by_ref = post(api_client, manager, body(debt_ref="OBL-X"))
    by_code = post(api_client, manager, body(debt_ref="OBL-X", creditor="otro"))

    assert by_id.status_code == 400 and "debt" in by_id.json()
    assert by_ref.status_code == 400 and "debt_ref" in by_ref.json()
    assert by_code.status_code == 400 and "creditor" in by_code.json()
    assert "OBL-X" not in str(by_id.json()) + str(by_ref.json())
    assert Payment.objects.count() == 0


def test_list_is_scoped_to_the_user(api_client, manager, collector, admin_user, debt, other_debt):
    mine = PaymentFactory(debt=debt, reference="MINE")
    PaymentFactory(debt=other_debt, reference="THEIRS")
    assigned = DebtFactory(creditor=debt.creditor, assigned_to=collector)
    PaymentFactory(debt=assigned, reference="ASSIGNED")

    def refs(user):
        api_client.force_authenticate(user)
        response = api_client.get(URL)
        assert response.status_code == 200
        return {p["reference"] for p in response.json()["results"]}

    assert refs(manager) == {"MINE", "ASSIGNED"}
    assert refs(collector) == {"ASSIGNED"}
    assert refs(admin_user) == {"MINE", "THEIRS", "ASSIGNED"}
    api_client.force_authenticate(manager)
    assert api_client.get(f"{URL}{mine.pk}/").json()["reference"] == "MINE"
    theirs = Payment.objects.get(reference="THEIRS")
    assert api_client.get(f"{URL}{theirs.pk}/").status_code == 404


def test_list_filters_and_ordering(api_client, admin_user, debt, other_debt):
    def at(day):
        return datetime.datetime(2026, 11, day, 12, tzinfo=datetime.UTC)

    PaymentFactory(debt=debt, reference="P1", amount=Decimal("30.00"), paid_at=at(1))
    PaymentFactory(
        debt=debt,
        reference="P2",
        amount=Decimal("10.00"),
        paid_at=at(5),
        method="cash",
        source="file",
    )
    PaymentFactory(debt=other_debt, reference="P3", amount=Decimal("20.00"), paid_at=at(3))
    api_client.force_authenticate(admin_user)

    def refs(**params):
        response = api_client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [p["reference"] for p in response.json()["results"]]

    assert refs() == ["P2", "P3", "P1"]
    assert refs(debt=debt.pk, ordering="paid_at") == ["P1", "P2"]
    assert refs(debt_ref="OBL-X") == ["P3"]
    assert refs(creditor="otro") == ["P3"]
    assert refs(method="cash") == ["P2"]
    assert refs(source="file") == ["P2"]
    assert refs(currency="cop", ordering="amount") == ["P2", "P3", "P1"]
    assert refs(paid_from="2026-11-02T00:00:00Z", paid_to="2026-11-04T00:00:00Z") == ["P3"]
    # ISO 8601 allows offsets PostgreSQL does not (past ±15:59): the same instants still work.
    assert refs(paid_from="2026-11-01T17:30:00-17:30", paid_to="2026-11-04T17:30:00+17:30") == [
        "P3"
    ]
    # Outside the input window (1900 to 2199) a date and time is a field error, not an overflow.
    too_early = api_client.get(URL, {"paid_to": "0001-01-01T00:00:00+23:00"})
    assert too_early.status_code == 400
    assert "paid_to" in too_early.json()
    assert api_client.get(URL, {"paid_from": "nope"}).status_code == 400


def test_manager_of_two_creditors_names_the_creditor(api_client, debt, other_debt):
    both = ManagerFactory(username="ambos", creditors=[debt.creditor, other_debt.creditor])

    assert post(api_client, both, body()).status_code == 400
    response = post(api_client, both, body(debt_ref="OBL-X", creditor="otro", currency="COP"))
    assert response.status_code == 201
    assert response.json()["debt"] == other_debt.pk


def test_schema_documents_the_payment_endpoints(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    post_op = schema["paths"]["/api/v1/payments/"]["post"]
    assert {"200", "201", "400", "403"} <= set(post_op["responses"])
    ref = post_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("PaymentInputRequest")
    output = schema["components"]["schemas"]["PaymentOutput"]["properties"]
    assert {"allocated_fees", "allocated_interest", "allocated_principal", "debt_ref"} <= set(
        output
    )
