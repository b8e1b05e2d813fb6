"""What the debtor asks for: disputes (a dispute complaint + collector task), preferences,
call-backs."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintKind
from complaints.models.complaint import OPEN_STATUSES, ComplaintChannel
from complaints.services.common import DISPUTE_KINDS
from complaints.services.intake import complaint_create
from core.exceptions import ApplicationError
from core.formatting import format_date
from messaging.services.optout import consent_revoke
from portal.models import ContactPreference, Dispute
from portfolio.models import ConsentEvent, ConsentSource, ContactPoint, Debt, Hold, Task
from portfolio.services.tasks import task_create


@transaction.atomic
def dispute_file(*, debt: Debt, reason: str, text: str = "", attachment=None) -> Dispute:
    """File the debtor's dispute as a dispute complaint (its due date, acknowledgement and the
    hold it opens on the debt) and give the debt's collector a task to review it."""
    label = dict(Dispute.Reason.choices).get(reason)
    if label is None:
        raise ApplicationError(_("Choose a reason."), field="reason")
    open_dispute = Complaint.objects.filter(
        debt=debt, kind__in=DISPUTE_KINDS, status__in=OPEN_STATUSES
    ).first()
    if open_dispute is not None:
        raise ApplicationError(
            _("This debt is already under dispute (%(number)s): we will answer that one first.")
            % {"number": open_dispute.number}
        )
    if debt.holds.filter(kind=Hold.Kind.DISPUTE, closed_at__isnull=True).exists():
        raise ApplicationError(_("This debt is already under dispute: we are reviewing it."))
    text = (text or "").strip()
    summary = f"{label}. {text}".strip()
    complaint = complaint_create(
        debtor=debt.debtor,
        debt=debt,
        kind=ComplaintKind.DISPUTE,
        channel=ComplaintChannel.PORTAL,
        subject=str(label),
        description=text or str(label),
        attachments=[attachment] if attachment else [],
        by_debtor=True,
    )
    dispute = Dispute.objects.create(
        debt=debt,
        hold=complaint.hold,
        complaint=complaint,
        reason=reason,
        text=text,
        attachment=attachment or "",
    )
    task_create(
        debt=debt,
        kind=Task.Kind.REVIEW_DISPUTE,
        title=_("Review the dispute filed in the portal"),
        due_at=timezone.now() + datetime.timedelta(days=1),
        note=f"{complaint.number}: {summary}"[:2000],
        source_key=f"portal-dispute:{dispute.pk}",
    )
    return dispute


def dispute_status(dispute: Dispute) -> str:
    complaint = dispute.complaint
    if complaint is not None:
        if complaint.is_open:
            return _("Under review: we will answer by %(date)s.") % {
                "date": format_date(complaint.answer_due_on)
            }
        return _("Answered: see request %(number)s.") % {"number": complaint.number}
    hold = dispute.hold
    if hold is None or not hold.is_open:
        outcome = hold.get_outcome_display() if hold else ""
        return _("Resolved: %(outcome)s") % {"outcome": outcome}
    return _("Under review: collection of this debt is paused meanwhile.")


@transaction.atomic
def consent_grant(*, debtor_id: int, channel: str) -> int:
    """The debtor allows a channel again on their contact points (recorded as history)."""
    now = timezone.now()
    changed = 0
    points = ContactPoint.objects.select_for_update().filter(
        debtor_id=debtor_id, channel=channel, consent_granted=False
    )
    for point in points.order_by("id"):
        point.consent_granted = True
        point.consent_changed_at = now
        point.consent_source = ConsentSource.DEBTOR
        point.save(
            update_fields=["consent_granted", "consent_changed_at", "consent_source", "updated_at"]
        )
        ConsentEvent.objects.create(
            contact_point=point, granted=True, occurred_at=now, source=ConsentSource.DEBTOR,
            note="portal",
        )  # fmt: skip
        changed += 1
    return changed


def preferences_channels(debtor_id: int) -> list[tuple[str, str, bool]]:
    """(channel, label, allowed) of each channel the debtor has a contact point on."""
    from portal.forms import PREFERENCE_CHANNELS

    rows: dict[str, bool] = {}
    for channel, granted in ContactPoint.objects.filter(
        debtor_id=debtor_id, channel__in=[c.value for c in PREFERENCE_CHANNELS]
    ).values_list("channel", "consent_granted"):
        rows[channel] = rows.get(channel, False) or granted
    return [(c.value, c.label, rows[c.value]) for c in PREFERENCE_CHANNELS if c.value in rows]


@transaction.atomic
def preferences_save(*, debtor_id: int, allowed: dict[str, bool], hours) -> dict:
    """Apply channel choices (an opt-out stops planned messages at once) and preferred hours."""
    current = {c: a for c, _label, a in preferences_channels(debtor_id)}
    suppressed = 0
    for channel, allow in allowed.items():
        if channel not in current or current[channel] == allow:
            continue
        if allow:
            consent_grant(debtor_id=debtor_id, channel=channel)
        else:
            suppressed += consent_revoke(
                debtor_id=debtor_id, channel=channel, note="debtor portal: preferences"
            )
    start, end = hours
    ContactPreference.objects.update_or_create(
        debtor_id=debtor_id, defaults={"preferred_from": start, "preferred_to": end}
    )
    return {"suppressed": suppressed}


def callback_request(*, debt: Debt, when: datetime.datetime, note: str = "") -> Task:
    """A collector task to call the debtor back at the time they chose."""
    now = timezone.now()
    if when < now:
        raise ApplicationError(_("Choose a time in the future."), field="when")
    if when > now + datetime.timedelta(days=30):
        raise ApplicationError(_("Choose a time within the next 30 days."), field="when")
    task, _created = task_create(
        debt=debt,
        kind=Task.Kind.CALLBACK,
        title=_("Call back requested in the portal"),
        due_at=when,
        note=(note or "")[:500],
        source_key=f"portal-callback:{debt.pk}:{when.isoformat()}",
    )
    return task
