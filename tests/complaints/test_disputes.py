"""Disputes become complaints everywhere: filed in the portal, logged from a call, opened from
the debt page or the API, each has a due date and an answer the debtor receives, bound to the
dispute hold; answering lifts the hold, and a manager cannot lift it behind the complaint."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from collections_app.services.workspace import interaction_log
from complaints.models import Complaint
from complaints.services.handling import complaint_answer
from core.exceptions import ApplicationError
from portal.services.requests import dispute_file
from portfolio.models import Hold
from portfolio.services.holds import hold_close
from tests.complaints.helpers import at, debt_with_email
from tests.factories.users import OfficerFactory

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 12, 4)


@pytest.fixture
def debt(creditor, collector):
    return debt_with_email(creditor=creditor, assigned_to=collector)


def the_dispute(debt) -> Complaint:
    complaint = Complaint.objects.get(debt=debt)
    hold = Hold.objects.get(debt=debt)
    assert (complaint.kind, complaint.hold, hold.kind) == ("dispute", hold, "dispute")
    assert complaint.is_open and hold.is_open
    assert complaint.due_on > complaint.received_on
    assert complaint.events.filter(kind="acknowledged", sent_to__endswith="@example.com")
    return complaint


def test_a_dispute_filed_in_the_portal_is_a_clocked_complaint(debt):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        dispute = dispute_file(debt=debt, reason="already_paid", text="Pagué en agosto")
    complaint = the_dispute(debt)
    assert dispute.complaint == complaint and dispute.hold == complaint.hold
    assert (complaint.channel, complaint.created_by, complaint.term_code) == (
        "portal",
        None,
        "CO-1755-GENERAL",
    )
    assert complaint.due_on == datetime.date(2026, 12, 29)


def test_a_dispute_logged_from_a_call_is_a_clocked_complaint(debt, collector):
    when = at(FRIDAY, 11)
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        interaction = interaction_log(
            user=collector,
            debt=debt,
            channel="inbound_call",
            outcome="dispute",
            note="Dice que la compra no es suya",
            occurred_at=when,
            as_of=FRIDAY,
        )
    complaint = the_dispute(debt)
    assert interaction.hold == complaint.hold
    assert (complaint.channel, complaint.created_by) == ("phone", collector)
    assert (
        complaint.received_at == when and complaint.description == "Dice que la compra no es suya"
    )


def test_a_dispute_opened_through_the_api_is_a_clocked_complaint(api_client, creditor, collector):
    debt = debt_with_email(creditor=creditor, country="US", assigned_to=collector)
    api_client.force_authenticate(collector)
    response = api_client.post(
        f"/api/v1/debts/{debt.pk}/disputes/", {"reason": "I never had this card"}, format="json"
    )
    assert response.status_code == 201
    complaint = the_dispute(debt)
    assert complaint.hold_id == response.json()["id"]
    assert (complaint.channel, complaint.term_code) == ("api", "US-VERIFICATION")
    assert complaint.number.startswith("CMP-") and complaint.language == "en"
    assert complaint.subject == f"Dispute of the debt {debt.debt_ref}"


def test_the_generic_holds_endpoint_with_kind_dispute_too(api_client, debt, collector):
    api_client.force_authenticate(collector)
    url = f"/api/v1/debts/{debt.pk}/holds/"
    assert (
        api_client.post(url, {"kind": "dispute", "reason": "x"}, format="json").status_code == 201
    )
    the_dispute(debt)


def test_other_holds_are_not_complaints(api_client, debt, collector):
    api_client.force_authenticate(collector)
    url = f"/api/v1/debts/{debt.pk}/holds/"
    response = api_client.post(url, {"kind": "cease_contact", "reason": "Carta"}, format="json")
    assert response.status_code == 201 and not Complaint.objects.exists()


def test_a_dispute_placed_from_the_debt_page_is_a_clocked_complaint(client, debt, collector):
    client.force_login(collector)
    client.post(
        reverse("collections:debt-hold-open", args=[debt.pk]),
        {"kind": "dispute", "reason": "Says it was paid"},
    )
    complaint = the_dispute(debt)
    assert (complaint.channel, complaint.description) == ("phone", "Says it was paid")


def test_answering_the_dispute_lifts_its_hold(api_client, debt, collector, creditor):
    api_client.force_authenticate(collector)
    api_client.post(f"/api/v1/debts/{debt.pk}/disputes/", {"reason": "No es mía"}, format="json")
    complaint = the_dispute(debt)
    officer = OfficerFactory(creditors=[creditor])
    complaint_answer(
        complaint=complaint,
        user=officer,
        subject="Verificación",
        body="Adjuntamos el contrato firmado.",
        template="verification",
    )
    hold = Hold.objects.get(pk=complaint.hold_id)
    assert not hold.is_open and hold.closed_by == officer
    complaint.refresh_from_db()
    assert complaint.status == "answered"
    assert complaint.events.get(kind="answered").body == "Adjuntamos el contrato firmado."


def test_a_manager_cannot_resolve_the_hold_behind_the_complaint(debt, manager):
    dispute_file(debt=debt, reason="wrong_amount", text="El saldo no cuadra")
    complaint = the_dispute(debt)
    with pytest.raises(ApplicationError, match=complaint.number) as refused:
        hold_close(hold=complaint.hold, user=manager, outcome="rejected", note="Contrato")
    assert refused.value.field == "outcome"
    assert Hold.objects.get(pk=complaint.hold_id).is_open
    # withdrawn by the debtor: the complaint closes withdrawn, and the hold with it
    hold = hold_close(hold=complaint.hold, user=manager, outcome="withdrawn", note="Retiró")
    complaint.refresh_from_db()
    assert not hold.is_open and hold.outcome == "withdrawn"
    assert (complaint.status, complaint.outcome, complaint.closing_note) == (
        "closed",
        "withdrawn",
        "Retiró",
    )


def test_a_hold_with_no_complaint_is_resolved_as_before(debt, manager):
    from portfolio.services.holds import hold_open

    hold = hold_open(debt=debt, kind="dispute", reason="antigua", source="collector")
    closed = hold_close(hold=hold, user=manager, outcome="rejected", note="ok")
    assert not closed.is_open and closed.outcome == "rejected"


def test_a_refused_complaint_opens_no_hold(api_client, creditor, collector, monkeypatch):
    # if the complaint cannot be written, the dispute hold is not left without it
    from complaints.services import intake

    def broken(**kwargs):
        raise ApplicationError("no")

    monkeypatch.setattr(intake, "complaint_open", broken)
    debt = debt_with_email(creditor=creditor, assigned_to=collector)
    api_client.force_authenticate(collector)
    response = api_client.post(
        f"/api/v1/debts/{debt.pk}/disputes/", {"reason": "No es mía"}, format="json"
    )
    assert response.status_code == 400
    assert not Hold.objects.filter(debt=debt).exists() and not Complaint.objects.exists()
