"""Stage changes people ask for (legal, write-off), checked against the escalation policy.

The moves and their records are portfolio.services.stages (one writer for every path).
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, Count, DateField, F, Min, Q, When
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from collections_app.selectors import policy_version_for_debt
from core.dates import days_past_due
from core.exceptions import ApplicationError
from ledger.models import WriteOffReason
from ledger.services.corrections import write_off_record
from messaging.models import Message
from messaging.services.compliance.certified import certified_q
from portfolio.models import Debt, Stage, StageChange
from portfolio.selectors import open_holds_for_debt
from portfolio.services.stages import stage_change_record

# Transitions a person may ask for through the UI or the API. The others belong to the cycle
# (days past due) or to the ledger (paid).
MANUAL_TRANSITIONS = ("escalate_to_legal", "write_off")
REASON_REQUIRED = {"write_off", "escalate_to_legal"}


@dataclass
class LegalCheck:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    # When only time stands in the way (days past due, days since the pre-legal notice), the
    # first business date on which the debt may go to legal; None when it may now, or when
    # something else (stage, balance, hold, no notice sent) must change first.
    eligible_from: datetime.date | None = None


def legal_check(*, debt: Debt, as_of: datetime.date) -> LegalCheck:
    """Whether the policy lets this debt enter `legal` on `as_of`, and if not, why not and,
    when only waiting is needed, from which date."""
    reasons: list[str] = []
    waits: list[datetime.date] = []  # dates that lift a time condition
    blocked = False  # a condition waiting does not lift
    version = policy_version_for_debt(debt=debt)
    if version is None:
        return LegalCheck(False, [_("No escalation policy applies to this debt.")])
    if debt.stage != Stage.PRE_LEGAL:
        reasons.append(_("Only a debt in pre-legal can go to legal."))
        blocked = True
    dpd = days_past_due(due_date=debt.due_date, as_of=as_of) - version.grace_days
    if dpd < version.legal_dpd:
        reasons.append(
            _("It is %(dpd)s days past due; the policy requires %(min)s.")
            % {"dpd": dpd, "min": version.legal_dpd}
        )
        waits.append(
            debt.due_date + datetime.timedelta(days=version.grace_days + version.legal_dpd)
        )
    if debt.balance < version.legal_min_balance:
        reasons.append(
            _("The balance %(balance)s is below the policy minimum of %(min)s.")
            % {"balance": debt.balance, "min": version.legal_min_balance}
        )
        blocked = True
    # The notice counts once it was actually sent (an outbox message), not merely planned;
    # the first one sent starts the count. A certified letter (the certified-notice rule)
    # counts only with its proof of receipt, from the day of receipt.
    certified = certified_q()
    notices = Message.objects.filter(
        covered__debt=debt,
        stage=Stage.PRE_LEGAL,
        channel__in=("email", "letter"),
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
    ).aggregate(
        first=Min(
            Case(
                When(certified, then=F("letter_proof__received_on")),
                default=F("business_date"),
                output_field=DateField(),
            )
        ),
        unproved=Count("id", filter=certified & Q(letter_proof__isnull=True)),
    )
    first_notice = notices["first"]
    notice_from = (
        first_notice + datetime.timedelta(days=version.legal_notice_days) if first_notice else None
    )
    if notice_from is None or notice_from > as_of:
        reasons.append(
            _("A pre-legal notice must have been sent at least %(days)s days before.")
            % {"days": version.legal_notice_days}
        )
        if notices["unproved"]:
            reasons.append(
                _(
                    "The pre-legal letter went by certified mail: it counts from the day of "
                    "receipt on its proof, which has not been recorded yet."
                )
            )
        if notice_from is None:
            blocked = True
        else:
            waits.append(notice_from)
    if debt.is_time_barred(as_of):
        # Reg F 12 CFR 1006.26(b): never sue, nor threaten to sue, on a time-barred debt.
        reasons.append(
            _(
                "The debt is time-barred: the limitation period of %(state)s has run out, so "
                "it can never go to legal (US-TIMEBARRED)."
            )
            % {"state": debt.debtor.region or debt.debtor.country}
        )
        blocked = True
    if open_holds_for_debt(debt=debt).exists():
        reasons.append(_("The debt is on hold."))
        blocked = True
    eligible_from = max(waits) if waits and not blocked else None
    return LegalCheck(not reasons, reasons, eligible_from)


def _may(bound_method, user) -> bool:
    # django_fsm.has_transition_perm also evaluates the conditions; here only the permission
    # is asked, so "not allowed yet" and "not yours to do" get their own messages.
    meta = bound_method._django_fsm
    debt = bound_method.__self__
    return meta.has_transition_perm(debt, debt.stage, user)


def available_transitions(*, debt: Debt, user, as_of: datetime.date) -> list[dict]:
    """The manual transitions of this debt, each with whether the user may run it and why not."""
    debt._legal_check = legal_check(debt=debt, as_of=as_of)
    result = []
    for name in MANUAL_TRANSITIONS:
        method = getattr(debt, name)
        meta = method._django_fsm
        if not meta.has_transition(debt.stage):
            continue
        reasons = []
        if not _may(method, user):
            reasons.append(_("Only a manager may do this."))
        if name == "escalate_to_legal":
            reasons.extend(debt._legal_check.reasons)
        result.append(
            {
                "transition": name,
                "target": meta.get_transition(debt.stage).target,
                "allowed": not reasons,
                "reasons": reasons,
                "reason_required": name in REASON_REQUIRED,
                # What the form offers to say why, as codes (a write-off's reason).
                "reason_codes": (
                    [{"code": c, "label": str(label)} for c, label in WriteOffReason.choices]
                    if name == "write_off"
                    else []
                ),
            }
        )
    return result


@transaction.atomic
def debt_transition(
    *,
    debt: Debt,
    transition_name: str,
    user,
    as_of: datetime.date,
    reason: str = "",
    write_off_reason: str = "",
) -> StageChange:
    """Run a manual transition (legal, write-off) after checking permission and policy.

    A write-off needs its reason code (`write_off_reason`, a WriteOffReason) besides the note
    (`reason`), and records what the creditor takes off its books (ledger.models.WriteOff).
    """
    if transition_name not in MANUAL_TRANSITIONS:
        raise ApplicationError(
            _("Unknown transition %(name)s.") % {"name": transition_name}, field="transition"
        )
    reason = (reason or "").strip()
    if transition_name in REASON_REQUIRED and not reason:
        raise ApplicationError(_("Say why: a reason is required."), field="reason")
    write_off_reason = (write_off_reason or "").strip()
    if transition_name == "write_off" and write_off_reason not in WriteOffReason.values:
        raise ApplicationError(_("Choose the reason for the write-off."), field="write_off_reason")
    debt = Debt.objects.select_for_update().get(pk=debt.pk)
    method = getattr(debt, transition_name)
    if not method._django_fsm.has_transition(debt.stage):
        raise ApplicationError(
            _("A debt in %(stage)s cannot do that.") % {"stage": debt.get_stage_display()},
            field="transition",
        )
    if not _may(method, user):
        raise ApplicationError(_("Only a manager may do this."), field="transition")
    if transition_name == "escalate_to_legal":
        debt._legal_check = legal_check(debt=debt, as_of=as_of)
        if not debt._legal_check.allowed:
            raise ApplicationError(" ".join(debt._legal_check.reasons), field="transition")
    if not can_proceed(method):
        raise ApplicationError(_("This transition is not possible now."), field="transition")
    from_stage = debt.stage
    method()
    if transition_name == "write_off":
        # The debt keeps its components: the debtor still owes them (a payment is a recovery).
        write_off_record(
            debt=debt, reason=write_off_reason, note=reason, business_date=as_of, user=user
        )
    return stage_change_record(
        debt=debt,
        from_stage=from_stage,
        transition_name=transition_name,
        actor=user,
        as_of=as_of,
        reason=reason,
        policy_version_id=getattr(policy_version_for_debt(debt=debt), "pk", None),
    )
