"""Complaint handling: the clock starts, the debt is held, every step is on record and sent."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from collections_app.services.cycle import cycle_run_date
from complaints.models import Complaint, ComplaintEvent
from complaints.selectors.complaints import complaint_due_state, complaint_list
from complaints.services.handling import (
    complaint_answer,
    complaint_assign,
    complaint_close,
    complaint_extend,
    complaint_information_add,
    complaint_request_information,
)
from core.exceptions import ApplicationError
from messaging.models import ContactAction, Message
from portfolio.models import Hold
from tests.complaints.helpers import at, debt_with_email, file_complaint
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import CollectorFactory, ManagerFactory, OfficerFactory

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2026, 12, 4)


@pytest.fixture
def officer(creditor):
    return OfficerFactory(username="officer", creditors=[creditor])


@time_machine.travel(at(FRIDAY, 15), tick=False)
def test_a_complaint_gets_its_number_due_date_hold_and_acknowledgement(
    creditor, officer, django_capture_on_commit_callbacks
):
    debt = debt_with_email(creditor=creditor)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(debt=debt, user=officer)
    assert complaint.number == f"PQR-2026-{int(complaint.number[-6:]):06d}"
    assert (complaint.received_on, complaint.term_code) == (FRIDAY, "CO-1755-GENERAL")
    assert complaint.due_on == datetime.date(2026, 12, 29)
    assert complaint.hold.kind == Hold.Kind.COMPLAINT and complaint.hold.is_open
    ack = complaint.events.get(kind=ComplaintEvent.Kind.ACKNOWLEDGED)
    assert complaint.number in ack.body and "29 de diciembre de 2026" in ack.body
    assert ack.delivered_at is not None
    assert [m.to for m in mail.outbox] == [[ack.sent_to]]
    assert mail.outbox[0].body == ack.body  # kept exactly as sent


def test_a_complaint_stops_the_next_days_planned_contacts_for_the_debt(creditor, officer):
    # given two debts a day into arrears, each due its friendly reminder tomorrow
    day = datetime.date(2026, 12, 1)
    complained = debt_with_email(creditor=creditor, due_date=day - datetime.timedelta(days=1))
    other = debt_with_email(creditor=creditor, due_date=day - datetime.timedelta(days=1))
    # when a complaint is filed on one of them before the cycle runs
    with time_machine.travel(at(day - datetime.timedelta(days=1), 9), tick=False):
        file_complaint(debt=complained, user=officer)
    with time_machine.travel(at(day, 1), tick=False):
        cycle_run_date(business_date=day)
    # then only the other debt's message is planned
    assert ContactAction.objects.filter(debt=other).exists()
    planned = Message.objects.filter(status="planned", business_date=day)
    assert set(planned.values_list("debts", flat=True)) == {other.pk}
    held = Message.objects.filter(debts=complained, business_date=day)
    assert all(m.status == "suppressed" and m.suppression_rule == "ALL-COMPLAINT" for m in held)


def test_answering_lifts_the_hold_and_closing_records_outcome_and_cause(creditor, officer):
    debt = debt_with_email(creditor=creditor)
    complaint = file_complaint(debt=debt, user=officer)
    complaint_assign(complaint=complaint, user=officer, assignee=officer)
    complaint_answer(
        complaint=complaint, user=officer, subject="Respuesta", body="Tiene razón.", template=""
    )
    complaint.refresh_from_db()
    assert complaint.status == "answered" and complaint.answered_on_time is True
    assert not Hold.objects.get(pk=complaint.hold_id).is_open
    complaint_close(complaint=complaint, user=officer, outcome="upheld", root_cause="contact_hours")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.root_cause) == (
        "closed",
        "upheld",
        "contact_hours",
    )
    steps = list(complaint.events.values_list("kind", flat=True))
    assert steps == ["received", "acknowledged", "assigned", "answered", "closed"]
    answer = complaint.events.get(kind="answered")
    assert (answer.actor, answer.body) == (officer, "Tiene razón.")


def test_closing_a_withdrawn_complaint_lifts_the_hold_and_the_bureau_flag(creditor, officer):
    debt = debt_with_email(creditor=creditor)
    complaint = file_complaint(debt=debt, user=officer, kind="bureau_claim")
    assert complaint.bureau_flag and complaint.legend_due_on is not None
    with pytest.raises(ApplicationError, match="answer first"):
        complaint_close(complaint=complaint, user=officer, outcome="rejected", root_cause="other")
    complaint_close(complaint=complaint, user=officer, outcome="withdrawn")
    complaint.refresh_from_db()
    assert not complaint.bureau_flag
    assert Hold.objects.get(pk=complaint.hold_id).outcome == Hold.Outcome.WITHDRAWN


def test_two_complaints_on_one_debt_keep_it_held_until_the_last_is_answered(creditor, officer):
    debt = debt_with_email(creditor=creditor)
    first = file_complaint(debt=debt, user=officer)
    second = file_complaint(debt=debt, user=officer, subject="Otra queja")
    assert second.hold_id is None  # the first one's hold covers the debt
    complaint_answer(complaint=first, user=officer, subject="R", body="Respuesta uno")
    second.refresh_from_db()
    assert second.hold_id == first.hold_id and second.hold.is_open
    complaint_answer(complaint=second, user=officer, subject="R", body="Respuesta dos")
    assert not Hold.objects.filter(debt=debt, closed_at__isnull=True).exists()


def test_a_dispute_holds_the_debt_as_a_dispute(creditor, officer):
    debt = debt_with_email(creditor=creditor, country="US")
    complaint = file_complaint(debt=debt, user=officer, kind="dispute")
    assert complaint.hold.kind == Hold.Kind.DISPUTE
    assert complaint.term_code == "US-VERIFICATION" and complaint.number.startswith("CMP-")


def test_an_extension_is_told_to_the_debtor_before_the_term_ends(creditor, officer):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        complaint = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    # on the last day of the term the extension is still possible, and the debtor is told
    complaint_extend(
        complaint=complaint, user=officer, reason="Esperamos el extracto", as_of=complaint.due_on
    )
    complaint.refresh_from_db()
    assert complaint.extended_due_on == datetime.date(2027, 1, 21)  # 30 business days
    notice = complaint.events.get(kind="extended")
    assert "Esperamos el extracto" in notice.body and "21 de enero de 2027" in notice.body
    assert notice.sent_to.endswith("@example.com")
    with pytest.raises(ApplicationError, match="already been extended"):
        complaint_extend(complaint=complaint, user=officer, reason="otra", as_of=complaint.due_on)


def test_an_extension_after_the_term_ended_is_refused(creditor, officer):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        complaint = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    late = complaint.due_on + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError, match="before the term ends"):
        complaint_extend(complaint=complaint, user=officer, reason="tarde", as_of=late)
    complaint.refresh_from_db()
    assert complaint.extended_due_on is None
    assert not complaint.events.filter(kind="extended").exists()


def test_a_collector_cannot_extend_or_close(creditor, officer):
    collector = CollectorFactory()
    debt = debt_with_email(creditor=creditor, assigned_to=collector)
    complaint = file_complaint(debt=debt, user=collector)
    with pytest.raises(ApplicationError, match="complaints officer"):
        complaint_extend(complaint=complaint, user=collector, reason="x", as_of=FRIDAY)
    with pytest.raises(ApplicationError, match="complaints officer"):
        complaint_close(complaint=complaint, user=collector, outcome="withdrawn")


def test_information_asked_and_received_restarts_the_colombian_term(creditor, officer):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        complaint = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
        complaint_request_information(
            complaint=complaint, user=officer, details="Copia del recibo de pago"
        )
    complaint.refresh_from_db()
    assert complaint.status == "awaiting_info"
    assert "Copia del recibo de pago" in complaint.events.get(kind="info_requested").body
    with time_machine.travel(at(datetime.date(2026, 12, 10), 11), tick=False):
        complaint_information_add(complaint=complaint, text="Adjunto el recibo", by_debtor=True)
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    assert complaint.clock_start_on == datetime.date(2026, 12, 10)
    assert complaint.due_on == datetime.date(2027, 1, 4)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"subject": "  "}, "subject"),
        ({"channel": "regulator"}, "regulator"),
        ({"received_at": timezone.now() + datetime.timedelta(days=2)}, "received_at"),
        ({"attachments": [SimpleUploadedFile("x.exe", b"MZ\x90\x00")]}, "attachments"),
        (
            {"attachments": [SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 5_300_000)]},
            "attachments",
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(creditor, officer, fields, field):
    debt = debt_with_email(creditor=creditor)
    with pytest.raises(ApplicationError) as refused:
        file_complaint(debt=debt, user=officer, **fields)
    assert refused.value.field == field
    assert not Complaint.objects.exists() and not Hold.objects.exists()


def test_a_debt_of_another_debtor_is_refused(creditor, officer):
    from complaints.services.intake import complaint_create

    mine, theirs = debt_with_email(creditor=creditor), debt_with_email(creditor=creditor)
    with pytest.raises(ApplicationError) as refused:
        complaint_create(
            debtor=mine.debtor, debt=theirs, kind="claim", channel="phone", subject="s",
            description="d", user=officer,
        )  # fmt: skip
    assert refused.value.field == "debt"


def test_an_officer_sees_only_their_creditors_complaints(creditor, officer):
    other = CreditorFactory()
    file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    file_complaint(debt=debt_with_email(creditor=other), user=ManagerFactory(creditors=[other]))
    assert [c.creditor_id for c in complaint_list(user=officer)] == [creditor.pk]
    with pytest.raises(ApplicationError):  # and cannot record one for another creditor's debt
        file_complaint(debt=debt_with_email(creditor=other), user=officer)


def test_a_collector_sees_the_complaints_on_their_cases(creditor, officer):
    collector = CollectorFactory()
    mine = file_complaint(
        debt=debt_with_email(creditor=creditor, assigned_to=collector), user=officer
    )
    file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
    assert list(complaint_list(user=collector)) == [mine]


def test_the_queue_puts_the_nearest_due_first_and_flags_what_is_about_to_breach(creditor, officer):
    with time_machine.travel(at(FRIDAY, 15), tick=False):
        general = file_complaint(debt=debt_with_email(creditor=creditor), user=officer)
        documents = file_complaint(
            debt=debt_with_email(creditor=creditor), user=officer, kind="documents"
        )
    assert list(complaint_list(user=officer, filters={"status": "open"})) == [documents, general]
    assert complaint_due_state(documents, as_of=documents.due_on) == ("due_today", 0)
    before = documents.due_on - datetime.timedelta(days=1)
    assert complaint_due_state(documents, as_of=before)[0] == "at_risk"
    after = documents.due_on + datetime.timedelta(days=1)
    assert complaint_due_state(documents, as_of=after)[0] == "overdue"
    assert complaint_due_state(general, as_of=FRIDAY) == ("on_track", 15)


def test_a_complaint_points_at_the_message_that_caused_it_and_only_the_debtors_own(
    creditor, officer
):
    from tests.factories.messaging import make_message

    debt, stranger = debt_with_email(creditor=creditor), debt_with_email(creditor=creditor)
    sent = make_message(debt=debt)
    complaint = file_complaint(debt=debt, user=officer, related_message=sent)
    assert complaint.related_message == sent
    with pytest.raises(ApplicationError) as refused:
        file_complaint(debt=stranger, user=officer, related_message=sent)
    assert refused.value.field == "message"


def test_a_redeco_complaint_is_answered_through_redeco_not_by_e_mail(
    creditor, officer, django_capture_on_commit_callbacks
):
    debt = debt_with_email(creditor=creditor, country="MX")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(
            debt=debt, user=officer, channel="regulator", regulator="redeco",
            regulator_reference="REDECO-2026-1234",
        )  # fmt: skip
        complaint_answer(complaint=complaint, user=officer, subject="Respuesta", body="Procede.")
    assert complaint.term_code == "MX-REDECO"
    steps = complaint.events.filter(kind__in=["acknowledged", "answered"])
    assert {(s.sent_channel, s.sent_to) for s in steps} == {
        ("regulator", "CONDUSEF REDECO (MX) REDECO-2026-1234")
    }
    assert mail.outbox == []
