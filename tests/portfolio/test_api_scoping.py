"""Who sees what through the API: 404 (never 403, never the data) outside one's scope."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

DEBTS = "/api/v1/debts/"
DEBTORS = "/api/v1/debtors/"


@pytest.fixture
def world(creditor, collector, other_collector):
    """Two creditors; the first has one debt per collector, the second one unassigned debt."""
    other_creditor = CreditorFactory(code="telco-norte")
    return {
        "mine": DebtFactory(creditor=creditor, assigned_to=collector),
        "theirs": DebtFactory(creditor=creditor, assigned_to=other_collector),
        "foreign": DebtFactory(creditor=other_creditor),
    }


def as_user(api_client, user):
    # Real token authentication, the way integrators call the API.
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def listed_ids(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_collector_sees_only_their_cases(api_client, collector, world):
    client = as_user(api_client, collector)

    assert listed_ids(client, DEBTS) == {world["mine"].id}
    assert listed_ids(client, DEBTORS) == {world["mine"].debtor_id}


@pytest.mark.parametrize("key", ["theirs", "foreign"])
def test_collector_gets_404_for_other_debts_and_debtors(api_client, collector, world, key):
    client = as_user(api_client, collector)
    debt = world[key]

    for url in (
        f"{DEBTS}{debt.id}/",
        f"{DEBTS}{debt.id}/history/",
        f"{DEBTORS}{debt.debtor_id}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert debt.debt_ref not in response.content.decode()
        assert debt.debtor.full_name not in response.content.decode()


def test_collector_sees_only_their_debt_ids_on_a_shared_debtor(
    api_client, creditor, collector, other_collector
):
    # Given one debtor with two debts worked by different collectors
    mine = DebtFactory(creditor=creditor, assigned_to=collector)
    DebtFactory(creditor=creditor, debtor=mine.debtor, assigned_to=other_collector)

    # When the collector opens the debtor, then only their own debt is listed
    body = as_user(api_client, collector).get(f"{DEBTORS}{mine.debtor_id}/").json()
    assert body["debts"] == [mine.id]


def test_manager_sees_only_granted_creditors(api_client, manager, world):
    client = as_user(api_client, manager)

    assert listed_ids(client, DEBTS) == {world["mine"].id, world["theirs"].id}
    foreign = world["foreign"]
    assert client.get(f"{DEBTS}{foreign.id}/").status_code == 404
    assert client.get(f"{DEBTORS}{foreign.debtor_id}/").status_code == 404
    assert client.get(f"{DEBTORS}{foreign.debtor_id}/document/").status_code == 404


def test_manager_cannot_assign_a_debt_of_another_creditor(api_client, manager, collector, world):
    foreign = world["foreign"]

    response = as_user(api_client, manager).patch(
        f"{DEBTS}{foreign.id}/", {"assigned_to": collector.id}, format="json"
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.assigned_to is None


def test_admin_sees_everything(api_client, admin_user, world):
    client = as_user(api_client, admin_user)

    assert listed_ids(client, DEBTS) == {debt.id for debt in world.values()}
    assert len(listed_ids(client, DEBTORS)) == 3


def test_user_without_a_role_sees_nothing(api_client, world):
    client = as_user(api_client, UserFactory(username="nobody"))

    assert listed_ids(client, DEBTS) == set()
    assert client.get(f"{DEBTS}{world['mine'].id}/").status_code == 404


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", DEBTS),
        ("get", DEBTORS),
        ("get", f"{DEBTS}1/"),
        ("get", f"{DEBTS}1/history/"),
        ("patch", f"{DEBTS}1/"),
        ("get", f"{DEBTORS}1/document/"),
    ],
)
def test_anonymous_requests_are_refused(api_client, world, method, url):
    response = getattr(api_client, method)(url)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_a_bad_token_is_refused(api_client, world):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api_client.get(DEBTS).status_code == 401
