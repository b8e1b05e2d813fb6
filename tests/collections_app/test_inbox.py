"""The team inbox: scoped pages and API, triage actions, replies through the outbox, the case
timeline, and a reply made a complaint in one click."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from complaints.models import Complaint
from messaging.models import InboundMessage, Message, SandboxDelivery
from messaging.services.inbox import inbound_receive
from portfolio.models import Hold
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

PHONE = "+573001112233"


def _inbound(*, channel="sms", address=PHONE, body="Puedo pagar el viernes", sid="SM-1",
             received_at=None, **fields) -> InboundMessage:  # fmt: skip
    return inbound_receive(
        channel=channel,
        address=address,
        body=body,
        provider="twilio",
        provider_message_id=sid,
        received_at=received_at or timezone.now() - datetime.timedelta(minutes=5),
        **fields,
    )


@pytest.fixture
def case(creditor, collector):
    """A debtor of `collector` with a consented phone (SMS and WhatsApp) and e-mail, and the
    reminder we sent them ten days ago (out of the contact rules' weekly window)."""
    debt = DebtFactory(creditor=creditor, assigned_to=collector, debt_ref="INB-1")
    for channel in ("sms", "whatsapp"):
        ContactPointFactory(debtor=debt.debtor, channel=channel, value=PHONE, consent_granted=True)
    ContactPointFactory(
        debtor=debt.debtor, channel="email", value="ana@example.com", consent_granted=True
    )
    sent = make_message(
        debt=debt,
        channel="sms",
        to=PHONE,
        status="sent",
        body="Recordatorio: su cuota vence hoy.",
        sent_at=timezone.now() - datetime.timedelta(days=10),
    )
    return {"debt": debt, "sent": sent}


@pytest.fixture
def theirs(creditor, other_collector):
    debt = DebtFactory(creditor=creditor, assigned_to=other_collector)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573009990000")
    return _inbound(address="+573009990000", sid="SM-theirs", body="Es otra persona")


# --- the page ---------------------------------------------------------------------------------


def test_a_collector_sees_their_cases_reply_with_its_thread(client, collector, case, theirs):
    mine = _inbound()
    client.force_login(collector)
    page = client.get(reverse("collections:inbox"))
    assert page.status_code == 200
    assert list(page.context["rows"]) == [mine]
    assert "Puedo pagar el viernes" in page.content.decode()
    detail = client.get(reverse("collections:inbound-detail", args=[mine.pk]))
    thread = detail.context["thread"]
    assert [(kind, item.pk) for kind, item in thread] == [("out", case["sent"].pk), ("in", mine.pk)]
    body = detail.content.decode()
    assert "Recordatorio: su cuota vence hoy." in body and "Puedo pagar el viernes" in body


def test_a_message_is_received_in_the_masculine(client, collector, case, theirs):
    mine = _inbound()
    client.force_login(collector)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("collections:inbox")).content.decode()
    assert '<th scope="col">Recibido</th>' in page and ">Recibida<" not in page
    detail = client.get(reverse("collections:inbound-detail", args=[mine.pk])).content.decode()
    assert "Recibido ·" in detail and "Recibida ·" not in detail


def test_another_collectors_inbound_is_a_404_on_every_page_and_action(
    client, collector, case, theirs
):
    client.force_login(collector)
    for name, method in [
        ("collections:inbound-detail", "get"),
        ("collections:inbound-read", "post"),
        ("collections:inbound-handled", "post"),
        ("collections:inbound-reply", "post"),
        ("complaints:from-inbound", "post"),
    ]:
        response = getattr(client, method)(reverse(name, args=[theirs.pk]), {"kind": "complaint"})
        assert response.status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == "unread" and theirs.complaint_id is None


def test_unmatched_inbound_is_for_managers_only(client, collector, manager, creditor):
    unknown = _inbound(address="+14155550100", sid="SM-unknown")
    client.force_login(collector)
    assert client.get(reverse("collections:inbound-detail", args=[unknown.pk])).status_code == 404
    client.force_login(manager)
    page = client.get(reverse("collections:inbox"), {"assigned": "unmatched"})
    assert list(page.context["rows"]) == [unknown]
    # A manager of another creditor does not see this creditor's matched replies.
    outsider = ManagerFactory(username="outsider", creditors=[CreditorFactory(code="otro")])
    client.force_login(outsider)
    debt = DebtFactory(creditor=creditor)
    ContactPointFactory(debtor=debt.debtor, channel="sms", value=PHONE)
    matched_elsewhere = _inbound(sid="SM-x")
    assert matched_elsewhere.creditor == creditor
    assert client.get(reverse("collections:inbox")).context["rows"] == [unknown]
    assert (
        client.get(reverse("collections:inbound-detail", args=[matched_elsewhere.pk])).status_code
        == 404
    )


def test_filters_search_and_empty_state(client, manager, case):
    read = _inbound(sid="SM-a", body="Ya pagué ayer")
    _inbound(sid="SM-b", body="¿Cuánto debo?", channel="whatsapp")
    client.force_login(manager)
    url = reverse("collections:inbox")
    client.post(reverse("collections:inbound-read", args=[read.pk]))
    rows = client.get(url, {"status": "read"}).context["rows"]
    assert [r.body for r in rows] == ["Ya pagué ayer"]
    assert [r.body for r in client.get(url, {"channel": "whatsapp"}).context["rows"]] == [
        "¿Cuánto debo?"
    ]
    name = case["debt"].debtor.full_name
    assert len(client.get(url, {"q": name}).context["rows"]) == 2
    document = case["debt"].debtor.document_number
    assert len(client.get(url, {"q": document}).context["rows"]) == 2
    assert len(client.get(url, {"q": "pagué"}).context["rows"]) == 1
    empty = client.get(url, {"q": "nada de esto"})
    assert empty.status_code == 200 and "No messages match these filters" in empty.content.decode()
    assert client.get(url, {"status": "bogus"}).status_code == 400


def test_pagination_of_the_inbox(client, manager, case):
    for n in range(27):
        _inbound(sid=f"SM-{n}", body=f"mensaje {n}")
    client.force_login(manager)
    first = client.get(reverse("collections:inbox"))
    second = client.get(reverse("collections:inbox"), {"page": 2})
    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 2


def test_the_unread_badge_counts_what_the_user_may_see(client, collector, case, theirs):
    _inbound()
    client.force_login(collector)
    badge = client.get(reverse("collections:inbox-badge"))
    assert badge.content.decode().strip().startswith('<span class="nav-count"')
    assert ">1<" in badge.content.decode()
    # The navigation loads it after the page.
    page = client.get(reverse("collections:inbox")).content.decode()
    assert reverse("collections:inbox-badge") in page


def test_mark_read_then_handled_records_who_and_when(client, collector, case):
    inbound = _inbound()
    client.force_login(collector)
    client.post(reverse("collections:inbound-read", args=[inbound.pk]))
    inbound.refresh_from_db()
    assert inbound.status == "read" and inbound.read_by == collector
    response = client.post(reverse("collections:inbound-handled", args=[inbound.pk]))
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.status == "handled" and inbound.handled_by == collector and inbound.handled_at
    # The audit trail keeps each change with its author.
    history = list(inbound.history.order_by("history_date").values_list("status", "history_user"))
    assert history[-2:] == [("read", collector.pk), ("handled", collector.pk)]
    # Handled again: nothing changes.
    client.post(reverse("collections:inbound-handled", args=[inbound.pk]))
    assert inbound.history.count() == len(history)


def test_actions_are_post_only(client, collector, case):
    inbound = _inbound()
    client.force_login(collector)
    assert client.get(reverse("collections:inbound-handled", args=[inbound.pk])).status_code == 405


def test_a_manager_matches_an_ambiguous_address_and_assigns_it(client, manager, creditor,
                                                               collector):  # fmt: skip
    first, second = (DebtFactory(creditor=creditor, assigned_to=collector) for _ in range(2))
    for debt in (first, second):
        ContactPointFactory(debtor=debt.debtor, channel="sms", value=PHONE)
    sent = make_message(debt=second, channel="sms", to=PHONE, status="sent",
                        sent_at=timezone.now() - datetime.timedelta(hours=3))  # fmt: skip
    inbound = _inbound()
    assert inbound.debtor is None and inbound.match_status == "ambiguous"
    client.force_login(manager)
    detail = client.get(reverse("collections:inbound-detail", args=[inbound.pk]))
    choices = dict(detail.context["match_form"].fields["debtor"].choices)
    assert set(choices) == {first.debtor_id, second.debtor_id}
    # Not a candidate: refused, nothing changes.
    other = DebtFactory(creditor=creditor)
    refused = client.post(
        reverse("collections:inbound-match", args=[inbound.pk]), {"debtor": other.debtor_id}
    )
    assert refused.status_code == 400
    match = reverse("collections:inbound-match", args=[inbound.pk])
    client.post(match, {"debtor": second.debtor_id})
    inbound.refresh_from_db()
    assert (inbound.debtor_id, inbound.debt_id) == (second.debtor_id, second.pk)
    assert inbound.in_reply_to == sent and inbound.matched_by == manager
    assert inbound.assigned_to == collector
    # Matched: no more choosing, and matching again is refused.
    detail = client.get(reverse("collections:inbound-detail", args=[inbound.pk]))
    assert detail.context["match_form"] is None
    assert client.post(match, {"debtor": first.debtor_id}).status_code == 400
    inbound.refresh_from_db()
    assert inbound.debtor_id == second.debtor_id
    client.post(reverse("collections:inbound-assign", args=[inbound.pk]), {"collector": ""})
    inbound.refresh_from_db()
    assert inbound.assigned_to is None


def test_a_collector_cannot_assign(client, collector, other_collector, case):
    inbound = _inbound()
    client.force_login(collector)
    response = client.post(
        reverse("collections:inbound-assign", args=[inbound.pk]), {"collector": other_collector.pk}
    )
    assert response.status_code == 400
    inbound.refresh_from_db()
    assert inbound.assigned_to == collector


# --- replies ----------------------------------------------------------------------------------


def _reply(client, inbound, text="Gracias, lo anotamos.", key="k1"):
    return client.post(
        reverse("collections:inbound-reply", args=[inbound.pk]), {"text": text, "key": key}
    )


def test_a_whatsapp_reply_inside_the_window_goes_through_the_outbox(
    client, collector, contact_hours, case
):
    inbound = _inbound(channel="whatsapp", received_at=contact_hours - datetime.timedelta(hours=2))
    client.force_login(collector)
    assert _reply(client, inbound).status_code == 302
    message = Message.objects.get(template="inbox_reply")
    assert (message.channel, message.to, message.status) == ("whatsapp", PHONE, "sent"), (
        message.suppression_reason
    )
    # As written, signed by the creditor, with the opt-out line every message carries.
    assert message.body.startswith("Gracias, lo anotamos.\n\n") and "Banco Andino" in message.body
    assert "STOP" in message.body and message.collector == collector
    assert list(message.debts.all()) == [case["debt"]]
    assert SandboxDelivery.objects.get(message=message).body == message.body
    inbound.refresh_from_db()
    assert inbound.status == "handled" and inbound.handled_note == "replied"
    # The same form sent twice is one message.
    _reply(client, inbound)
    assert Message.objects.filter(template="inbox_reply").count() == 1
    # ...and the reply is in the thread.
    thread = client.get(reverse("collections:inbound-detail", args=[inbound.pk])).context["thread"]
    assert thread[-1] == ("out", message)


def test_a_whatsapp_reply_outside_the_window_is_refused_with_why(
    client, collector, contact_hours, case
):
    inbound = _inbound(channel="whatsapp", received_at=contact_hours - datetime.timedelta(hours=25))
    client.force_login(collector)
    page = client.get(reverse("collections:inbound-detail", args=[inbound.pk]))
    assert page.context["reply_form"] is None
    assert "template" in page.context["reply_refused"]
    response = _reply(client, inbound)
    assert response.status_code == 400
    assert "24-hour" in response.content.decode()
    assert not Message.objects.filter(template="inbox_reply").exists()


def test_an_sms_reply_is_checked_by_the_contact_rules(client, collector, contact_hours, case):
    # The debtor disputed the debt meanwhile: contact is on hold, so the reply is suppressed.
    inbound = _inbound(received_at=contact_hours - datetime.timedelta(days=3))
    Hold.objects.create(
        debtor=case["debt"].debtor,
        debt=case["debt"],
        kind="dispute",
        reason="not mine",
        source="collector",
        opened_at=contact_hours - datetime.timedelta(hours=1),
    )
    client.force_login(collector)
    _reply(client, inbound)
    message = Message.objects.get(template="inbox_reply")
    assert message.status == "suppressed" and message.suppression_rule
    inbound.refresh_from_db()
    assert inbound.status == "unread"


def test_an_email_reply_keeps_the_subject(client, collector, contact_hours, case):
    inbound = _inbound(
        channel="email",
        address="ana@example.com",
        subject="Mi cuota",
        body="¿Puedo pagar la mitad?",
        received_at=contact_hours - datetime.timedelta(days=2),
    )
    client.force_login(collector)
    _reply(client, inbound, text="Sí, con un acuerdo.")
    message = Message.objects.get(template="inbox_reply")
    assert (message.channel, message.to, message.subject) == ("email", "ana@example.com",
                                                              "Re: Mi cuota")  # fmt: skip
    assert message.status in ("sent", "delivered")


def test_an_empty_reply_changes_nothing(client, collector, case):
    inbound = _inbound(channel="whatsapp")
    client.force_login(collector)
    assert _reply(client, inbound, text="   ").status_code == 400
    assert not Message.objects.filter(template="inbox_reply").exists()


# --- complaints, opt-outs, timeline -----------------------------------------------------------


def test_make_it_a_complaint_in_one_click(client, collector, case):
    inbound = _inbound(body="Me están cobrando algo que ya pagué, quiero poner una queja")
    client.force_login(collector)
    response = client.post(
        reverse("complaints:from-inbound", args=[inbound.pk]), {"kind": "complaint"}
    )
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "complaints:detail", args=[complaint.pk]
    )
    assert (complaint.debtor, complaint.debt, complaint.kind) == (
        case["debt"].debtor,
        case["debt"],
        "complaint",
    )
    assert complaint.channel == "sms" and "ya pagué" in complaint.description
    assert complaint.related_message == case["sent"]
    inbound.refresh_from_db()
    assert inbound.status == "handled" and inbound.complaint_id == complaint.pk
    # Twice is one complaint.
    client.post(reverse("complaints:from-inbound", args=[inbound.pk]), {"kind": "complaint"})
    assert Complaint.objects.count() == 1
    page = client.get(reverse("collections:inbound-detail", args=[inbound.pk])).content.decode()
    assert reverse("complaints:detail", args=[complaint.pk]) in page


def test_make_it_a_dispute_holds_the_debt(client, collector, case):
    inbound = _inbound(channel="email", address="ana@example.com", body="Esta deuda no es mía")
    client.force_login(collector)
    client.post(reverse("complaints:from-inbound", args=[inbound.pk]), {"kind": "dispute"})
    complaint = Complaint.objects.get()
    assert complaint.kind == "dispute" and complaint.channel == "email"
    assert Hold.objects.filter(debt=case["debt"], kind="dispute", closed_at__isnull=True).exists()


def test_a_bad_kind_makes_no_complaint(client, collector, case):
    inbound = _inbound()
    client.force_login(collector)
    response = client.post(reverse("complaints:from-inbound", args=[inbound.pk]), {"kind": "x"})
    assert response.status_code == 302 and not Complaint.objects.exists()
    inbound.refresh_from_db()
    assert inbound.status == "unread"


def test_stop_shows_as_handled_opt_out_and_cannot_be_replied_to(client, collector, case):
    inbound = _inbound(body="BAJA")
    assert inbound.is_opt_out and inbound.status == "handled"
    client.force_login(collector)
    assert client.get(reverse("collections:inbox")).context["rows"] == []
    page = client.get(reverse("collections:inbox"), {"status": "handled"}).content.decode()
    assert "Opt-out: consent revoked" in page
    assert _reply(client, inbound).status_code == 400


def test_the_reply_lands_on_the_case_timeline(client, collector, case):
    inbound = _inbound(body="Pago el viernes sin falta")
    client.force_login(collector)
    response = client.get(reverse("portfolio:debt-detail", args=[case["debt"].pk]))
    replies = [e for e in response.context["events"] if e.kind == "reply"]
    assert [(e.title, e.detail) for e in replies] == [("SMS", "Pago el viernes sin falta")]
    assert replies[0].link == reverse("collections:inbound-detail", args=[inbound.pk])
    # The panel alone (no page reads) shows the same.
    from collections_app.selectors.workspace import case_timeline

    events, _truncated = case_timeline(debt=case["debt"])
    assert [e.detail for e in events if e.kind == "reply"] == ["Pago el viernes sin falta"]


# --- the API ----------------------------------------------------------------------------------


def _api(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_the_api_lists_scoped_and_filtered(api_client, collector, case, theirs):
    mine = _inbound(channel="whatsapp")
    client = _api(api_client, collector)
    rows = client.get("/api/v1/inbound-messages/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["in_reply_to"] is None or isinstance(rows[0]["in_reply_to"], str)
    assert client.get("/api/v1/inbound-messages/", {"channel": "sms"}).json()["results"] == []
    assert client.get(f"/api/v1/inbound-messages/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/inbound-messages/{theirs.pk}/mark-handled/").status_code == 404
    assert client.get("/api/v1/inbound-messages/", {"status": "bogus"}).status_code == 400
    # assigned to the collector of the case: not among the unassigned
    assigned = client.get("/api/v1/inbound-messages/", {"unassigned": "false"}).json()
    assert [r["id"] for r in assigned["results"]] == [mine.pk]
    assert client.get("/api/v1/inbound-messages/", {"unassigned": "true"}).json()["results"] == []
    assert client.get("/api/v1/inbound-messages/", {"unassigned": "-5"}).status_code == 400


def test_the_api_marks_handled(api_client, collector, case):
    inbound = _inbound()
    client = _api(api_client, collector)
    response = client.post(f"/api/v1/inbound-messages/{inbound.pk}/mark-handled/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "handled" and data["handled_by"] == "collector"


def test_the_api_is_in_the_schema(api_client, admin_user):
    schema = _api(api_client, admin_user).get("/api/schema/?format=json").json()
    assert "/api/v1/inbound-messages/" in schema["paths"]
    assert "/api/v1/inbound-messages/{id}/mark-handled/" in schema["paths"]


def test_the_inbox_page_costs_the_same_queries_for_3_or_20_rows(client, manager, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    for n in range(3):
        _inbound(sid=f"SM-{n}")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("collections:inbox"))
    for n in range(3, 20):
        _inbound(sid=f"SM-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("collections:inbox"))
    assert len(many) == len(few)


def test_viewing_the_inbox_is_recorded_as_a_view_of_contact_data(client, collector, case):
    from portfolio.models import DebtorDataAccess

    inbound = _inbound()
    client.force_login(collector)
    client.get(reverse("collections:inbound-detail", args=[inbound.pk]))
    seen = DebtorDataAccess.objects.get(user=collector)
    assert (seen.debtor_id, seen.data, seen.via) == (case["debt"].debtor_id, "contacts", "inbox")
