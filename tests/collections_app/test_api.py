import datetime

import pytest

from complaints.models import Complaint
from portfolio.models import Debt, Hold, Stage
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db


def test_collector_opens_a_dispute_on_their_debt(api_client, collector):
    debt = DebtFactory(assigned_to=collector)
    api_client.force_authenticate(collector)
    response = api_client.post(
        f"/api/v1/debts/{debt.pk}/disputes/", {"reason": "I never had this card"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "dispute" and body["is_open"] and body["opened_by"] == "collector"
    assert Hold.objects.get(debt=debt).source == "api"
    listed = api_client.get(f"/api/v1/debts/{debt.pk}/disputes/").json()
    assert [h["id"] for h in listed] == [body["id"]]


def test_another_collectors_debt_is_404_everywhere(api_client, collector, other_collector):
    debt = DebtFactory(assigned_to=other_collector)
    api_client.force_authenticate(collector)
    for url in (
        f"/api/v1/debts/{debt.pk}/disputes/",
        f"/api/v1/debts/{debt.pk}/holds/",
        f"/api/v1/debts/{debt.pk}/transitions/",
    ):
        assert api_client.get(url).status_code == 404
        assert (
            api_client.post(url, {"reason": "x", "kind": "dispute"}, format="json").status_code
            == 404
        )
    assert not Hold.objects.exists()


def test_dispute_without_reason_is_a_field_error(api_client, collector):
    debt = DebtFactory(assigned_to=collector)
    api_client.force_authenticate(collector)
    response = api_client.post(f"/api/v1/debts/{debt.pk}/disputes/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_holds_endpoint_needs_a_valid_kind(api_client, collector):
    debt = DebtFactory(assigned_to=collector)
    api_client.force_authenticate(collector)
    bad = api_client.post(
        f"/api/v1/debts/{debt.pk}/holds/", {"kind": "vacation", "reason": "x"}, format="json"
    )
    assert bad.status_code == 400 and "kind" in bad.json()
    ok = api_client.post(
        f"/api/v1/debts/{debt.pk}/holds/",
        {"kind": "cease_contact", "reason": "Written request"},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["scope"] == "debtor"


def test_manager_resolves_a_dispute_collector_cannot(api_client, manager, creditor, collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector)
    api_client.force_authenticate(collector)
    hold_id = api_client.post(
        f"/api/v1/debts/{debt.pk}/disputes/", {"reason": "Wrong amount"}, format="json"
    ).json()["id"]
    assert (
        api_client.post(f"/api/v1/holds/{hold_id}/close/", {"outcome": "upheld"}).status_code == 403
    )
    api_client.force_authenticate(manager)
    # The dispute is a complaint the debtor is owed an answer to: resolving its hold by hand
    # is refused, naming the complaint (answering it lifts the hold)...
    complaint = Complaint.objects.get(hold_id=hold_id)
    refused = api_client.post(
        f"/api/v1/holds/{hold_id}/close/", {"outcome": "rejected", "note": "Contract signed"}
    )
    assert refused.status_code == 400 and complaint.number in str(refused.json())
    assert Hold.objects.get(pk=hold_id).is_open
    # ...unless the debtor withdrew it: then the complaint closes withdrawn with the hold.
    response = api_client.post(
        f"/api/v1/holds/{hold_id}/close/", {"outcome": "withdrawn", "note": "Called back"}
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "withdrawn" and not response.json()["is_open"]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == ("closed", "withdrawn")
    again = api_client.post(f"/api/v1/holds/{hold_id}/close/", {"outcome": "rejected"})
    assert again.status_code == 400


def test_transitions_lists_what_the_user_may_do(api_client, manager, creditor, collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector)
    api_client.force_authenticate(collector)
    body = api_client.get(f"/api/v1/debts/{debt.pk}/transitions/").json()
    write_off = next(t for t in body["available"] if t["transition"] == "write_off")
    assert not write_off["allowed"] and write_off["reason_required"]
    refused = api_client.post(
        f"/api/v1/debts/{debt.pk}/transitions/",
        {"transition": "write_off", "reason": "x"},
        format="json",
    )
    assert refused.status_code == 400
    assert Debt.objects.get(pk=debt.pk).stage == Stage.CURRENT

    api_client.force_authenticate(manager)
    done = api_client.post(
        f"/api/v1/debts/{debt.pk}/transitions/",
        {
            "transition": "write_off",
            "reason": "Debtor insolvent, no assets",
            "write_off_reason": "insolvency",
        },
        format="json",
    )
    assert done.status_code == 201, done.json()
    assert done.json()["actor"] == "manager" and done.json()["to_stage"] == "written_off"
    history = api_client.get(f"/api/v1/debts/{debt.pk}/transitions/").json()["history"]
    assert [h["transition"] for h in history] == ["write_off"]


def test_transition_garbage_is_400(api_client, manager, creditor):
    debt = DebtFactory(creditor=creditor)
    api_client.force_authenticate(manager)
    url = f"/api/v1/debts/{debt.pk}/transitions/"
    assert api_client.post(url, {"transition": "cure"}, format="json").status_code == 400
    assert api_client.post(url, {"transition": ["x"]}, format="json").status_code == 400
    assert api_client.post(url, "{not json", content_type="application/json").status_code == 400
    assert api_client.get(url + "?as_of=2026-13-45").status_code == 400
    assert api_client.get(url + f"?as_of={datetime.date(2026, 5, 1)}").status_code == 200


def test_debts_api_shows_the_holds_in_force(
    api_client, manager, creditor, django_assert_max_num_queries
):
    from portfolio.services.holds import hold_close, hold_open

    debt = DebtFactory(creditor=creditor)
    sibling = DebtFactory(creditor=creditor, debtor=debt.debtor)
    free = DebtFactory(creditor=creditor)
    dispute = hold_open(debt=debt, kind="dispute", reason="Wrong amount", source="api")
    hold_open(debt=sibling, kind="deceased", reason="Certificate", source="collector")
    old = hold_open(debt=free, kind="cease_contact", reason="Letter", source="api")
    hold_close(hold=old, user=manager, outcome="lifted")
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(8):
        rows = api_client.get("/api/v1/debts/").json()["results"]
    holds = {row["id"]: sorted((h["kind"], h["scope"]) for h in row["holds"]) for row in rows}
    assert holds[debt.pk] == [("deceased", "debtor"), ("dispute", "debt")]
    assert holds[sibling.pk] == [("deceased", "debtor")]
    assert holds[free.pk] == []
    detail = api_client.get(f"/api/v1/debts/{debt.pk}/").json()
    assert dispute.pk in [h["id"] for h in detail["holds"]]
