"""Holds: disputes, cease-contact, deceased and insolvency stop escalation (and contact)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.roles import is_manager
from portfolio.hooks import hold_closing
from portfolio.models import Debt, Hold

# SQL true when a hold in force covers debt `{alias}`: one on the debt, or on its debtor naming
# no debt (the debtor-wide kinds). For set-based readers: the cycle, notices, bureau eligibility.
HOLD_IN_FORCE_SQL = """EXISTS (
    SELECT 1 FROM portfolio_hold h
     WHERE h.closed_at IS NULL
       AND (h.debt_id = {alias}.id OR (h.debt_id IS NULL AND h.debtor_id = {alias}.debtor_id)))"""

# Holds that concern the person, not one obligation: they cover all of the debtor's debts.
DEBTOR_WIDE = {Hold.Kind.CEASE_CONTACT, Hold.Kind.DECEASED, Hold.Kind.INSOLVENCY}


@transaction.atomic
def hold_open(*, debt: Debt, kind: str, reason: str, source: str, user=None) -> Hold:
    """Place a hold. Disputes cover the debt; the other kinds cover every debt of the debtor."""
    if kind not in Hold.Kind.values:
        raise ApplicationError(_("Unknown hold kind %(kind)s.") % {"kind": kind}, field="kind")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the hold is placed."), field="reason")
    if len(reason) > 5000:
        raise ApplicationError(
            _("The reason is too long (5000 characters at most)."), field="reason"
        )
    # Lock the debt so a concurrent cycle or payment sees the hold or runs before it, not both.
    debt = Debt.objects.select_for_update().get(pk=debt.pk)
    if not debt.is_open:
        raise ApplicationError(_("The debt is closed; there is nothing to hold."), field="debt")
    debtor_wide = kind in DEBTOR_WIDE
    existing = Hold.objects.filter(kind=kind, closed_at__isnull=True, debtor_id=debt.debtor_id)
    existing = existing.filter(debt__isnull=True) if debtor_wide else existing.filter(debt=debt)
    if existing.exists():
        raise ApplicationError(_("A hold of this kind is already open."), field="kind")
    try:
        with transaction.atomic():
            return Hold.objects.create(
                debtor_id=debt.debtor_id,
                debt=None if debtor_wide else debt,
                kind=kind,
                reason=reason,
                source=source,
                opened_by=user,
                opened_at=timezone.now(),
            )
    except IntegrityError as exc:  # a concurrent request opened the same hold first
        raise ApplicationError(_("A hold of this kind is already open."), field="kind") from exc


@transaction.atomic
def hold_close(*, hold: Hold, user, outcome: str, note: str = "") -> Hold:
    """A manager ends a hold (resolves a dispute) with an outcome; escalation resumes."""
    if not is_manager(user):
        raise ApplicationError(_("Only a manager may resolve a hold."))
    if outcome not in Hold.Outcome.values:
        raise ApplicationError(
            _("Choose an outcome: %(values)s.") % {"values": ", ".join(Hold.Outcome.values)},
            field="outcome",
        )
    if hold.debt_id:  # the debt first, the order every writer of its records locks in
        Debt.objects.select_for_update().filter(pk=hold.debt_id).values_list("pk").first()
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.is_open:
        hold_closing.call_all(hold=hold, user=user, outcome=outcome, note=note)
        hold.refresh_from_db()
        if not hold.is_open:  # what owned the hold lifted it as it settled its own record
            return hold
    return hold_lift(hold=hold, user=user, outcome=outcome, note=note)


@transaction.atomic
def hold_lift(*, hold: Hold, user, outcome: str, note: str = "") -> Hold:
    """End a hold whose caller already checked who may (a manager, or a complaint's closing)."""
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_open:
        raise ApplicationError(_("This hold is already closed."))
    hold.closed_at = timezone.now()
    hold.closed_by = user
    hold.outcome = outcome
    hold.resolution_note = (note or "").strip()
    hold.save(update_fields=["closed_at", "closed_by", "outcome", "resolution_note"])
    return hold
