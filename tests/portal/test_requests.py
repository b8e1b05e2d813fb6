"""Disputes, contact preferences (opt-out), call-backs."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from messaging.models import Message
from portal.models import ContactPreference, Dispute
from portfolio.models import ConsentEvent, ContactPoint, Hold, Task
from tests.factories.portfolio import ContactPointFactory

pytestmark = pytest.mark.django_db


def test_dispute_becomes_a_complaint_that_holds_the_debt_and_tells_the_collector(
    portal_client, debt
):
    pdf = SimpleUploadedFile("recibo.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = portal_client.post(
        reverse("portal:dispute", args=[debt.pk]),
        {"reason": "already_paid", "text": "Pagué en agosto", "attachment": pdf},
    )
    # the dispute is a dispute complaint with its legal clock, which holds the debt
    complaint = Complaint.objects.get(debt=debt)
    assert (complaint.kind, complaint.channel, complaint.status) == (
        "dispute",
        "portal",
        "received",
    )
    assert complaint.due_on > complaint.received_on
    assert response.status_code == 302
    assert response.url == reverse("portal:request-received", args=[complaint.number])
    hold = Hold.objects.get(debt=debt)
    assert hold.kind == "dispute" and hold.is_open and complaint.hold == hold
    assert [a.name for a in complaint.attachments.all()] == ["recibo.pdf"]
    task = Task.objects.get(debt=debt)
    assert task.kind == "review_dispute" and complaint.number in task.note
    dispute = Dispute.objects.get()
    assert (dispute.complaint, dispute.hold) == (complaint, hold)
    assert dispute.attachment.name.endswith(".pdf")
    page = portal_client.get(reverse("portal:dispute", args=[debt.pk])).content.decode()
    assert "Under review" in page and complaint.number in page
    # and the debtor follows it in "My requests"
    mine = portal_client.get(reverse("portal:requests")).content.decode()
    assert complaint.number in mine
    # A second dispute while one is open: a clear error, nothing new.
    again = portal_client.post(
        reverse("portal:dispute", args=[debt.pk]), {"reason": "other", "text": "x"}
    )
    assert again.status_code == 200 and complaint.number in again.content.decode()
    assert Hold.objects.count() == 1 and Complaint.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"MZ\x90\x00"),
        ("big.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024)),
    ],
)
def test_dispute_attachment_limits(portal_client, debt, name, content):
    upload = SimpleUploadedFile(name, content)
    response = portal_client.post(
        reverse("portal:dispute", args=[debt.pk]),
        {"reason": "other", "text": "x", "attachment": upload},
    )
    assert response.status_code == 200 and "attachment" in response.context["form"].errors
    assert not Hold.objects.exists()


def test_opt_out_of_sms_stops_planned_messages_and_keeps_history(portal_client, debtor, debt):
    ContactPointFactory(debtor=debtor, channel="email", value="ana@example.com")
    planned = Message.objects.create(
        creditor=debt.creditor, debtor=debtor, channel="sms", template="friendly",
        stage=debt.stage, business_date=timezone.localdate(), to="+573001112233",
        planned_for=timezone.now() + datetime.timedelta(hours=2), idempotency_key="k1",
    )  # fmt: skip
    response = portal_client.post(
        reverse("portal:preferences"),
        {"allow_email": "on", "preferred_from": "18:00", "preferred_to": "20:00"},
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "suppressed" and planned.suppression_rule == "OPT-OUT"
    sms = ContactPoint.objects.get(debtor=debtor, channel="sms")
    assert not sms.consent_granted
    assert ConsentEvent.objects.filter(contact_point=sms, granted=False).exists()
    assert ContactPoint.objects.get(debtor=debtor, channel="email").consent_granted
    pref = ContactPreference.objects.get(debtor=debtor)
    assert pref.preferred_from == datetime.time(18, 0)
    # Back in: consent granted again, recorded as the debtor's choice.
    portal_client.post(reverse("portal:preferences"), {"allow_email": "on", "allow_sms": "on"})
    sms.refresh_from_db()
    assert sms.consent_granted and sms.consent_source == "debtor"
    assert ConsentEvent.objects.filter(contact_point=sms).count() == 2


def test_preferred_hours_must_make_sense(portal_client, debtor, debt):
    response = portal_client.post(
        reverse("portal:preferences"),
        {"allow_sms": "on", "preferred_from": "20:00", "preferred_to": "08:00"},
    )
    assert response.status_code == 200 and not ContactPreference.objects.exists()


@pytest.mark.parametrize("by_id_max", [10_000, 1])
def test_the_planner_reads_the_hours_of_the_debtors_it_asks_for_only(monkeypatch, by_id_max):
    # given debtors with hours they chose, one with a window that ends before it starts, one
    # with no hours, and one with hours the planner does not ask about
    from portal import selectors
    from tests.factories.portfolio import DebtorFactory

    evening, backwards, none, other = (DebtorFactory() for _ in range(4))
    ContactPreference.objects.create(
        debtor=evening, preferred_from=datetime.time(18), preferred_to=datetime.time(20)
    )
    ContactPreference.objects.create(
        debtor=backwards, preferred_from=datetime.time(20), preferred_to=datetime.time(8)
    )
    ContactPreference.objects.create(debtor=none)
    ContactPreference.objects.create(
        debtor=other, preferred_from=datetime.time(9), preferred_to=datetime.time(11)
    )
    # when the planner asks for the first three, by their ids or (past the limit) by reading
    # every preference
    monkeypatch.setattr(selectors, "PREFERRED_BY_ID_MAX", by_id_max)
    hours = selectors.preferred_hours(debtor_ids=[evening.pk, backwards.pk, none.pk])

    # then it gets the well-formed window of the debtors it asked about, and nothing else
    assert hours == {evening.pk: (datetime.time(18), datetime.time(20))}


def test_callback_creates_a_task_at_the_chosen_time(portal_client, debt):
    when = timezone.localtime() + datetime.timedelta(days=1)
    response = portal_client.post(
        reverse("portal:callback"), {"when": when.strftime("%Y-%m-%dT%H:%M"), "note": "tarde"}
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.kind == "callback" and task.debt == debt
    assert abs((task.due_at - when).total_seconds()) < 60
    past = timezone.localtime() - datetime.timedelta(days=1)
    response = portal_client.post(
        reverse("portal:callback"), {"when": past.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200 and Task.objects.count() == 1


def test_callback_time_is_read_in_the_debtors_time_zone(client, debtor, debt):
    from tests.portal.conftest import sign_in

    debtor.timezone = "America/Mexico_City"
    debtor.save()
    sign_in(client, debtor)
    day = (timezone.now() + datetime.timedelta(days=2)).date()
    client.post(reverse("portal:callback"), {"when": f"{day.isoformat()}T10:00"})
    due = Task.objects.get().due_at.astimezone(ZoneInfo("America/Mexico_City"))
    assert (due.date(), due.hour) == (day, 10)


def test_staff_who_see_the_debt_download_the_attachment(
    portal_client, debt, client, collector, other_collector, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    debt.assigned_to = collector
    debt.save()
    pdf = SimpleUploadedFile("recibo.pdf", b"%PDF-1.4 recibo", content_type="application/pdf")
    portal_client.post(
        reverse("portal:dispute", args=[debt.pk]),
        {"reason": "already_paid", "text": "", "attachment": pdf},
    )
    dispute = Dispute.objects.get()
    url = reverse("portal:dispute-attachment", args=[dispute.pk])
    from django.test import Client

    staff = Client()
    assert staff.get(url).status_code == 302  # not signed in: the staff login
    staff.force_login(other_collector)
    assert staff.get(url).status_code == 404
    staff.force_login(collector)
    response = staff.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # A debtor's portal session is not a staff login.
    assert portal_client.get(url).status_code == 302


def test_document_lookups_per_connection_are_limited(client, debtor, debt):
    from messaging.models import SandboxDelivery

    for _ in range(10):
        client.post(reverse("portal:home"), {"document_type": "CC", "document_number": "123"})
    response = client.post(
        reverse("portal:home"), {"document_type": "CC", "document_number": "1020304050"}
    )
    assert response.status_code == 200 and b"Too many attempts" in response.content
    assert not SandboxDelivery.objects.exists()
