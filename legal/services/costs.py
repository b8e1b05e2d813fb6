"""The costs and fees ledger of a legal case, and what of it the debtor may be charged.

Rules (docs/legal.md, "Costs and fees", with their sources): only real (approved), documented
(a receipt), proportional (within the creditor's ceiling) and previously disclosed costs may be
charged to the debtor; never pre-legal collection fees on a housing loan; the firm's fees are
the creditor's cost, chargeable only within the same ceiling and disclosure. Every cost keeps
its verdict and the reason (`LegalCost.chargeable_reason`), recomputed for the whole case
whenever one of its inputs changes, in the order the costs were incurred.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.money import quantize
from core.roles import ADMIN, LAWYER, MANAGER, user_role
from legal.models import (
    FEE_KINDS,
    ChargeableReason,
    CostKind,
    CostStatus,
    LegalCase,
    LegalCaseChange,
    LegalCost,
    LegalDocument,
    LegalSettings,
)
from legal.selectors.books import debt_books_as_of
from legal.selectors.cases import cases_for_user
from portfolio.models import Product

HUNDRED = Decimal(100)


def settings_for(creditor) -> LegalSettings:
    """The creditor's legal settings (the defaults, unsaved, when it has none yet)."""
    return LegalSettings.objects.filter(creditor=creditor).first() or LegalSettings(
        creditor=creditor
    )


def handed_over_balance(case: LegalCase) -> Decimal:
    """The balance the books show on the day the debt was handed over."""
    return debt_books_as_of(debt=case.debt, as_of=case.handed_over_on).balance


def chargeable_ceiling(case: LegalCase, rules: LegalSettings | None = None) -> Decimal:
    """The most the debtor may be charged on this case (the creditor's % of what was handed)."""
    rules = rules or settings_for(case.creditor)
    return quantize(handed_over_balance(case) * rules.chargeable_ceiling_pct / HUNDRED)


def _is_pre_legal_fee(cost: LegalCost, case: LegalCase) -> bool:
    # A fee for collecting before the claim was filed is a pre-legal collection fee.
    return cost.kind in FEE_KINDS and (case.filed_on is None or cost.incurred_on < case.filed_on)


def _verdict(cost, *, case, rules, room: Decimal) -> tuple[str, Decimal]:
    """(reason, chargeable part) of one cost, given the room left under the ceiling."""
    if cost.status == CostStatus.REJECTED:
        return ChargeableReason.REJECTED, Decimal(0)
    if cost.status == CostStatus.PENDING_APPROVAL:
        return ChargeableReason.PENDING, Decimal(0)
    if not rules.costs_disclosed:
        return ChargeableReason.NOT_DISCLOSED, Decimal(0)
    if cost.receipt_id is None:
        return ChargeableReason.NO_RECEIPT, Decimal(0)
    if case.debt.product == Product.MORTGAGE and _is_pre_legal_fee(cost, case):
        return ChargeableReason.HOUSING_PRE_LEGAL, Decimal(0)
    part = min(cost.amount, max(room, Decimal(0)))
    if part == cost.amount:
        return ChargeableReason.CHARGEABLE, part
    if part > 0:
        return ChargeableReason.PARTIAL, part
    return ChargeableReason.OVER_CEILING, Decimal(0)


@transaction.atomic
def costs_reassess(*, case: LegalCase) -> list[LegalCost]:
    """Decide again which of the case's costs the debtor may be charged, and why."""
    rules = settings_for(case.creditor)
    ceiling = chargeable_ceiling(case, rules)
    costs = list(
        LegalCost.objects.select_for_update().filter(case=case).order_by("incurred_on", "id")
    )
    # Costs already added to the debt keep their verdict; they use up the ceiling first.
    used = sum((c.chargeable_amount for c in costs if c.charged_on), Decimal(0))
    changed = []
    for cost in costs:
        if cost.charged_on:
            continue
        reason, part = _verdict(cost, case=case, rules=rules, room=ceiling - used)
        used += part
        if (cost.chargeable_reason, cost.chargeable_amount) != (reason, part):
            cost.chargeable_reason = reason
            cost.chargeable_amount = part
            cost.chargeable_to_debtor = part > 0
            changed.append(cost)
    LegalCost.objects.bulk_update(
        changed, ["chargeable_reason", "chargeable_amount", "chargeable_to_debtor"]
    )
    return costs


def _amount(value) -> Decimal:
    # No separators are guessed: "150,5" is 150.5 in Spanish and 1505 in English, so a comma
    # is refused rather than read either way (the forms and the API parse localised input).
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(_("Enter the amount as a number."), field="amount") from exc
    if not amount.is_finite() or amount <= 0:
        raise ApplicationError(_("The amount must be greater than zero."), field="amount")
    if amount != quantize(amount):
        raise ApplicationError(_("The amount has at most two decimals."), field="amount")
    if amount >= Decimal("1e16"):
        raise ApplicationError(_("The amount is too large."), field="amount")
    return amount


def case_locked_for(*, user, case: LegalCase, roles) -> LegalCase:
    """The case, locked, when the user may work it in one of `roles` (else a refusal)."""
    if user_role(user) not in roles:
        raise ApplicationError(_("You may not do this on a legal case."), field="case")
    found = cases_for_user(user).filter(pk=case.pk).select_for_update(of=("self",)).first()
    if found is None:
        raise ApplicationError(_("Unknown legal case."), field="case")
    return found


@transaction.atomic
def cost_record(
    *,
    user,
    case: LegalCase,
    kind: str,
    amount,
    incurred_on: datetime.date,
    description: str,
    receipt: LegalDocument | None = None,
    now: datetime.datetime | None = None,
) -> LegalCost:
    """Record a cost on a case (its lawyer or a manager); approved at once up to the creditor's
    limit, else waiting for a manager."""
    case = case_locked_for(user=user, case=case, roles=(ADMIN, MANAGER, LAWYER))
    if kind not in CostKind.values:
        raise ApplicationError(_("Unknown kind of cost."), field="kind")
    amount = _amount(amount)
    if not isinstance(incurred_on, datetime.date):
        raise ApplicationError(_("Enter the date the cost was incurred."), field="incurred_on")
    now = now or timezone.now()
    if incurred_on > timezone.localdate(now):
        raise ApplicationError(_("A cost cannot be incurred in the future."), field="incurred_on")
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("Describe the cost."), field="description")
    if receipt is not None and (
        receipt.case_id != case.pk or receipt.kind != LegalDocument.Kind.COST_RECEIPT
    ):
        raise ApplicationError(
            _("The receipt must be a cost receipt of this case."), field="receipt"
        )
    rules = settings_for(case.creditor)
    cost = LegalCost(
        case=case,
        kind=kind,
        amount=amount,
        currency=case.debt.currency,
        incurred_on=incurred_on,
        description=description[:255],
        receipt=receipt,
        recorded_by=user,
    )
    if amount <= rules.cost_approval_limit:
        cost.approve()
        cost.decided_at = now
        cost.decision_note = _("Within the creditor's approval limit.")
    cost.save()
    LegalCaseChange.objects.create(
        case=case,
        note=_("Cost recorded: %(kind)s %(amount)s %(currency)s (%(status)s)")
        % {
            "kind": cost.get_kind_display(),
            "amount": cost.amount,
            "currency": cost.currency,
            "status": cost.get_status_display(),
        },
        changed_by=user,
        changed_at=now,
    )
    costs_reassess(case=case)
    cost.refresh_from_db()
    return cost


@transaction.atomic
def cost_decide(
    *, user, cost: LegalCost, approve: bool, note: str, now: datetime.datetime | None = None
) -> LegalCost:
    """A manager of the creditor approves or rejects a cost waiting for approval."""
    case = case_locked_for(user=user, case=cost.case, roles=(ADMIN, MANAGER))
    cost = LegalCost.objects.select_for_update().get(pk=cost.pk, case=case)
    if cost.status != CostStatus.PENDING_APPROVAL:
        raise ApplicationError(_("This cost was already decided."), field="cost")
    note = (note or "").strip()
    if not approve and not note:
        raise ApplicationError(_("Say why the cost is rejected."), field="note")
    now = now or timezone.now()
    cost.approve() if approve else cost.reject()
    cost.decided_by = user
    cost.decided_at = now
    cost.decision_note = note[:2000]
    cost.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    LegalCaseChange.objects.create(
        case=case,
        note=_("Cost %(status)s: %(kind)s %(amount)s %(currency)s. %(note)s")
        % {
            "status": cost.get_status_display(),
            "kind": cost.get_kind_display(),
            "amount": cost.amount,
            "currency": cost.currency,
            "note": note,
        },
        changed_by=user,
        changed_at=now,
    )
    costs_reassess(case=case)
    cost.refresh_from_db()
    return cost


def success_fee_for(case: LegalCase, recovered) -> Decimal:
    """The firm's success fee on what was recovered (the creditor's LegalSettings %)."""
    rules = settings_for(case.creditor)
    return quantize(Decimal(recovered) * rules.success_fee_pct / HUNDRED)


def chargeable_summary(case: LegalCase) -> tuple[Decimal, Decimal, Decimal]:
    """(chargeable to the debtor, the creditor's own cost, the ceiling) of the case's costs,
    rejected costs left out."""
    chargeable = not_chargeable = Decimal(0)
    for amount, part in (
        LegalCost.objects.filter(case=case)
        .exclude(status=CostStatus.REJECTED)
        .values_list("amount", "chargeable_amount")
    ):
        chargeable += part
        not_chargeable += amount - part
    return chargeable, not_chargeable, chargeable_ceiling(case)


def may_edit_settings(*, user, creditor) -> bool:
    role = user_role(user)
    return role == ADMIN or (role == MANAGER and creditor.managers.filter(pk=user.pk).exists())


@transaction.atomic
def legal_settings_update(*, user, creditor, **values) -> LegalSettings:
    """A manager of the creditor changes its legal rules; open cases' costs are decided again."""
    if not may_edit_settings(user=user, creditor=creditor):
        raise ApplicationError(
            _("You may not change this creditor's legal rules."), field="creditor"
        )
    rules, _created = LegalSettings.objects.select_for_update().get_or_create(creditor=creditor)
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()
    for case in LegalCase.objects.filter(creditor=creditor).exclude(state="closed"):
        costs_reassess(case=case)
    return rules
