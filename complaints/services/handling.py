"""Working a complaint: assign, ask the debtor, extend, answer (kept as sent), close."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintEvent
from complaints.models.complaint import ComplaintStatus, Outcome, RootCause
from complaints.rules import term_by_code
from complaints.services import clock
from complaints.services.common import (
    TEXT_MAX,
    attachments_add,
    choice_clean,
    complaint_lock,
    hold_release,
    local_date,
    may_see_debtor,
    require_handler,
    require_open,
    step_record,
    step_send,
    text_clean,
)
from complaints.texts import TEMPLATES, text_render
from core.exceptions import ApplicationError
from core.roles import handles_complaints, user_role


@transaction.atomic
def complaint_assign(*, complaint: Complaint, user, assignee) -> Complaint:
    """Give the complaint to someone who may see it (a collector may take it themselves)."""
    complaint = complaint_lock(complaint)
    require_open(complaint)
    if not handles_complaints(user) and assignee != user:
        raise ApplicationError(
            _("Only a complaints officer or a manager may assign to someone else."),
            field="assignee",
        )
    if user_role(assignee) is None or not may_see_debtor(
        assignee, complaint.debtor, complaint.debt
    ):
        raise ApplicationError(_("That person cannot see this complaint."), field="assignee")
    previous = complaint.assigned_to_id
    complaint.assigned_to = assignee
    fields = ["assigned_to", "updated_at"]
    if complaint.status == ComplaintStatus.RECEIVED:
        complaint.start()
        fields.append("status")
    complaint.save(update_fields=fields)
    step_record(
        complaint,
        ComplaintEvent.Kind.ASSIGNED,
        user=user,
        params={"from": previous, "to": assignee.pk, "to_name": assignee.get_username()},
    )
    return complaint


@transaction.atomic
def complaint_request_information(*, complaint: Complaint, user, details: str) -> Complaint:
    """Ask the debtor for what is missing; the answer comes back through the portal or staff."""
    complaint = complaint_lock(complaint)
    require_open(complaint)
    details = text_clean(details, field="details", limit=TEXT_MAX, label=_("information needed"))
    if complaint.status == ComplaintStatus.AWAITING_INFO:
        raise ApplicationError(_("The debtor has already been asked and has not answered yet."))
    complaint.wait_for_debtor()
    complaint.save(update_fields=["status", "updated_at"])
    subject, body = text_render("info_request", complaint, details=details)
    step_send(
        complaint,
        ComplaintEvent.Kind.INFO_REQUESTED,
        subject=subject,
        body=body,
        template="info_request",
        user=user,
    )
    return complaint


@transaction.atomic
def complaint_information_add(
    *, complaint: Complaint, text: str, attachments=(), user=None, by_debtor: bool = False
) -> Complaint:
    """The debtor's further information (or staff recording it); restarts the term where the
    law says so (Ley 1755 art. 17)."""
    complaint = complaint_lock(complaint)
    require_open(complaint)
    text = text_clean(text, field="text", limit=TEXT_MAX, label=_("text"))
    now = timezone.now()
    attachments_add(complaint, attachments, user=user, by_debtor=by_debtor, now=now)
    params = {}
    fields = ["updated_at"]
    if complaint.status == ComplaintStatus.AWAITING_INFO:
        complaint.resume()
        fields.append("status")
        term = term_by_code(complaint.term_code)
        if term.restarts_on_information:
            today = local_date(now, debtor=complaint.debtor)
            params = {"due_before": complaint.answer_due_on.isoformat()}
            complaint.clock_start_on = today
            complaint.due_on = clock.due_on(term, received_on=today, country=complaint.country)
            complaint.extended_due_on = None
            params["due_after"] = complaint.due_on.isoformat()
            fields += ["clock_start_on", "due_on", "extended_due_on"]
    complaint.save(update_fields=fields)
    step_record(
        complaint,
        ComplaintEvent.Kind.INFO_RECEIVED,
        user=user,
        by_debtor=by_debtor,
        now=now,
        body=text,
        params=params,
    )
    return complaint


@transaction.atomic
def complaint_extend(*, complaint: Complaint, user, reason: str, as_of: datetime.date) -> Complaint:
    """Extend the term, telling the debtor why and the new date, before the term ends."""
    require_handler(user)
    complaint = complaint_lock(complaint)
    require_open(complaint)
    reason = text_clean(reason, field="reason", limit=TEXT_MAX, label=_("reason"))
    term = term_by_code(complaint.term_code)
    if not term.extension_days:
        raise ApplicationError(_("This kind of complaint's term cannot be extended."))
    if complaint.extended_due_on is not None:
        raise ApplicationError(_("The term has already been extended once."))
    if as_of > complaint.due_on:
        raise ApplicationError(
            _(
                "The term ended on %(due)s: an extension must be told to the debtor before the "
                "term ends. Answer now."
            )
            % {"due": complaint.due_on.isoformat()},
            field="reason",
        )
    new_due = clock.extended_due_on(
        term, received_on=complaint.clock_start_on, country=complaint.country
    )
    complaint.extended_due_on = new_due
    complaint.extension_reason = reason
    complaint.extended_at = timezone.now()
    complaint.save(
        update_fields=["extended_due_on", "extension_reason", "extended_at", "updated_at"]
    )
    subject, body = text_render("extension", complaint, details=reason, new_due=new_due)
    step_send(
        complaint,
        ComplaintEvent.Kind.EXTENDED,
        subject=subject,
        body=body,
        template="extension",
        user=user,
        params={"due_before": complaint.due_on.isoformat(), "due_after": new_due.isoformat()},
    )
    return complaint


def complaint_draft(*, complaint: Complaint, template: str, details: str = "") -> tuple[str, str]:
    """The (subject, body) a template gives for this complaint, for staff to edit and send."""
    if template not in TEMPLATES:
        raise ApplicationError(
            _("Unknown template %(code)s.") % {"code": template}, field="template"
        )
    return text_render(template, complaint, details=details)


@transaction.atomic
def complaint_answer(
    *, complaint: Complaint, user, subject: str, body: str, template: str = ""
) -> Complaint:
    """Send the answer (kept as sent); the debt's contact hold ends with it."""
    complaint = complaint_lock(complaint)
    require_open(complaint)
    if template and template not in TEMPLATES:
        raise ApplicationError(
            _("Unknown template %(code)s.") % {"code": template}, field="template"
        )
    subject = text_clean(subject, field="subject", limit=255, label=_("subject"))
    body = text_clean(body, field="body", limit=TEXT_MAX * 2, label=_("answer"))
    now = timezone.now()
    complaint.answer()
    complaint.answered_at = now
    complaint.answered_on = local_date(now, debtor=complaint.debtor)
    complaint.save(update_fields=["status", "answered_at", "answered_on", "updated_at"])
    step_send(
        complaint,
        ComplaintEvent.Kind.ANSWERED,
        subject=subject,
        body=body,
        template=template,
        user=user,
        now=now,
        params={"on_time": complaint.answered_on_time},
    )
    hold_release(complaint, user=user)
    return complaint


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, user, outcome: str, root_cause: str = "", note: str = ""
) -> Complaint:
    """Close with an outcome and a root cause; lifts the hold and the bureau flag it set."""
    require_handler(user)
    complaint = complaint_lock(complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        raise ApplicationError(_("This complaint is already closed."))
    outcome = choice_clean(outcome, Outcome, field="outcome")
    if outcome != Outcome.WITHDRAWN and complaint.status != ComplaintStatus.ANSWERED:
        raise ApplicationError(
            _("Send the answer first, or close it as withdrawn by the debtor."), field="outcome"
        )
    root_cause = choice_clean(
        root_cause, RootCause, field="root_cause", blank=outcome == Outcome.WITHDRAWN
    )
    note = (note or "").strip()[:TEXT_MAX]
    complaint.close()
    complaint.closed_at = timezone.now()
    complaint.outcome = outcome
    complaint.root_cause = root_cause
    complaint.closing_note = note
    complaint.bureau_flag = False
    complaint.save(
        update_fields=[
            "status",
            "closed_at",
            "outcome",
            "root_cause",
            "closing_note",
            "bureau_flag",
            "updated_at",
        ]
    )
    hold_release(complaint, user=user, outcome=outcome, note=note)
    step_record(
        complaint,
        ComplaintEvent.Kind.CLOSED,
        user=user,
        body=note,
        params={"outcome": outcome, "root_cause": root_cause},
    )
    return complaint
