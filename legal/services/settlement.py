"""Settling in legal: an agreement through the agreements engine with what the debtor may be
charged added, and the case closed by itself when the debt is paid or the agreement completes.

The closing runs from hooks the lower apps fire (collections_app.hooks.payments_applied,
agreements.hooks.agreement_completed), registered in legal.apps; it is idempotent, so a replayed
payment or a second completion changes nothing.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import PaymentAgreement
from agreements.services.lifecycle import agreement_create
from core.exceptions import ApplicationError
from core.money import format_money
from core.roles import ADMIN, MANAGER
from ledger.models import EntryKind
from ledger.services.entries import entry_post
from legal.models import CaseOutcome, CaseState, LegalCase, LegalCaseChange, LegalCost
from legal.services.costs import case_locked_for, costs_reassess, success_fee_for
from portfolio.models import OPEN_STAGES, Debt, Stage


def _charge_costs(*, case: LegalCase, as_of: datetime.date) -> list[LegalCost]:
    """Add the chargeable part of the case's costs not yet charged to the debt's fees (once)."""
    costs = [
        c for c in costs_reassess(case=case) if c.chargeable_amount > 0 and c.charged_on is None
    ]
    if not costs:
        return []
    debt = Debt.objects.select_for_update().get(pk=case.debt_id)
    total = sum((c.chargeable_amount for c in costs), Decimal(0))
    entry_post(
        debt=debt,
        kind=EntryKind.COST,
        posted_on=as_of,
        fees=total,
        source_id=case.pk,
        memo=_("Legal case %(case)s: %(count)s costs") % {"case": case.pk, "count": len(costs)},
    )
    debt.fees += total
    debt.balance += total
    debt.save(update_fields=["fees", "balance", "updated_at"])
    for cost in costs:
        cost.charged_on = as_of
    LegalCost.objects.bulk_update(costs, ["charged_on"])
    case.debt = debt
    return costs


def _terms_note(*, case, costs, agreed_total, notes: str) -> str:
    currency = case.debt.currency
    lines = [_("Settlement of legal case %(case)s.") % {"case": case}]
    if costs:
        lines.append(_("Costs and fees charged to the debtor (added to the debt's fees):"))
        lines += [
            f"- {c.get_kind_display()} {c.incurred_on.isoformat()}: {c.description} "
            f"{format_money(c.chargeable_amount, currency)}"
            for c in costs
        ]
        total = sum((c.chargeable_amount for c in costs), Decimal(0))
        lines.append(_("Total charged: %(total)s") % {"total": format_money(total, currency)})
    else:
        lines.append(_("No costs or fees are charged to the debtor."))
    if agreed_total is not None:
        lines.append(
            _("Firm's success fee on this settlement (the creditor's cost): %(fee)s")
            % {"fee": format_money(success_fee_for(case, agreed_total), currency)}
        )
    if notes.strip():
        lines.append(notes.strip())
    return "\n".join(lines)


@transaction.atomic
def settlement_propose(
    *,
    user,
    case: LegalCase,
    as_of: datetime.date,
    first_due_date: datetime.date,
    kind: str = PaymentAgreement.Kind.SETTLEMENT,
    instalment_count: int = 1,
    frequency: str = PaymentAgreement.Frequency.MONTHLY,
    agreed_total=None,
    discount_pct=None,
    down_payment=None,
    notes: str = "",
) -> PaymentAgreement:
    """A manager proposes an agreement on the case's debt: the costs and fees chargeable to the
    debtor are added to its fees first, and stated in the agreement's note."""
    # The debt before the case, as a payment does (the books lock it, then the hook closes
    # the case): the same order both ways, so a settlement and a payment never deadlock.
    Debt.objects.select_for_update().filter(pk=case.debt_id).first()
    case = case_locked_for(user=user, case=case, roles=(ADMIN, MANAGER))
    if case.state == CaseState.CLOSED:
        raise ApplicationError(_("The case is closed."), field="case")
    costs = _charge_costs(case=case, as_of=as_of)
    total_for_note = agreed_total if agreed_total not in (None, "") else case.debt.balance
    agreement = agreement_create(
        user=user,
        debt_ids=[case.debt_id],
        as_of=as_of,
        notes=_terms_note(case=case, costs=costs, agreed_total=total_for_note, notes=notes),
        kind=kind,
        instalment_count=instalment_count,
        frequency=frequency,
        first_due_date=first_due_date,
        agreed_total=agreed_total,
        discount_pct=discount_pct,
        down_payment=down_payment,
    )
    LegalCaseChange.objects.create(
        case=case,
        note=_("Settlement proposed: agreement #%(id)s for %(total)s (%(status)s).")
        % {
            "id": agreement.pk,
            "total": format_money(agreement.agreed_total, agreement.currency),
            "status": agreement.get_status_display(),
        },
        changed_by=user,
        changed_at=timezone.now(),
    )
    return agreement


def cases_close_for_debts(*, debt_ids, as_of: datetime.date, outcome: str | None = None) -> list:
    """Close the open cases of these debts once the debt is no longer owed: `paid` when paid in
    full, `settled` when settled (or `outcome` when given). Idempotent."""
    closed_stages = {Stage.PAID: CaseOutcome.PAID, Stage.SETTLED: CaseOutcome.SETTLED}
    cases = list(
        LegalCase.objects.select_for_update(of=("self",))
        .select_related("debt")
        .filter(debt_id__in=list(debt_ids), debt__stage__in=list(closed_stages))
        .exclude(state=CaseState.CLOSED)
        .order_by("pk")
    )
    now = timezone.now()
    for case in cases:
        case_outcome = outcome or closed_stages[case.debt.stage]
        from_state = case.state
        case.close()
        case.outcome = case_outcome
        case.closed_on = as_of
        case.save(update_fields=["state", "outcome", "closed_on", "updated_at"])
        LegalCaseChange.objects.create(
            case=case,
            from_state=from_state,
            to_state=CaseState.CLOSED,
            transition="close",
            note=(
                _("Closed by itself: the debt was paid in full.")
                if case_outcome == CaseOutcome.PAID
                else _("Closed by itself: the settlement was completed.")
            ),
            changed_by=None,
            changed_at=now,
        )
    return cases


def on_payments_applied(*, debt_ids, business_date: datetime.date, **_kwargs) -> None:
    """collections_app.hooks.payments_applied: a debt paid in full closes its case as paid."""
    cases_close_for_debts(debt_ids=debt_ids, as_of=business_date)


def on_agreement_completed(*, agreement, debt_ids, as_of: datetime.date, **_kwargs) -> None:
    """agreements.hooks.agreement_completed: a completed agreement closes the case settled."""
    cases_close_for_debts(debt_ids=debt_ids, as_of=as_of, outcome=CaseOutcome.SETTLED)


def cases_reopen_for_debts(*, debt_ids, as_of: datetime.date) -> list:
    """Reopen the cases closed by themselves as paid or settled whose debt is owed again (its
    payment was reversed), at the step they had reached; the newest case per debt. Idempotent."""
    reopened = []
    now = timezone.now()
    for debt_id in sorted(set(debt_ids)):
        case = (
            LegalCase.objects.select_for_update(of=("self",))
            .filter(debt_id=debt_id, debt__stage__in=list(OPEN_STAGES))
            .order_by("-pk")
            .first()
        )
        if (
            case is None
            or case.state != CaseState.CLOSED
            or case.outcome not in (CaseOutcome.PAID, CaseOutcome.SETTLED)
        ):
            continue
        closing = (
            case.changes.filter(to_state=CaseState.CLOSED).order_by("-changed_at", "-pk").first()
        )
        if closing is None or not closing.from_state:
            continue
        case.reopen(closing.from_state)
        case.outcome = ""
        case.closed_on = None
        case.save(update_fields=["state", "outcome", "closed_on", "updated_at"])
        LegalCaseChange.objects.create(
            case=case,
            from_state=CaseState.CLOSED,
            to_state=case.state,
            transition="reopen",
            note=_("Reopened by itself: the payment that closed it was reversed."),
            changed_by=None,
            changed_at=now,
        )
        reopened.append(case)
    return reopened


def on_payment_reversed(*, debt_ids, business_date: datetime.date, **_kwargs) -> None:
    """collections_app.hooks.payment_reversed: a case closed as paid or settled reopens."""
    cases_reopen_for_debts(debt_ids=debt_ids, as_of=business_date)
