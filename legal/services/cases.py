"""Working a legal case: updating its court details and moving it along the court's steps.

A lawyer of the case's firm or a manager of its creditor may (admins too); every change is a
LegalCaseChange with who and why. The caller passes the business date (`as_of`).
"""

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.exceptions import ApplicationError
from core.roles import ADMIN, LAWYER, MANAGER, user_role
from legal.models import (
    CASE_TRANSITIONS,
    CaseOutcome,
    CaseState,
    CourtDeposit,
    LegalCase,
    LegalCaseChange,
    PrecautionaryMeasure,
)

# The fields a case update may touch (the state and the hand-off are not among them).
UPDATABLE_FIELDS = (
    "court",
    "court_city",
    "case_number",
    "filed_on",
    "payment_order_on",
    "next_action",
    "next_action_on",
    "next_hearing_on",
)
# What each step needs, beyond the reason.
TRANSITION_FIELDS = {
    "file": ("case_number", "filed_on"),
    "order_payment": ("payment_order_on",),
    "close": ("outcome",),
}
RADICADO_DIGITS = 23
CASE_NUMBER_MAX = 40
# The text fields' lengths (the model's) and the longest reason, for the API's serializers.
TEXT_LIMITS = {"court": 200, "court_city": 120, "next_action": 255}
NOTE_MAX = 2000


def case_may_work(*, user, case: LegalCase) -> bool:
    """A lawyer of the case's (active) firm, a manager of its creditor, or an admin."""
    role = user_role(user)
    if role == ADMIN:
        return True
    if role == MANAGER:
        return user.managed_creditors.filter(pk=case.creditor_id).exists()
    if role == LAWYER:
        return case.firm.is_active and case.firm.lawyers.filter(pk=user.pk).exists()
    return False


def case_number_clean(*, country: str, value: str) -> str:
    """The case number as stored: in Colombia the radicado's 23 digits (spaces and dashes
    allowed when typed); elsewhere free text up to 40 characters."""
    value = (value or "").strip()
    if not value:
        return ""
    if country == "CO":
        compact = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(rf"\d{{{RADICADO_DIGITS}}}", compact):
            raise ApplicationError(
                _("A Colombian case number (radicado) has exactly 23 digits."),
                field="case_number",
            )
        return compact
    if len(value) > CASE_NUMBER_MAX:
        raise ApplicationError(_("The case number has at most 40 characters."), field="case_number")
    return value


def _check_may_work(*, user, case):
    if not case_may_work(user=user, case=case):
        raise ApplicationError(_("You may not work this case."), extra={"status": 403})


def _clean_fields(case, fields: dict) -> dict:
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = dict(fields)
    if "case_number" in cleaned:
        cleaned["case_number"] = case_number_clean(
            country=case.creditor.country, value=cleaned["case_number"]
        )
    for name in ("court", "court_city", "next_action"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


def _describe(case, changed: dict) -> str:
    """The changed fields as the history's text, in the writer's language (dates as people
    write them there: 08/04/2026 in Spanish, not 2026-04-08)."""
    parts = []
    for name, value in changed.items():
        label = LegalCase._meta.get_field(name).verbose_name
        if isinstance(value, datetime.date):
            value = date_format(value, "SHORT_DATE_FORMAT")
        parts.append(f"{label}: {value if value not in (None, '') else '—'}")
    return "; ".join(parts)


def _locked(case) -> LegalCase:
    return LegalCase.objects.select_for_update().select_related("creditor", "firm").get(pk=case.pk)


@transaction.atomic
def case_update(*, user, case: LegalCase, note: str = "", now=None, **fields) -> LegalCase:
    """Change the case's court details, next action and dates; records what changed."""
    _check_may_work(user=user, case=case)
    locked = _locked(case)
    if locked.state == CaseState.CLOSED:
        raise ApplicationError(
            _("The case is closed: it is no longer updated."), extra={"status": 409}
        )
    cleaned = _clean_fields(locked, fields)
    changed = {k: v for k, v in cleaned.items() if getattr(locked, k) != v}
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*changed, "updated_at"])
    summary = _describe(locked, changed)
    LegalCaseChange.objects.create(
        case=locked,
        note=f"{note.strip()}\n{summary}".strip() if note.strip() else summary,
        changed_by=user,
        changed_at=now or timezone.now(),
    )
    return locked


@transaction.atomic
def case_transition(
    *,
    user,
    case: LegalCase,
    transition: str,
    note: str,
    as_of: datetime.date,
    now=None,
    outcome: str = "",
    **fields,
) -> LegalCase:
    """Move the case one court step (`transition` from CASE_TRANSITIONS) with a reason and the
    fields the step needs; nothing changes when the step is not possible now."""
    _check_may_work(user=user, case=case)
    if transition not in CASE_TRANSITIONS:
        raise ApplicationError(_("Unknown step."), field="transition")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say why: the reason is required."), field="note")
    locked = _locked(case)
    method = getattr(locked, transition)
    if not can_proceed(method):
        raise ApplicationError(
            _("The step “%(step)s” is not possible while the case is “%(state)s”.")
            % {"step": transition, "state": locked.get_state_display()},
            field="transition",
        )
    cleaned = _clean_fields(locked, {k: v for k, v in fields.items() if v not in (None, "")})
    needed = TRANSITION_FIELDS.get(transition, ())
    values = {**cleaned, "outcome": outcome}
    for name in needed:
        # A value set earlier by an update counts (e.g. the case number typed in beforehand).
        if values.get(name) in (None, "") and getattr(locked, name, None) in (None, ""):
            label = (
                LegalCase._meta.get_field(name).verbose_name if name != "outcome" else _("outcome")
            )
            raise ApplicationError(
                _("This step needs the %(field)s.") % {"field": label}, field=name
            )
    if transition == "close" and outcome not in CaseOutcome.values:
        raise ApplicationError(_("Choose how the case ended."), field="outcome")
    for date_field in ("filed_on", "payment_order_on"):
        if cleaned.get(date_field) and cleaned[date_field] > as_of:
            raise ApplicationError(_("The date cannot be in the future."), field=date_field)
    from_state = locked.state
    method()
    update_fields = ["state", "updated_at", *cleaned]
    for name, value in cleaned.items():
        setattr(locked, name, value)
    if transition == "close":
        locked.outcome = outcome
        locked.closed_on = as_of
        update_fields += ["outcome", "closed_on"]
    locked.save(update_fields=update_fields)
    details = _describe(locked, cleaned)
    if transition == "close":
        details = "; ".join(
            filter(None, [f"{_('outcome')}: {locked.get_outcome_display()}", details])
        )
    LegalCaseChange.objects.create(
        case=locked,
        from_state=from_state,
        to_state=locked.state,
        transition=transition,
        note=f"{note}\n{details}".strip(),
        changed_by=user,
        changed_at=now or timezone.now(),
    )
    return locked


def case_transitions_available(case: LegalCase) -> list[str]:
    """The steps the case may take now, in the court's order."""
    if case.state == CaseState.CLOSED:
        return []
    return [name for name in CASE_TRANSITIONS if can_proceed(getattr(case, name))]


def _money_check(amount, currency, *, required: bool):
    if amount is None:
        if required:
            raise ApplicationError(_("Enter the amount."), field="amount")
        return
    if amount <= 0:
        raise ApplicationError(_("The amount must be greater than zero."), field="amount")
    if not currency:
        raise ApplicationError(_("An amount needs its currency."), field="currency")


MEASURE_FIELDS = ("asset", "description", "amount", "currency", "status", "decreed_on", "served_on")
DEPOSIT_FIELDS = ("amount", "currency", "received_on", "reference", "note")


@transaction.atomic
def measure_save(
    *, user, case: LegalCase, measure: PrecautionaryMeasure | None = None, now=None, **fields
) -> PrecautionaryMeasure:
    """Add a precautionary measure to the case, or change one of its measures."""
    _check_may_work(user=user, case=case)
    if measure is not None and measure.case_id != case.pk:
        raise ApplicationError(_("That measure is not on this case."))
    fields = {k: v for k, v in fields.items() if k in MEASURE_FIELDS}
    # A partial change keeps the amount it does not mention; an amount always has a currency.
    amount = fields.get("amount", measure.amount if measure else None)
    currency = fields.get("currency", measure.currency if measure else "")
    fields["currency"] = (currency or case.debt.currency) if amount is not None else ""
    _money_check(amount, fields["currency"], required=False)
    created = measure is None
    measure = measure or PrecautionaryMeasure(case=case)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.save()
    LegalCaseChange.objects.create(
        case=case,
        note=(_("Measure added: %(measure)s") if created else _("Measure updated: %(measure)s"))
        % {"measure": f"{measure} ({measure.get_status_display()})"},
        changed_by=user,
        changed_at=now or timezone.now(),
    )
    return measure


@transaction.atomic
def deposit_save(
    *, user, case: LegalCase, deposit: CourtDeposit | None = None, now=None, **fields
) -> CourtDeposit:
    """Record a deposit the court received for the case, or correct one."""
    _check_may_work(user=user, case=case)
    if deposit is not None and deposit.case_id != case.pk:
        raise ApplicationError(_("That deposit is not on this case."))
    fields = {k: v for k, v in fields.items() if k in DEPOSIT_FIELDS}
    fields["currency"] = fields.get("currency") or case.debt.currency
    _money_check(fields.get("amount"), fields["currency"], required=True)
    created = deposit is None
    deposit = deposit or CourtDeposit(case=case)
    for name, value in fields.items():
        setattr(deposit, name, value if value is not None else "")
    deposit.save()
    label = deposit.reference or deposit.received_on
    LegalCaseChange.objects.create(
        case=case,
        note=(
            _("Court deposit recorded: %(deposit)s")
            if created
            else _("Court deposit corrected: %(deposit)s")
        )
        % {"deposit": f"{deposit.amount} {deposit.currency} ({label})"},
        changed_by=user,
        changed_at=now or timezone.now(),
    )
    return deposit
