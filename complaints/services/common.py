"""What receiving and working a complaint share: validation, steps on record, holds, delivery.

An open complaint about a debt holds it for collection contact (a `complaint` hold; a dispute
or a request for the original creditor holds it as a `dispute`) until it is answered; a claim
about bureau data flags the debt for credit reporting until the complaint is closed. Closing
lifts what the complaint set, and nothing it did not set.
"""

import datetime

from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent, ComplaintKind
from complaints.models.complaint import (
    OPEN_STATUSES,
    Outcome,
    Regulator,
)
from core.exceptions import ApplicationError
from core.roles import handles_complaints
from core.scoping import scope_for_user
from core.uploads import CONTENT_TYPES, upload_suffix, upload_validate
from messaging.services.compliance.timeutil import zone
from portfolio.models import Channel, ContactPoint, Debt, Debtor, Hold
from portfolio.services.holds import hold_lift, hold_open

SUBJECT_MAX = 200
TEXT_MAX = 10_000
ATTACHMENTS_MAX = 5
# A complaint received "now" may carry a clock a few minutes ahead of ours.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)
DISPUTE_KINDS = (ComplaintKind.DISPUTE, ComplaintKind.ORIGINAL_CREDITOR)
BUREAU_KINDS = (ComplaintKind.BUREAU_CLAIM,)
HOLD_OUTCOMES = {
    Outcome.UPHELD: Hold.Outcome.UPHELD,
    Outcome.PARTLY_UPHELD: Hold.Outcome.UPHELD,
    Outcome.REJECTED: Hold.Outcome.REJECTED,
    Outcome.WITHDRAWN: Hold.Outcome.WITHDRAWN,
}


def local_date(moment: datetime.datetime, *, debtor: Debtor) -> datetime.date:
    """The date of `moment` where the debtor lives (the day the law counts from)."""
    tz = zone(debtor.timezone) or timezone.get_current_timezone()
    return moment.astimezone(tz).date()


def text_clean(value, *, field: str, limit: int, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(_("Fill in: %(label)s.") % {"label": label}, field=field)
    if len(value) > limit:
        raise ApplicationError(
            _("Too long: %(label)s (%(limit)s characters at most).")
            % {"label": label, "limit": limit},
            field=field,
        )
    return value


def choice_clean(value, choices, *, field: str, blank: bool = False) -> str:
    value = value or ""
    if (blank and value == "") or value in choices.values:
        return value
    raise ApplicationError(
        _("Choose one of: %(values)s.") % {"values": ", ".join(v for v in choices.values if v)},
        field=field,
    )


def may_see_debtor(user, debtor: Debtor, debt: Debt | None) -> bool:
    if debt is not None:
        debts = scope_for_user(Debt.objects.filter(pk=debt.pk), user=user, collector="assigned_to")
        return debts.exists()
    debtors = scope_for_user(
        Debtor.objects.filter(pk=debtor.pk), user=user, collector="debts__assigned_to"
    )
    return debtors.exists()


def number_next(country: str, year: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('complaint_number_seq')")
        (value,) = cursor.fetchone()
    prefix = "CMP" if country == "US" else "PQR"
    return f"{prefix}-{year}-{value:06d}"


# Complaints a regulator runs through its own portal: every answer goes back through it.
REGULATOR_PORTALS = (Regulator.REDECO, Regulator.CFPB)
THROUGH_REGULATOR = "regulator"


def recipient(complaint: Complaint) -> tuple[str, str]:
    """Where what we send goes: back through the regulator's portal (REDECO, CFPB), else the
    debtor's e-mail, else their postal address, else the portal."""
    if complaint.regulator in REGULATOR_PORTALS:
        reference = f" {complaint.regulator_reference}" if complaint.regulator_reference else ""
        return THROUGH_REGULATOR, f"{complaint.get_regulator_display()}{reference}"[:255]
    point = (
        ContactPoint.objects.filter(debtor_id=complaint.debtor_id, channel=Channel.EMAIL)
        .order_by("-is_primary", "id")
        .first()
    )
    if point is not None:
        return Channel.EMAIL, point.value
    debtor = complaint.debtor
    if debtor.address_line:
        address = ", ".join(p for p in (debtor.address_line, debtor.city, debtor.region) if p)
        return Channel.LETTER, address[:255]
    return "portal", ""


def step_record(
    complaint, kind, *, user=None, by_debtor=False, now=None, **fields
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=user if user is not None and user.is_authenticated else None,
        by_debtor=by_debtor,
        occurred_at=now or timezone.now(),
        **fields,
    )


def step_send(complaint, kind, *, subject, body, template="", user=None, now=None, params=None):
    """Record what goes to the debtor, as sent, and deliver it once the transaction commits."""
    channel, to = recipient(complaint)
    event = step_record(
        complaint,
        kind,
        user=user,
        now=now,
        sent_channel=channel,
        sent_to=to,
        subject=subject,
        body=body,
        template=template,
        params=params or {},
    )
    if channel == Channel.EMAIL:
        from complaints.tasks import complaint_event_deliver_task

        complaint_event_deliver_task.delay_on_commit(event.pk)
    return event


def attachments_add(complaint, attachments, *, user=None, by_debtor=False, now=None):
    attachments = [a for a in (attachments or ()) if a]
    existing = complaint.attachments.count() if complaint.pk else 0
    if existing + len(attachments) > ATTACHMENTS_MAX:
        raise ApplicationError(
            _("Attach %(count)s files at most.") % {"count": ATTACHMENTS_MAX}, field="attachments"
        )
    for upload in attachments:
        upload_validate(upload, field="attachments")
    for upload in attachments:
        ComplaintAttachment.objects.create(
            complaint=complaint,
            file=upload,
            name=upload.name[:255],
            content_type=CONTENT_TYPES[upload_suffix(upload.name)],
            size=upload.size,
            by_debtor=by_debtor,
            uploaded_by=user if user is not None and user.is_authenticated else None,
            uploaded_at=now or timezone.now(),
        )


def hold_set(complaint: Complaint, *, user) -> None:
    """Hold the debt for contact (unless a hold of that kind is already open on it)."""
    debt = complaint.debt
    if debt is None or not debt.is_open:
        return
    kind = Hold.Kind.DISPUTE if complaint.kind in DISPUTE_KINDS else Hold.Kind.COMPLAINT
    if Hold.objects.filter(debt=debt, kind=kind, closed_at__isnull=True).exists():
        return
    complaint.hold = hold_open(
        debt=debt,
        kind=kind,
        reason=f"{complaint.number}: {complaint.subject}"[:5000],
        source=Hold.Source.COMPLAINT,
        user=user if user is not None and user.is_authenticated else None,
    )


def hold_release(complaint: Complaint, *, user, outcome: str = "", note: str = "") -> None:
    """Lift the hold this complaint set, or hand it to another open complaint that needs it."""
    if complaint.hold_id is None:
        return
    hold = Hold.objects.select_for_update().get(pk=complaint.hold_id)
    if not hold.is_open:
        return
    heirs = Complaint.objects.select_for_update().filter(
        debt_id=complaint.debt_id, status__in=OPEN_STATUSES, hold__isnull=True
    )
    if hold.kind == Hold.Kind.DISPUTE:
        heirs = heirs.filter(kind__in=DISPUTE_KINDS)
    else:
        heirs = heirs.exclude(kind__in=DISPUTE_KINDS)
    heir = heirs.exclude(pk=complaint.pk).order_by("pk").first()
    if heir is not None:
        heir.hold = hold
        heir.save(update_fields=["hold", "updated_at"])
        return
    hold_lift(
        hold=hold,
        user=user if user is not None and user.is_authenticated else None,
        outcome=HOLD_OUTCOMES.get(outcome, Hold.Outcome.LIFTED),
        note=note or complaint.number,
    )


def complaint_lock(complaint: Complaint) -> Complaint:
    # Debt first, then the complaint: the order every writer of a debt's records takes.
    if complaint.debt_id:
        Debt.objects.select_for_update().filter(pk=complaint.debt_id).values_list("pk").first()
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("debtor", "creditor", "debt")
        .get(pk=complaint.pk)
    )


def require_open(complaint: Complaint) -> None:
    if not complaint.is_open:
        raise ApplicationError(
            _("Complaint %(number)s is %(status)s: nothing more can be done on it.")
            % {"number": complaint.number, "status": complaint.get_status_display().lower()}
        )


def require_handler(user) -> None:
    if not handles_complaints(user):
        raise ApplicationError(
            _("Only a complaints officer or a manager may do this."), extra={"status": 403}
        )


@transaction.atomic
def complaint_event_deliver(*, event_id: int) -> bool | None:
    """E-mail what a step sent, once: True when sent now, None when there is nothing to send
    (already delivered, not an e-mail), False when the provider refused (the error is kept)."""
    event = ComplaintEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None or event.delivered_at is not None or event.sent_channel != Channel.EMAIL:
        return None
    try:
        EmailMessage(subject=event.subject, body=event.body, to=[event.sent_to]).send()
    except Exception as exc:  # any provider failure is kept, and the task retries
        event.delivery_error = str(exc)[:2000] or exc.__class__.__name__
        event.save(update_fields=["delivery_error"])
        return False
    event.delivered_at = timezone.now()
    event.delivery_error = ""
    event.save(update_fields=["delivered_at", "delivery_error"])
    return True
