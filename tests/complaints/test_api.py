"""/api/v1/complaints/: record, list, read and work complaints, scoped like every staff read."""

import datetime
import time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from portal import session as portal_session
from portfolio.models import Hold
from tests.complaints.helpers import at, debt_with_email, file_complaint
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import (
    AdminFactory,
    CollectorFactory,
    ManagerFactory,
    OfficerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/complaints/"
FRIDAY = datetime.date(2026, 12, 4)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _friday(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploads stay out of var/media
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        yield


@pytest.fixture
def officer(creditor):
    return OfficerFactory(username="officer", creditors=[creditor])


@pytest.fixture
def other_creditor():
    return CreditorFactory(code="banco-otro", name="Banco Otro")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(debt, /, **more):
    return {
        "debt": debt.pk,
        "kind": "complaint",
        "channel": "phone",
        "subject": "Me llamaron de noche",
        "description": "Recibí una llamada a las 10 de la noche.",
        **more,
    }


# --- create ------------------------------------------------------------------------------------


def test_an_officer_records_a_complaint_in_json(creditor, officer):
    debt = debt_with_email(creditor=creditor)

    response = client_for(officer).post(
        API, body(debt, received_at="2026-12-04T09:00:00-05:00"), format="json"
    )

    assert response.status_code == 201, response.content
    data = response.json()
    complaint = Complaint.objects.get(pk=data["id"])
    assert data["number"] == complaint.number and data["debt"] == debt.pk
    assert (data["status"], data["received_on"], data["due_on"]) == (
        "received",
        "2026-12-04",
        "2026-12-29",
    )
    assert (data["due_state"], data["answer_due_on"]) == ("on_track", "2026-12-29")
    assert data["hold"] == complaint.hold_id and Hold.objects.get(pk=data["hold"]).is_open
    assert [step["kind"] for step in data["steps"]] == ["received", "acknowledged"]
    assert data["steps"][1]["sent_to"].endswith("@example.com")
    assert complaint.created_by == officer


def test_a_complaint_by_multipart_keeps_its_pdf_for_those_who_may_see_it(
    creditor, officer, other_creditor
):
    debt = debt_with_email(creditor=creditor)
    upload = SimpleUploadedFile("carta.pdf", PDF, content_type="application/pdf")

    response = client_for(officer).post(
        API, {**body(debt, channel="letter"), "attachments": [upload]}, format="multipart"
    )

    assert response.status_code == 201, response.content
    (attachment,) = response.json()["attachments"]
    assert (attachment["name"], attachment["type"], attachment["size"]) == (
        "carta.pdf",
        "application/pdf",
        len(PDF),
    )
    download = client_for(officer).get(attachment["url"], HTTP_ACCEPT="application/pdf")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    outsider = OfficerFactory(username="outsider", creditors=[other_creditor])
    assert client_for(outsider).get(attachment["url"]).status_code == 404


def test_a_complaint_by_debtor_id_without_a_debt(creditor, officer):
    debt = debt_with_email(creditor=creditor)
    payload = {**body(debt), "debtor": debt.debtor_id}
    del payload["debt"]

    response = client_for(officer).post(API, payload, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["debtor"], response.json()["debt"]) == (debt.debtor_id, None)


def test_a_related_message_of_another_debtor_is_refused(creditor, officer):
    debt = debt_with_email(creditor=creditor)
    someone_else = debt_with_email(creditor=creditor)
    message = make_message(debt=someone_else)

    response = client_for(officer).post(API, body(debt, related_message=message.pk), format="json")

    assert response.status_code == 400
    assert "related_message" in response.json()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"debt": 999999999}, "debt"),
        ({"kind": "rant"}, "kind"),
        ({"channel": "portal"}, "channel"),
        ({"received_at": "2026-12-06T10:00:00-05:00"}, "received_at"),
        ({"received_at": "2026-12-04T10:00:00"}, "received_at"),
        ({"subject": ""}, "subject"),
        ({"channel": "regulator"}, "regulator"),
    ],
)
def test_bad_input_is_a_400_on_its_field_and_writes_nothing(creditor, officer, change, field):
    debt = debt_with_email(creditor=creditor)

    response = client_for(officer).post(API, body(debt, **change), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_another_creditors_debt_is_unknown_not_a_404_or_a_leak(creditor, officer, other_creditor):
    foreign = debt_with_email(creditor=other_creditor)

    response = client_for(officer).post(API, body(foreign), format="json")

    assert response.status_code == 400
    assert response.json() == {"debt": ["Unknown debt."]}
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
        ("macro.docx", b"PK\x03\x04 not a pdf", "Only PDF, PNG or JPG"),
        ("fake.pdf", b"MZ\x90\x00 an executable", "Only PDF, PNG or JPG"),
    ],
)
def test_a_bad_attachment_is_refused_and_nothing_is_written(
    creditor, officer, name, content, message
):
    debt = debt_with_email(creditor=creditor)
    upload = SimpleUploadedFile(name, content)

    response = client_for(officer).post(
        API, {**body(debt), "attachments": [upload]}, format="multipart"
    )

    assert response.status_code == 400
    assert message in response.json()["attachments"][0]
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()
    assert not Hold.objects.exists()


# --- list and scoping --------------------------------------------------------------------------


def test_an_officer_sees_only_their_creditors_complaints(creditor, officer, other_creditor):
    mine = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    admin = AdminFactory(username="boss")
    file_complaint(debt=debt_with_email(creditor=other_creditor), user=admin)

    response = client_for(officer).get(API)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and [c["number"] for c in data["results"]] == [mine.number]
    assert client_for(admin).get(API).json()["count"] == 2


def test_a_collector_sees_only_complaints_about_their_cases(creditor, officer):
    collector = CollectorFactory(username="col")
    theirs = file_complaint(
        debt=debt_with_email(creditor=creditor, assigned_to=collector), user=collector
    )
    others = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)

    data = client_for(collector).get(API).json()

    assert [c["number"] for c in data["results"]] == [theirs.number]
    assert client_for(collector).get(f"{API}{others.pk}/").status_code == 404


def test_no_role_or_no_login_gets_nothing(creditor, officer):
    complaint = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)

    assert APIClient().get(API).status_code == 401
    assert APIClient().get(f"{API}{complaint.pk}/").status_code == 401
    assert client_for(UserFactory(username="nobody")).get(API).status_code == 403


def test_a_debtor_signed_into_the_portal_gets_nothing_here(client, creditor, officer):
    # Given a debtor with a complaint, signed into the portal (its session, no staff user)
    debt = debt_with_email(creditor=creditor)
    file_complaint(debt=debt, user=officer)
    now = int(time.time())
    session = client.session
    session[portal_session.KEY] = {"debtor": debt.debtor_id, "since": now, "seen": now}
    session.save()

    # Then the staff API does not know them: they follow their complaints in the portal
    assert client.get(API).status_code == 401


def test_a_token_works(creditor, officer):
    file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    token = Token.objects.create(user=officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get(API).json()["count"] == 1


def test_filters(creditor, officer):
    query = file_complaint(debt=debt_with_email(creditor=creditor), user=officer, kind="query")
    claim = file_complaint(
        debt=debt_with_email(creditor=creditor),
        user=officer,
        kind="claim",
        received_at=at(FRIDAY - datetime.timedelta(days=10)),
        subject="Cobro de intereses",
    )
    claim.assigned_to = officer
    claim.save(update_fields=["assigned_to"])
    api = client_for(officer)

    def numbers(**params):
        response = api.get(API, params)
        assert response.status_code == 200, response.content
        return {c["number"] for c in response.json()["results"]}

    assert numbers(kind="query") == {query.number}
    assert numbers(status="open") == {query.number, claim.number}
    assert numbers(status="closed") == set()
    assert numbers(assigned_to="me") == {claim.number}
    assert numbers(assigned_to="nobody") == {query.number}
    assert numbers(assigned_to=str(officer.pk)) == {claim.number}
    assert numbers(received_to="2026-11-30") == {claim.number}
    assert numbers(received_from="2026-12-01") == {query.number}
    assert numbers(due_before=claim.due_on.isoformat()) == {claim.number}
    assert numbers(q="intereses") == {claim.number}
    assert numbers(creditor=creditor.pk, kind="") == {query.number, claim.number}
    # the soonest answer first
    assert [c["number"] for c in api.get(API).json()["results"]] == [claim.number, query.number]


def test_the_list_costs_the_same_queries_for_more_complaints(creditor, officer):
    api = client_for(officer)
    file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    with CaptureQueriesContext(connection) as one:
        assert api.get(API).status_code == 200
    for _ in range(3):
        file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    with CaptureQueriesContext(connection) as four:
        assert api.get(API).json()["count"] == 4

    assert len(four) == len(one)


@pytest.mark.parametrize(
    "query,field",
    [
        ("status=pending", "status"),
        ("kind=rant", "kind"),
        ("assigned_to=someone", "assigned_to"),
        ("due_before=2026-02-30", "due_before"),
        ("received_from=yesterday", "received_from"),
        ("creditor=abc", "creditor"),
        ("q=%00", "q"),
        ("page=0", "page"),
    ],
)
def test_bad_filters_are_a_400_on_their_field(officer, query, field):
    response = client_for(officer).get(f"{API}?{query}")

    assert response.status_code == 400
    assert field in response.json()


# --- actions -----------------------------------------------------------------------------------


@pytest.fixture
def complaint(creditor, officer):
    return file_complaint(debt=debt_with_email(creditor=creditor), user=officer)


def post(user, complaint, name, payload, **kwargs):
    return client_for(user).post(f"{API}{complaint.pk}/{name}/", payload, **kwargs)


def test_assign_then_answer_then_close(complaint, officer):
    response = post(officer, complaint, "assign", {"assignee": officer.pk}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["assigned_to"], response.json()["status"]) == (
        officer.pk,
        "in_progress",
    )

    draft = post(officer, complaint, "draft", {"template": "answer_upheld"}, format="json")
    assert draft.status_code == 200, draft.content
    assert complaint.number in draft.json()["subject"] + draft.json()["body"]
    assert complaint.events.count() == 3  # a draft writes nothing

    answer = {"subject": "Respuesta", "body": "Tiene razón.", "template": "answer_upheld"}
    response = post(officer, complaint, "answer", answer, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["answered_on_time"]) == ("answered", True)
    assert response.json()["due_state"] is None
    assert not Hold.objects.get(pk=complaint.hold_id).is_open

    close = {"outcome": "upheld", "root_cause": "contact_hours", "note": "Llamada fuera de hora"}
    response = post(officer, complaint, "close", close, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["outcome"], data["root_cause"]) == (
        "closed",
        "upheld",
        "contact_hours",
    )
    assert [s["kind"] for s in data["steps"]][-2:] == ["answered", "closed"]
    assert data["steps"][-2]["body"] == "Tiene razón."


def test_request_information_and_the_debtors_answer(complaint, officer):
    response = post(
        officer, complaint, "request-information", {"details": "Copia del recibo"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "awaiting_info"
    assert "Copia del recibo" in response.json()["steps"][-1]["body"]

    upload = SimpleUploadedFile("recibo.pdf", PDF, content_type="application/pdf")
    response = post(
        officer,
        complaint,
        "information",
        {"text": "Adjunto el recibo", "attachments": [upload]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "in_progress"
    assert [a["name"] for a in data["attachments"]] == ["recibo.pdf"]
    assert data["steps"][-1]["kind"] == "info_received"


def test_extend_tells_the_debtor_and_moves_the_date(complaint, officer):
    response = post(officer, complaint, "extend", {"reason": "Pedimos soportes"}, format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["extended_due_on"] > data["due_on"]
    assert data["answer_due_on"] == data["extended_due_on"]
    assert data["steps"][-1]["kind"] == "extended"


def test_a_refused_action_is_a_400_on_its_field(complaint, officer):
    response = post(officer, complaint, "close", {"outcome": "upheld"}, format="json")

    assert response.status_code == 400
    assert "outcome" in response.json()
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_an_unknown_assignee_is_a_400(complaint, officer):
    response = post(officer, complaint, "assign", {"assignee": 999999999}, format="json")

    assert response.status_code == 400 and "assignee" in response.json()


@pytest.mark.parametrize(
    "name,payload",
    [("extend", {"reason": "Más tiempo"}), ("close", {"outcome": "withdrawn"})],
)
def test_a_collector_may_not_extend_or_close(creditor, name, payload):
    collector = CollectorFactory(username="col")
    complaint = file_complaint(
        debt=debt_with_email(creditor=creditor, assigned_to=collector), user=collector
    )

    response = post(collector, complaint, name, payload, format="json")

    assert response.status_code == 403
    assert "complaints officer" in response.json()["detail"]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.extended_due_on) == ("received", None)


def test_a_manager_may_close(creditor, complaint):
    manager = ManagerFactory(username="mgr", creditors=[creditor])

    response = post(manager, complaint, "close", {"outcome": "withdrawn"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"


@pytest.mark.parametrize(
    "name,payload",
    [
        ("assign", {"assignee": 1}),
        ("request-information", {"details": "x"}),
        ("information", {"text": "x"}),
        ("extend", {"reason": "x"}),
        ("draft", {"template": "acknowledgement"}),
        ("answer", {"subject": "x", "body": "y"}),
        ("close", {"outcome": "withdrawn"}),
    ],
)
def test_out_of_scope_complaints_are_404(other_creditor, name, payload):
    admin = AdminFactory(username="boss")
    theirs = file_complaint(debt=debt_with_email(creditor=other_creditor), user=admin)
    stranger = OfficerFactory(username="stranger", creditors=[])

    assert post(stranger, theirs, name, payload, format="json").status_code == 404
    assert client_for(stranger).get(f"{API}{theirs.pk}/").status_code == 404
