import datetime
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from core.exceptions import ApplicationError
from portfolio.models import Debt, DebtorDataAccess, Stage
from portfolio.services.debts import debt_assign
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
    PortfolioFactory,
)
from tests.factories.users import CollectorFactory

pytestmark = pytest.mark.django_db

DEBTS = "/api/v1/debts/"
DEBTORS = "/api/v1/debtors/"


@pytest.fixture
def as_manager(api_client, manager):
    api_client.force_authenticate(manager)
    return api_client


@pytest.fixture
def as_admin(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    return api_client


def test_debt_detail_has_the_documented_fields_with_money_as_strings(as_manager, creditor):
    debt = DebtFactory(
        creditor=creditor,
        principal=Decimal("1000000.10"),
        interest=Decimal("0.20"),
        fees=Decimal("3.00"),
        due_date=datetime.date(2026, 10, 1),
    )

    body = as_manager.get(f"{DEBTS}{debt.id}/", {"as_of": "2026-10-31"}).json()

    assert body["debt_ref"] == debt.debt_ref
    assert body["creditor"] == "banco-andino"
    assert body["portfolio"] == {"id": debt.portfolio.id, "name": debt.portfolio.name}
    assert body["debtor"] == {"id": debt.debtor.id, "full_name": debt.debtor.full_name}
    assert body["balance"] == "1000003.30"
    assert body["principal"] == "1000000.10"
    assert body["original_amount"] == "1500000.00"
    assert body["days_past_due"] == 30
    assert body["assigned_to"] is None
    assert body["stage"] == "current"
    assert {"product", "currency", "due_date", "opened_date", "stage_entered_at"} <= body.keys()
    assert {"created_at", "updated_at", "interest", "fees"} <= body.keys()


def test_days_past_due_follows_as_of_and_is_zero_for_closed_debts(as_manager, creditor):
    open_debt = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 1, 1))
    paid = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 1, 1), stage=Stage.PAID)

    rows = as_manager.get(DEBTS, {"as_of": "2026-01-11"}).json()["results"]

    dpd = {row["id"]: row["days_past_due"] for row in rows}
    assert dpd == {open_debt.id: 10, paid.id: 0}


def test_filters_by_stage_creditor_dpd_and_search(as_admin, creditor):
    other = CreditorFactory(code="telco")
    late = DebtFactory(
        creditor=creditor, due_date=datetime.date(2026, 1, 1), stage=Stage.FIRM_NOTICE
    )
    fresh = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 3, 1))
    foreign = DebtFactory(creditor=other, due_date=datetime.date(2026, 1, 1))

    def ids(**params):
        return {row["id"] for row in as_admin.get(DEBTS, params).json()["results"]}

    assert ids(stage="firm_notice") == {late.id}
    assert ids(creditor="telco") == {foreign.id}
    assert ids(as_of="2026-03-01", dpd_min=30) == {late.id, foreign.id}
    assert ids(as_of="2026-03-01", dpd_max=0) == {fresh.id}
    assert ids(as_of="2026-03-01", aging="current") == {fresh.id}
    assert ids(as_of="2026-03-01", aging="31-60") == {late.id, foreign.id}
    assert ids(q=fresh.debt_ref) == {fresh.id}
    assert ids(q=late.debtor.document_number) == {late.id}


def test_ordering_by_balance_descending(as_admin, creditor):
    small = DebtFactory(creditor=creditor, principal=Decimal("10.00"))
    big = DebtFactory(creditor=creditor, principal=Decimal("9000.00"))

    rows = as_admin.get(DEBTS, {"ordering": "-balance"}).json()["results"]

    assert [row["id"] for row in rows] == [big.id, small.id]


def test_a_page_of_debts_costs_a_fixed_number_of_queries(
    as_admin, creditor, django_assert_max_num_queries
):
    # Given 30 debts, each with its own debtor, portfolio and collector
    for _ in range(30):
        DebtFactory(creditor=creditor, assigned_to=CollectorFactory())

    # When the first page is listed, then the query count does not grow with the rows
    with django_assert_max_num_queries(4):
        response = as_admin.get(DEBTS)
    assert response.status_code == 200
    assert response.json()["count"] == 30
    assert all(row["assigned_to"]["username"] for row in response.json()["results"])


def test_debtor_pages_cost_a_fixed_number_of_queries(
    as_admin, creditor, django_assert_max_num_queries
):
    debts = [DebtFactory(creditor=creditor) for _ in range(20)]
    for debt in debts:
        ContactPointFactory(debtor=debt.debtor)

    with django_assert_max_num_queries(4):
        listed = as_admin.get(DEBTORS)
    with django_assert_max_num_queries(5):
        detail = as_admin.get(f"{DEBTORS}{debts[0].debtor_id}/")

    assert listed.json()["count"] == 20
    assert detail.json()["debts"] == [debts[0].id]


def test_manager_assigns_a_debt_to_a_collector(as_manager, manager, creditor, collector):
    debt = DebtFactory(creditor=creditor)

    response = as_manager.patch(f"{DEBTS}{debt.id}/", {"assigned_to": collector.id}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["assigned_to"] == {"id": collector.id, "username": "collector"}
    debt.refresh_from_db()
    assert debt.assigned_to == collector
    assert debt.history.latest().history_user == manager


def test_manager_can_unassign_a_debt(as_manager, creditor, collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector)

    response = as_manager.patch(f"{DEBTS}{debt.id}/", {"assigned_to": None}, format="json")

    assert response.status_code == 200
    debt.refresh_from_db()
    assert debt.assigned_to is None


def test_assigning_to_a_non_collector_is_a_field_error(as_manager, manager, creditor):
    debt = DebtFactory(creditor=creditor)

    response = as_manager.patch(f"{DEBTS}{debt.id}/", {"assigned_to": manager.id}, format="json")

    assert response.status_code == 400
    assert "assigned_to" in response.json()
    debt.refresh_from_db()
    assert debt.assigned_to is None


def test_assigning_to_an_unknown_user_is_a_field_error(as_manager, creditor):
    debt = DebtFactory(creditor=creditor)

    response = as_manager.patch(f"{DEBTS}{debt.id}/", {"assigned_to": 987654}, format="json")

    assert response.status_code == 400
    assert "assigned_to" in response.json()


def test_collector_may_not_assign_even_their_own_debt(api_client, collector, other_collector):
    debt = DebtFactory(assigned_to=collector)
    api_client.force_authenticate(collector)

    response = api_client.patch(
        f"{DEBTS}{debt.id}/", {"assigned_to": other_collector.id}, format="json"
    )

    assert response.status_code == 403
    debt.refresh_from_db()
    assert debt.assigned_to == collector


def test_put_and_delete_are_not_allowed(as_admin, creditor):
    debt = DebtFactory(creditor=creditor)

    assert as_admin.put(f"{DEBTS}{debt.id}/", {}, format="json").status_code == 405
    assert as_admin.delete(f"{DEBTS}{debt.id}/").status_code == 405
    assert Debt.objects.filter(id=debt.id).exists()


def test_history_lists_changed_fields_with_old_and_new_values(
    as_manager, manager, creditor, collector
):
    # Given a debt that was assigned and then had its fees reduced
    debt = DebtFactory(creditor=creditor, fees=Decimal("20000.00"))
    as_manager.patch(f"{DEBTS}{debt.id}/", {"assigned_to": collector.id}, format="json")
    debt.refresh_from_db()
    debt.fees = Decimal("0.00")
    debt.balance = debt.principal + debt.interest
    debt.save()

    # When its history is read
    response = as_manager.get(f"{DEBTS}{debt.id}/history/")

    # Then the newest change comes first, with exact old/new values
    assert response.status_code == 200
    rows = response.json()
    assert [row["history_type"] for row in rows] == ["~", "~", "+"]
    fee_change = {c["field"]: c for c in rows[0]["changes"]}
    assert fee_change["fees"] == {"field": "fees", "old": "20000.00", "new": "0.00"}
    assert fee_change["balance"]["old"] == "1170000.00"
    assignment = rows[1]
    assert assignment["history_user"] == {"id": manager.id, "username": "manager"}
    assert assignment["changes"] == [
        {"field": "assigned_to", "old": None, "new": str(collector.id)}
    ]
    assert rows[2]["changes"] == []


def test_debtor_detail_shows_contact_points_and_visible_debts(as_manager, creditor):
    debtor = DebtorFactory(creditor=creditor, document_number="1012345678")
    point = ContactPointFactory(debtor=debtor, value="ana@example.com", verified=True)
    debt = DebtFactory(creditor=creditor, debtor=debtor)

    body = as_manager.get(f"{DEBTORS}{debtor.id}/").json()

    assert body["document_number"] == "••••••5678"
    assert body["debts"] == [debt.id]
    assert body["contact_points"] == [
        {
            "id": point.id,
            "channel": "email",
            "value": "ana@example.com",
            "is_primary": True,
            "verified": True,
            "consent_granted": True,
            "consent_changed_at": body["contact_points"][0]["consent_changed_at"],
            "consent_source": "import",
            # an address the e-mail provider reported dead says so (docs/email.md)
            "invalid_at": None,
            "invalid_reason": None,
        }
    ]
    assert body["contact_points"][0]["consent_changed_at"]


def test_debtor_list_masks_documents_and_logs_nothing(as_admin, creditor):
    DebtorFactory(creditor=creditor, document_number="1012345678")

    body = as_admin.get(DEBTORS).json()

    assert body["results"][0]["document_number"] == "••••••5678"
    assert "1012345678" not in str(body)
    assert not DebtorDataAccess.objects.filter(data="document").exists()


def test_debtor_search_and_filters(as_admin, creditor):
    ana = DebtorFactory(
        creditor=creditor, full_name="Ana Gómez", document_number="555", country="CO"
    )
    bob = DebtorFactory(
        creditor=CreditorFactory(code="gringo"), full_name="Bob Ray", country="US", language="en"
    )

    def ids(**params):
        response = as_admin.get(DEBTORS, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(search="gómez") == {ana.id}
    assert ids(search="555") == {ana.id}
    assert ids(search=bob.debtor_ref) == {bob.id}
    assert ids(creditor="gringo") == {bob.id}
    assert ids(country="us") == {bob.id}
    assert ids(language="es") == {ana.id}


def test_manager_reads_the_full_document_and_the_access_is_logged(as_manager, manager, creditor):
    debtor = DebtorFactory(creditor=creditor, document_number="1012345678")

    response = as_manager.get(f"{DEBTORS}{debtor.id}/document/", {"purpose": "PQR 12"})

    assert response.status_code == 200
    assert response.json() == {
        "id": debtor.id,
        "document_type": "CC",
        "document_number": "1012345678",
    }
    log = DebtorDataAccess.objects.get(data="document")
    assert (log.debtor, log.user, log.purpose, log.ip_address) == (
        debtor,
        manager,
        "PQR 12",
        "127.0.0.1",
    )


def test_collector_cannot_read_the_full_document(api_client, collector):
    debt = DebtFactory(assigned_to=collector)
    api_client.force_authenticate(collector)

    response = api_client.get(f"{DEBTORS}{debt.debtor_id}/document/")

    assert response.status_code == 403
    assert not DebtorDataAccess.objects.filter(data="document").exists()


def _with_password(user, password="s3cret-pass"):
    # UserFactory skips the save after post-generation, so its password never reaches the DB.
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def test_token_login_and_token_authentication(api_client, manager, creditor):
    DebtFactory(creditor=creditor)
    _with_password(manager)

    login = api_client.post(
        "/api/v1/auth/token/", {"username": "manager", "password": "s3cret-pass"}, format="json"
    )
    assert login.status_code == 200
    token = login.json()["token"]
    assert token == Token.objects.get(user=manager).key

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(DEBTS).json()["count"] == 1


def test_token_login_with_a_wrong_password_is_a_400(api_client, manager):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "manager", "password": "nope"}, format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.exists()


def test_session_authentication_works(client, manager, creditor):
    DebtFactory(creditor=creditor)
    client.force_login(_with_password(manager))

    assert client.get(DEBTS).json()["count"] == 1


def test_portfolio_filter(as_admin, creditor):
    portfolio = PortfolioFactory(creditor=creditor)
    inside = DebtFactory(creditor=creditor, portfolio=portfolio)
    DebtFactory(creditor=creditor)

    rows = as_admin.get(DEBTS, {"portfolio": portfolio.id}).json()["results"]

    assert [row["id"] for row in rows] == [inside.id]


# --- the assignment service behind the PATCH -----------------------------------------------------


def test_debt_assign_refuses_an_inactive_collector(manager, creditor, collector):
    debt = DebtFactory(creditor=creditor)
    collector.is_active = False
    collector.save(update_fields=["is_active"])

    with pytest.raises(ApplicationError) as error:
        debt_assign(debt=debt, collector=collector, actor=manager)

    assert error.value.field == "assigned_to"
    debt.refresh_from_db()
    assert debt.assigned_to is None


def test_debt_assign_refuses_a_collector_as_actor(collector, other_collector):
    debt = DebtFactory(assigned_to=collector)

    with pytest.raises(ApplicationError):
        debt_assign(debt=debt, collector=other_collector, actor=collector)

    debt.refresh_from_db()
    assert debt.assigned_to == collector


def test_debt_assign_to_the_same_collector_writes_no_history(manager, creditor, collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector)
    rows = debt.history.count()

    debt_assign(debt=debt, collector=collector, actor=manager)

    assert debt.history.count() == rows
