"""The staff complaint pages: the queue by due date, a complaint and its actions, recording one,
the debt page's panel, and who may see what."""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from complaints.models import Complaint, ComplaintEvent
from complaints.services.handling import complaint_answer
from complaints.views import complaints as views
from tests.complaints.helpers import at, debt_with_email, file_complaint
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import CollectorFactory, OfficerFactory

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 12, 4)  # Tuesday the 8th is a Colombian holiday
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _friday():
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        yield


@pytest.fixture
def officer(creditor):
    return OfficerFactory(username="officer", creditors=[creditor])


@pytest.fixture
def debt(creditor, collector):
    return debt_with_email(creditor=creditor, assigned_to=collector)


def _due(complaint, day):
    Complaint.objects.filter(pk=complaint.pk).update(due_on=day)


def _numbers(html: str) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', html)


def test_the_queue_lists_open_complaints_first_by_due_date_with_their_due_state(
    client, officer, creditor
):
    # given four open complaints owed on different days and one closed
    made = {}
    for name, day in (
        ("on_track", datetime.date(2026, 12, 29)),
        ("overdue", datetime.date(2026, 12, 3)),
        ("at_risk", datetime.date(2026, 12, 9)),
        ("due_today", FRIDAY),
    ):
        made[name] = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
        _due(made[name], day)
    closed = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    _due(closed, datetime.date(2026, 11, 1))
    Complaint.objects.filter(pk=closed.pk).update(status="closed")
    client.force_login(officer)

    response = client.get(reverse("complaints:queue"))

    html = response.content.decode()
    assert response.status_code == 200
    order = ["overdue", "due_today", "at_risk", "on_track"]
    assert _numbers(html) == [made[n].number for n in order] + [closed.number]
    for state in order:
        assert f'data-due="{state}"' in html
    assert ">Overdue<" in html and ">Due today<" in html and ">At risk<" in html
    summary = re.search(r'data-testid="due-summary"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "1 overdue" in summary and "1 due today" in summary and "1 at risk" in summary


def test_an_extended_complaint_shows_its_extended_date(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    Complaint.objects.filter(pk=complaint.pk).update(
        extended_due_on=datetime.date(2027, 1, 20), extension_reason="more time"
    )
    client.force_login(officer)
    html = client.get(reverse("complaints:queue")).content.decode()
    assert "1/20/2027" in html and "(extended)" in html


def test_the_queue_filters(client, officer, creditor, collector):
    mine = file_complaint(debt=debt_with_email(creditor=creditor), user=officer, kind="query")
    Complaint.objects.filter(pk=mine.pk).update(assigned_to=officer)
    other = file_complaint(
        debt=debt_with_email(creditor=creditor),
        user=officer,
        channel="regulator",
        regulator="sfc",
        regulator_reference="SFC-77",
    )
    client.force_login(officer)
    url = reverse("complaints:queue")

    def listed(**query):
        return _numbers(client.get(url, query).content.decode())

    assert listed(kind="query") == [mine.number]
    assert listed(assigned_to="me") == [mine.number]
    assert listed(assigned_to="nobody") == [other.number]
    assert listed(regulator="sfc") == [other.number]
    assert listed(channel="regulator") == [other.number]
    assert listed(q="SFC-77") == [other.number]
    assert listed(q=mine.number) == [mine.number]
    assert listed(q=mine.debtor.full_name) == [mine.number]
    assert listed(status="open", creditor=creditor.pk) == [mine.number, other.number] or listed(
        status="open", creditor=creditor.pk
    ) == [other.number, mine.number]
    assert listed(status="closed") == []
    assert listed(received_from="2026-12-05") == []
    assert len(listed(received_from="2026-12-04", received_to="2026-12-04")) == 2


@pytest.mark.parametrize(
    "query, field_message",
    [
        ({"received_from": "yesterday"}, "Enter a valid date."),
        ({"creditor": "abc"}, "Select a valid choice."),
        ({"status": "lost"}, "Select a valid choice."),
        ({"received_from": "2026-12-04", "received_to": "2026-12-01"}, "before the start"),
    ],
)
def test_a_bad_query_string_is_a_400_with_the_fields_message(
    client, officer, debt, query, field_message
):
    file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    response = client.get(reverse("complaints:queue"), query)
    html = response.content.decode()
    assert response.status_code == 400
    assert field_message in html
    assert _numbers(html) == []


def test_the_queue_pages(client, officer, debt, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [file_complaint(debt=debt, user=officer, subject=f"Queja {i}") for i in range(3)]
    client.force_login(officer)
    first = _numbers(client.get(reverse("complaints:queue")).content.decode())
    second = client.get(reverse("complaints:queue"), {"page": 2}).content.decode()
    assert len(first) == 2 and len(_numbers(second)) == 1
    assert set(first + _numbers(second)) == {c.number for c in made}
    assert "1–2 of 3" in client.get(reverse("complaints:queue")).content.decode()


def test_an_empty_queue_says_so(client, officer):
    client.force_login(officer)
    response = client.get(reverse("complaints:queue"))
    assert response.status_code == 200
    assert "No complaints" in response.content.decode()


def test_the_detail_shows_the_clock_and_what_was_sent(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    ack = complaint.events.get(kind="acknowledged")
    assert "Petition, complaint or claim" in html and "Ley 1755 de 2015" in html
    assert ack.subject in html and ack.sent_to in html
    assert complaint.number in ack.body and escape(ack.body) in html  # exactly as sent
    assert "Debt on hold" in html


def test_a_step_that_could_not_be_delivered_shows_why(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    complaint.events.filter(kind="acknowledged").update(delivery_error="Mailbox full")
    client.force_login(officer)
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "Not delivered" in html and "Mailbox full" in html
    assert f"Sent by e-mail to {debt.debt_ref.lower()}@example.com" in html


def test_the_detail_shows_the_message_complained_about_and_its_rule_check(client, officer, debt):
    message = make_message(
        debt=debt,
        status="suppressed",
        suppression_rule="CO-2300-HOURS",
        suppression_reason="outside the hours",
    )
    complaint = file_complaint(debt=debt, user=officer, related_message=message)
    client.force_login(officer)
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="related-message"' in html
    assert "Suppressed" in html and "outside the hours" in html


def test_assign_ask_and_record_information_through_the_pages(client, officer, debt, collector):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)

    response = client.post(
        reverse("complaints:assign", args=[complaint.pk]), {"assignee": collector.pk}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.assigned_to == collector and complaint.status == "in_progress"

    response = client.post(
        reverse("complaints:ask", args=[complaint.pk]), {"details": "Copia de la cédula"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "awaiting_info"
    asked = complaint.events.get(kind="info_requested")
    assert "Copia de la cédula" in asked.body

    upload = SimpleUploadedFile("cedula.png", PNG, content_type="image/png")
    response = client.post(
        reverse("complaints:info", args=[complaint.pk]),
        {"text": "Envió la cédula", "attachments": [upload]},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    attachment = complaint.attachments.get()
    page = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert "Envió la cédula" in page.content.decode()
    download = client.get(reverse("complaints:attachment", args=[complaint.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_a_wrong_attachment_is_refused_on_its_field(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = client.post(
        reverse("complaints:info", args=[complaint.pk]),
        {"text": "Algo", "attachments": [upload]},
    )
    assert response.status_code == 400
    assert "Only PDF, PNG or JPG files are accepted." in response.content.decode()
    assert not complaint.events.filter(kind="info_received").exists()


def test_a_collector_cannot_assign_to_someone_else(client, debt, collector, officer):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(collector)
    response = client.post(
        reverse("complaints:assign", args=[complaint.pk]), {"assignee": officer.pk}
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.assigned_to is None
    # but takes it themselves
    response = client.post(
        reverse("complaints:assign", args=[complaint.pk]), {"assignee": collector.pk}
    )
    assert response.status_code == 302


def test_extend_before_the_term_ends(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    response = client.post(
        reverse("complaints:extend", args=[complaint.pk]), {"reason": "Revisamos los pagos"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.extended_due_on > complaint.due_on
    assert "Revisamos los pagos" in complaint.events.get(kind="extended").body
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "Term extended" in page and 'data-testid="extend-form"' not in page


def test_extend_after_the_term_is_refused_with_the_services_message(client, officer, debt):
    # given a complaint whose term ended yesterday
    complaint = file_complaint(debt=debt, user=officer)
    _due(complaint, FRIDAY - datetime.timedelta(days=1))
    client.force_login(officer)
    response = client.post(reverse("complaints:extend", args=[complaint.pk]), {"reason": "Tarde"})
    assert response.status_code == 400
    assert "an extension must be told to the debtor before the term ends" in (
        response.content.decode()
    )
    complaint.refresh_from_db()
    assert complaint.extended_due_on is None


def test_a_collector_may_not_extend(client, debt, collector, officer):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(collector)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="extend-form"' not in page and 'data-testid="close-form"' not in page
    response = client.post(reverse("complaints:extend", args=[complaint.pk]), {"reason": "x"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.extended_due_on is None


def test_draft_then_send_the_answer_then_close(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    # the draft fills the form (htmx gets the form only) and sends nothing
    draft = client.post(
        reverse("complaints:draft", args=[complaint.pk]),
        {"template": "answer_upheld", "details": "Anulamos el cargo."},
        HTTP_HX_REQUEST="true",
    )
    html = draft.content.decode()
    assert draft.status_code == 200 and 'id="answer-form"' in html and "<html" not in html
    assert complaint.number in html and "Anulamos el cargo." in html
    assert not complaint.events.filter(kind="answered").exists()
    # then the edited text is what goes out
    response = client.post(
        reverse("complaints:answer", args=[complaint.pk]),
        {"template": "answer_upheld", "subject": "Respuesta", "body": "Texto editado."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "answered"
    answer = complaint.events.get(kind="answered")
    assert (answer.subject, answer.body, answer.actor) == ("Respuesta", "Texto editado.", officer)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "Texto editado." in page

    response = client.post(
        reverse("complaints:close", args=[complaint.pk]),
        {"outcome": "upheld", "root_cause": "contact_hours", "note": "Llamada a las 22:00"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.root_cause) == ("closed", "contact_hours")


def test_a_draft_without_javascript_returns_the_page(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    response = client.post(
        reverse("complaints:draft", args=[complaint.pk]), {"template": "answer_rejected"}
    )
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_answer_without_text_and_close_before_answer_are_refused(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    client.force_login(officer)
    response = client.post(
        reverse("complaints:answer", args=[complaint.pk]), {"subject": "R", "body": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("complaints:close", args=[complaint.pk]),
        {"outcome": "rejected", "root_cause": "other"},
    )
    assert response.status_code == 400
    assert "Send the answer first" in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "received"


def _record(**overrides):
    data = {
        "kind": "complaint",
        "channel": "phone",
        "regulator": "",
        "regulator_reference": "",
        "subject": "Me llamaron de noche",
        "description": "Llamada a las 22:00",
        "received_at": "2026-12-04T09:30",
    }
    data.update(overrides)
    return data


def test_record_a_complaint_from_a_debt(client, officer, debt):
    message = make_message(debt=debt)
    client.force_login(officer)
    url = reverse("complaints:new") + f"?debt={debt.pk}"
    form = client.get(url)
    assert form.status_code == 200 and debt.debt_ref in form.content.decode()
    assert 'value="2026-12-04T15:00"' in form.content.decode()  # received now, by default
    upload = SimpleUploadedFile("carta.png", PNG, content_type="image/png")
    response = client.post(
        url, _record(related_message=message.pk, attachments=[upload]), follow=True
    )
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == reverse("complaints:detail", args=[complaint.pk])
    assert (complaint.debt, complaint.related_message, complaint.created_by) == (
        debt,
        message,
        officer,
    )
    assert complaint.received_on == FRIDAY and complaint.attachments.count() == 1
    assert f"Complaint {complaint.number} recorded" in response.content.decode()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"received_at": "2026-12-05T09:30"}, "cannot be in the future"),
        ({"received_at": "yesterday"}, "Enter a valid date/time."),
        ({"channel": "regulator"}, "Say which regulator sent it."),
        ({"subject": ""}, "This field is required."),
        ({"kind": "gossip"}, "Select a valid choice."),
    ],
)
def test_recording_bad_input_changes_nothing(client, officer, debt, overrides, message):
    client.force_login(officer)
    response = client.post(reverse("complaints:new") + f"?debt={debt.pk}", _record(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_recording_with_a_wrong_attachment_changes_nothing(client, officer, debt):
    client.force_login(officer)
    upload = SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")
    response = client.post(
        reverse("complaints:new") + f"?debt={debt.pk}", _record(attachments=[upload])
    )
    assert response.status_code == 400
    assert "Only PDF, PNG or JPG files are accepted." in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_recording_on_another_creditors_debt_is_a_404(client, officer):
    elsewhere = debt_with_email(creditor=CreditorFactory())
    client.force_login(officer)
    url = reverse("complaints:new") + f"?debt={elsewhere.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, _record()).status_code == 404
    assert client.get(reverse("complaints:new") + "?debt=abc").status_code == 404
    assert not Complaint.objects.exists()


def test_choose_the_debt_by_its_reference(client, collector, debt):
    client.force_login(collector)
    response = client.get(reverse("complaints:new"), {"ref": debt.debt_ref})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?debt={debt.pk}")
    missing = client.get(reverse("complaints:new"), {"ref": "NOPE-1"})
    assert missing.status_code == 400


def test_an_officer_of_another_creditor_sees_nothing(client, officer, debt):
    complaint = file_complaint(debt=debt, user=officer)
    attachment_owner = OfficerFactory(creditors=[CreditorFactory()])
    client.force_login(attachment_owner)
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404
    assert _numbers(client.get(reverse("complaints:queue")).content.decode()) == []
    response = client.post(
        reverse("complaints:ask", args=[complaint.pk]), {"details": "¿Quién es usted?"}
    )
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == "received"


def test_a_collector_sees_only_complaints_on_their_cases(client, creditor, collector, officer):
    theirs = file_complaint(
        debt=debt_with_email(creditor=creditor, assigned_to=collector), user=officer
    )
    others = file_complaint(
        debt=debt_with_email(creditor=creditor, assigned_to=CollectorFactory()), user=officer
    )
    client.force_login(collector)
    assert _numbers(client.get(reverse("complaints:queue")).content.decode()) == [theirs.number]
    assert client.get(reverse("complaints:detail", args=[others.pk])).status_code == 404
    assert client.get(reverse("complaints:detail", args=[theirs.pk])).status_code == 200


def test_the_debt_page_shows_the_debts_complaints(client, collector, debt, officer):
    complaint = file_complaint(debt=debt, user=officer)
    complaint_answer(complaint=complaint, user=officer, subject="R", body="Respuesta")
    open_one = file_complaint(debt=debt, user=officer, subject="Otra")
    client.force_login(collector)
    html = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    panel = html[html.index('id="complaints"') :]
    assert complaint.number in panel and open_one.number in panel
    assert reverse("complaints:detail", args=[open_one.pk]) in panel
    assert reverse("complaints:new") + f"?debt={debt.pk}" in panel


def test_an_officer_starts_on_the_complaints_and_stays_out_of_manager_pages(client, officer):
    client.force_login(officer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("complaints:queue")
    page = client.get(reverse("complaints:queue")).content.decode()
    assert "Complaints officer" in page and 'href="/complaints/"' in page
    assert client.get(reverse("collections:approvals")).status_code == 403
    assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_the_debt_pages_complaints_panel_costs_no_query(client, collector, debt, officer):
    client.force_login(collector)
    url = reverse("portfolio:debt-detail", args=[debt.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    made = [file_complaint(debt=debt, user=officer, subject=f"Queja {i}") for i in range(3)]
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert all(complaint.number in html for complaint in made)
    assert len(after) == len(before)


def test_a_closed_complaint_reads_closed_in_the_singular_in_spanish(client, officer, debt):
    # given a closed complaint (the debts' filter says "Cerradas" of debts, in the plural)
    complaint = file_complaint(debt=debt, user=officer)
    Complaint.objects.filter(pk=complaint.pk).update(status="closed")
    client.force_login(officer)

    html = client.get(reverse("complaints:queue"), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    row = html[html.index(f'data-number="{complaint.number}"') :]
    row = row[: row.index("</tr>")]
    assert ">Cerrada<" in row and "Cerradas" not in row
