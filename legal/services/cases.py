"""Working a legal case: updating its court details and moving it through the court's steps.

Both writes check who may (a lawyer of the case's firm, a manager of its creditor, an admin),
lock the case row, validate the fields, save only what changed and record a LegalCaseChange
with who and why. The case page and the API call these two functions and nothing else.
"""

import datetime
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from core.exceptions import ApplicationError
from core.roles import ADMIN, LAWYER, MANAGER, user_role
from legal.models import CASE_TRANSITIONS, CaseOutcome, CaseState, LegalCase, LegalCaseChange

# Digits of a court case number per country (Colombia's radicado: 23, Código General del
# Proceso / CSJ Acuerdo 201 de 1997). Countries not listed take the number as written.
CASE_NUMBER_DIGITS = {"CO": 23}
CASE_NUMBER_MAX = 40

# What `case_update` may change.
CASE_EDITABLE_FIELDS = (
    "court",
    "court_city",
    "case_number",
    "next_action",
    "next_action_on",
    "next_hearing_on",
)
TEXT_LIMITS = {"court": 200, "court_city": 120, "next_action": 255}
# The fields each step needs (every one required); a step not listed needs only its note.
TRANSITION_FIELDS = {
    "file": ("case_number", "filed_on"),
    "order_payment": ("payment_order_on",),
    "close": ("outcome",),
}
NOTE_MAX = 2000
# A hearing or next action further out than this is a typing mistake.
PLANNING_DAYS_MAX = 3 * 366


def case_number_clean(value: str, *, country: str) -> str:
    """The case number as stored: for a country with a fixed format, its digits only
    (spaces and dashes removed); ApplicationError on `case_number` when it is not one."""
    value = (value or "").strip()
    digits = CASE_NUMBER_DIGITS.get(country)
    if digits is None:
        if len(value) > CASE_NUMBER_MAX:
            raise ApplicationError(
                _("A case number has at most %(n)d characters.") % {"n": CASE_NUMBER_MAX},
                field="case_number",
            )
        return value
    compact = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(rf"[0-9]{{{digits}}}", compact):
        raise ApplicationError(
            _("The case number (radicado) must have exactly %(n)d digits.") % {"n": digits},
            field="case_number",
        )
    return compact


def case_may_work(*, user, case: LegalCase) -> bool:
    """A lawyer of the case's firm, a manager of its creditor, or an admin."""
    role = user_role(user)
    if role == ADMIN:
        return True
    if role == LAWYER:
        return case.firm.is_active and case.firm.lawyers.filter(pk=user.pk).exists()
    if role == MANAGER:
        return case.creditor.managers.filter(pk=user.pk).exists()
    return False


def _require_worker(user, case: LegalCase) -> None:
    if not case_may_work(user=user, case=case):
        raise ApplicationError(
            _("Only a lawyer of the case's firm or a manager of its creditor may do this."),
            extra={"status": 403},
        )


def _locked(case: LegalCase) -> LegalCase:
    # A fresh row under lock: the state field is protected, so it is never refreshed in place.
    return LegalCase.objects.select_for_update().select_related("debt", "firm").get(pk=case.pk)


def _text(name: str, value) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ApplicationError(_("Enter text."), field=name)
    value = value.strip()
    if len(value) > TEXT_LIMITS[name]:
        raise ApplicationError(
            _("At most %(n)d characters.") % {"n": TEXT_LIMITS[name]}, field=name
        )
    return value


def _date(name: str, value, *, earliest=None, latest=None, required=False):
    if value in (None, ""):
        if required:
            raise ApplicationError(_("This date is required."), field=name)
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ApplicationError(_("Enter a valid date."), field=name)
    if earliest is not None and value < earliest:
        raise ApplicationError(
            _("The date cannot be before %(date)s.") % {"date": earliest.isoformat()}, field=name
        )
    if latest is not None and value > latest:
        raise ApplicationError(
            _("The date cannot be after %(date)s.") % {"date": latest.isoformat()}, field=name
        )
    return value


def _clean_updates(case: LegalCase, fields: dict, *, as_of: datetime.date) -> dict:
    unknown = set(fields) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise ApplicationError(_("This field cannot be changed here."), field=name)
    horizon = as_of + datetime.timedelta(days=PLANNING_DAYS_MAX)
    cleaned = {}
    for name, value in fields.items():
        if name == "case_number":
            cleaned[name] = case_number_clean(value, country=case.firm.country) if value else ""
        elif name in TEXT_LIMITS:
            cleaned[name] = _text(name, value)
        else:  # the planning dates: from the hand-off to a few years ahead
            cleaned[name] = _date(name, value, earliest=case.handed_over_on, latest=horizon)
    return cleaned


def _record(*, case, user, now, note, transition="", from_state="", to_state=""):
    LegalCaseChange.objects.create(
        case=case,
        from_state=from_state,
        to_state=to_state,
        transition=transition,
        note=note,
        changed_by=user,
        changed_at=now,
    )


@transaction.atomic
def case_update(*, user, case: LegalCase, **fields) -> LegalCase:
    """Change the case's court details and plan (CASE_EDITABLE_FIELDS); returns the case as
    saved. Nothing changed writes nothing."""
    _require_worker(user, case)
    case = _locked(case)
    if case.state == CaseState.CLOSED:
        raise ApplicationError(
            _("The case is closed: it cannot be changed."), extra={"status": 409}
        )
    now = timezone.now()
    cleaned = _clean_updates(case, fields, as_of=timezone.localdate(now))
    changed = [name for name, value in cleaned.items() if getattr(case, name) != value]
    if not changed:
        return case
    for name in changed:
        setattr(case, name, cleaned[name])
    case.save(update_fields=[*changed, "updated_at"])
    labels = ", ".join(str(LegalCase._meta.get_field(name).verbose_name) for name in changed)
    _record(case=case, user=user, now=now, note=_("Updated: %(fields)s.") % {"fields": labels})
    return case


def _clean_step_fields(case, transition, fields, *, as_of) -> dict:
    needed = TRANSITION_FIELDS.get(transition, ())
    # A form may send every step's fields: an empty one another step needs is no error.
    fields = {k: v for k, v in fields.items() if k in needed or v not in (None, "")}
    unknown = set(fields) - set(needed)
    if unknown:
        raise ApplicationError(_("This step does not take this field."), field=sorted(unknown)[0])
    for name in needed:
        if fields.get(name) in (None, ""):
            raise ApplicationError(_("This step needs this field."), field=name)
    cleaned = {}
    if transition == "file":
        cleaned["case_number"] = case_number_clean(fields["case_number"], country=case.firm.country)
        cleaned["filed_on"] = _date(
            "filed_on", fields["filed_on"], earliest=case.handed_over_on, latest=as_of
        )
    elif transition == "order_payment":
        cleaned["payment_order_on"] = _date(
            "payment_order_on",
            fields["payment_order_on"],
            earliest=case.filed_on or case.handed_over_on,
            latest=as_of,
        )
    elif transition == "close":
        if fields["outcome"] not in CaseOutcome.values:
            raise ApplicationError(_("Choose an outcome."), field="outcome")
        cleaned["outcome"] = fields["outcome"]
        cleaned["closed_on"] = as_of
    return cleaned


@transaction.atomic
def case_transition(
    *, user, case: LegalCase, transition: str, note: str, as_of: datetime.date, **fields
) -> LegalCase:
    """Move the case one court step (a name in CASE_TRANSITIONS) with the fields the step needs
    (file: case_number, filed_on; order_payment: payment_order_on; close: outcome) and why;
    returns the case as saved."""
    _require_worker(user, case)
    if transition not in CASE_TRANSITIONS:
        raise ApplicationError(_("Unknown step."), field="transition")
    note = (note or "").strip() if isinstance(note, str) or note is None else None
    if note is None:
        raise ApplicationError(_("Enter text."), field="note")
    if not note:
        raise ApplicationError(_("Say why (a note is required)."), field="note")
    if len(note) > NOTE_MAX:
        raise ApplicationError(_("At most %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    case = _locked(case)
    method = getattr(case, transition)
    if not can_proceed(method):
        raise ApplicationError(
            _("The step “%(step)s” is not allowed while the case is “%(state)s”.")
            % {"step": transition, "state": case.get_state_display()},
            field="transition",
        )
    cleaned = _clean_step_fields(case, transition, fields, as_of=as_of)
    from_state = case.state
    method()
    for name, value in cleaned.items():
        setattr(case, name, value)
    case.save(update_fields=["state", *cleaned, "updated_at"])
    _record(
        case=case,
        user=user,
        now=timezone.now(),
        note=note,
        transition=transition,
        from_state=from_state,
        to_state=case.state,
    )
    return case
