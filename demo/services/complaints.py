"""The demo's complaints: open ones about to breach or waiting for the debtor, answered and
closed ones with their root causes, in each country's own terms, so the complaints queue, the
reputation figures and the dashboard card have something to show on the first sign-in.

Written with the models (backdated, as they would have happened), not the services, which
stamp every step with the current time.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.utils.translation import gettext as _

from agreements.models import AgreementDebt, PromiseToPay
from complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from complaints.models.complaint import ComplaintChannel, Outcome, RootCause
from complaints.rules import term_for
from complaints.services import clock
from complaints.texts import text_render
from portfolio.models import Debt, Hold, Task

# Complaints per debt, and the story each one tells: (kind, channel, regulator, days ago,
# status, answered after days or None, root cause).
SHARE = 1 / 120
STORIES = (
    ("complaint", "phone", "", 2, ComplaintStatus.RECEIVED, None, ""),
    ("claim", "portal", "", 19, ComplaintStatus.IN_PROGRESS, None, ""),
    ("complaint", "email", "", 26, ComplaintStatus.IN_PROGRESS, None, ""),
    ("documents", "email", "", 9, ComplaintStatus.AWAITING_INFO, None, ""),
    ("bureau_claim", "letter", "", 4, ComplaintStatus.IN_PROGRESS, None, ""),
    ("complaint", "regulator", "redeco", 6, ComplaintStatus.IN_PROGRESS, None, ""),
    ("complaint", "regulator", "cfpb", 3, ComplaintStatus.RECEIVED, None, ""),
    ("complaint", "phone", "", 40, ComplaintStatus.CLOSED, 8, RootCause.CONTACT_HOURS),
    ("complaint", "portal", "", 70, ComplaintStatus.CLOSED, 21, RootCause.CONTACT_FREQUENCY),
    ("claim", "email", "", 55, ComplaintStatus.CLOSED, 11, RootCause.WRONG_AMOUNT),
    ("claim", "portal", "", 95, ComplaintStatus.CLOSED, 6, RootCause.PAYMENT_NOT_APPLIED),
    ("query", "phone", "", 30, ComplaintStatus.ANSWERED, 14, ""),
    ("dispute", "portal", "", 25, ComplaintStatus.CLOSED, 18, RootCause.NOT_THE_DEBTOR),
)
OUTCOMES = (Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.REJECTED, Outcome.INFORMED)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(15), tzinfo=UTC)


def _numbers(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval('complaint_number_seq') FROM generate_series(1, %s)", [count]
        )
        return [row[0] for row in cursor.fetchall()]


def demo_complaints(*, debts: list[Debt], users: dict, as_of: date, seed: int) -> int:
    """Seed the demo's complaints around `as_of`; returns how many."""
    rng = random.Random(seed + 18)
    # Not the debts the collectors' queues are built on (promises, agreements, callbacks): a
    # complaint's hold would move them out of the tier the demo put them in.
    worked = {
        *PromiseToPay.objects.values_list("debt_id", flat=True),
        *AgreementDebt.objects.values_list("debt_id", flat=True),
        *Task.objects.values_list("debt_id", flat=True),
    }
    open_debts = [d for d in debts if d.is_open and d.pk not in worked]
    count = min(len(open_debts), max(len(STORIES), round(len(debts) * SHARE)))
    chosen = rng.sample(open_debts, count)
    officer = users.get("quejas")
    numbers = iter(_numbers(count))
    complaints = []
    for i, debt in enumerate(chosen):
        story = STORIES[i % len(STORIES)]
        kind, channel, regulator, days_ago, status, answered_after, cause = story
        debtor = debt.debtor
        if regulator == "redeco" or regulator == "cfpb":
            country = "MX" if regulator == "redeco" else "US"
            if debtor.country != country:
                regulator, channel = "", ComplaintChannel.PHONE
        received_on = as_of - timedelta(days=days_ago + rng.randint(0, 3))
        term = term_for(country=debtor.country, kind=kind, regulator=regulator)
        answered_on = received_on + timedelta(days=answered_after) if answered_after else None
        prefix = "CMP" if debtor.country == "US" else "PQR"
        complaints.append(
            Complaint(
                number=f"{prefix}-{received_on.year}-{next(numbers):06d}",
                creditor_id=debt.creditor_id,
                debtor=debtor,
                debt=debt,
                kind=kind,
                channel=channel,
                regulator=regulator,
                regulator_reference=f"{regulator.upper()}-{rng.randint(10000, 99999)}"
                if regulator
                else "",
                country=debtor.country,
                language=debtor.language,
                subject=_("Demo complaint about the collection of %(ref)s")
                % {"ref": debt.debt_ref},
                description=_("Written for the demo: the debtor's account of what happened."),
                received_at=_at(received_on),
                received_on=received_on,
                term_code=term.code,
                clock_start_on=received_on,
                due_on=clock.due_on(term, received_on=received_on, country=debtor.country),
                status=status,
                assigned_to=officer if status != ComplaintStatus.RECEIVED else None,
                bureau_flag=kind == "bureau_claim" and status != ComplaintStatus.CLOSED,
                legend_due_on=clock.legend_due_on(
                    term, received_on=received_on, country=debtor.country
                ),
                answered_at=_at(answered_on) if answered_on else None,
                answered_on=answered_on,
                closed_at=_at(answered_on + timedelta(days=2))
                if status == ComplaintStatus.CLOSED
                else None,
                outcome=rng.choice(OUTCOMES) if status == ComplaintStatus.CLOSED else "",
                root_cause=cause,
            )
        )
    Complaint.objects.bulk_create(complaints)
    holds, events = [], []
    for complaint in complaints:
        if complaint.is_open:
            holds.append(
                Hold(
                    debtor_id=complaint.debtor_id,
                    debt_id=complaint.debt_id,
                    kind=Hold.Kind.DISPUTE if complaint.kind == "dispute" else Hold.Kind.COMPLAINT,
                    reason=f"{complaint.number}: {complaint.subject}",
                    source=Hold.Source.COMPLAINT,
                    opened_at=complaint.received_at,
                )
            )
        subject, body = text_render("acknowledgement", complaint)
        events += [
            ComplaintEvent(
                complaint=complaint,
                kind=ComplaintEvent.Kind.RECEIVED,
                occurred_at=complaint.received_at,
                params={"channel": complaint.channel, "term": complaint.term_code},
            ),
            ComplaintEvent(
                complaint=complaint,
                kind=ComplaintEvent.Kind.ACKNOWLEDGED,
                occurred_at=complaint.received_at,
                sent_channel="portal",
                subject=subject,
                body=body,
                template="acknowledgement",
            ),
        ]
        if complaint.answered_at:
            subject, body = text_render(
                "answer_information",
                complaint,
                details=_("We reviewed the account and the contacts made; this is what we found."),
            )
            events.append(
                ComplaintEvent(
                    complaint=complaint,
                    kind=ComplaintEvent.Kind.ANSWERED,
                    actor=officer,
                    occurred_at=complaint.answered_at,
                    sent_channel="portal",
                    subject=subject,
                    body=body,
                    template="answer_information",
                )
            )
        if complaint.closed_at:
            events.append(
                ComplaintEvent(
                    complaint=complaint,
                    kind=ComplaintEvent.Kind.CLOSED,
                    actor=officer,
                    occurred_at=complaint.closed_at,
                    params={"outcome": complaint.outcome, "root_cause": complaint.root_cause},
                )
            )
    # One open hold per debt and kind (two stories may land on one debt's debtor, not its debt).
    Hold.objects.bulk_create(holds, ignore_conflicts=True)
    opened = Hold.objects.filter(
        source=Hold.Source.COMPLAINT, closed_at__isnull=True, debt_id__in=[d.pk for d in chosen]
    )
    opened = {(h.debt_id, h.kind): h.pk for h in opened}
    for complaint in complaints:
        kind = Hold.Kind.DISPUTE if complaint.kind == "dispute" else Hold.Kind.COMPLAINT
        complaint.hold_id = opened.get((complaint.debt_id, kind)) if complaint.is_open else None
    Complaint.objects.bulk_update(complaints, ["hold"])
    ComplaintEvent.objects.bulk_create(events)
    return len(complaints)
