"""Reads of the costs ledger, scoped through the cases a user may see."""

from django.db.models import QuerySet

from core.roles import ADMIN, LAWYER, MANAGER, user_role
from legal.forms.costs import CostForm, SettlementForm
from legal.models import CostStatus, LegalCase, LegalCost
from legal.selectors.cases import cases_for_user
from legal.services.costs import chargeable_summary, settings_for
from portfolio.models import Creditor


def costs_pending_for(user) -> QuerySet[LegalCost]:
    """Costs waiting for approval on the cases of the user's creditors (managers, admins)."""
    if user_role(user) not in (ADMIN, MANAGER):
        return LegalCost.objects.none()
    return (
        LegalCost.objects.filter(
            status=CostStatus.PENDING_APPROVAL, case__in=cases_for_user(user).values("pk")
        )
        .select_related("case", "case__debt", "case__creditor", "case__firm", "recorded_by")
        .order_by("case__creditor__name", "incurred_on", "id")
    )


def settings_creditors_for(user) -> QuerySet[Creditor]:
    """The creditors whose legal rules the user may edit."""
    role = user_role(user)
    if role == ADMIN:
        return Creditor.objects.order_by("name")
    if role == MANAGER:
        return Creditor.objects.filter(managers=user).order_by("name")
    return Creditor.objects.none()


def case_costs_context(*, case: LegalCase, user, form=None) -> dict:
    """What the case page's costs section shows: the costs, totals, what the user may do."""
    role = user_role(user)
    costs = list(
        LegalCost.objects.filter(case=case).select_related("receipt", "recorded_by", "decided_by")
    )
    chargeable, not_chargeable, ceiling = chargeable_summary(case)
    rules = settings_for(case.creditor)
    return {
        "costs": costs,
        "currency": case.debt.currency,
        "total": sum((c.amount for c in costs if c.status != CostStatus.REJECTED), 0),
        "chargeable": chargeable,
        "not_chargeable": not_chargeable,
        "ceiling": ceiling,
        "rules": rules,
        "may_record": role in (ADMIN, MANAGER, LAWYER) and case.state != "closed",
        "may_decide": role in (ADMIN, MANAGER),
        "form": form or CostForm(),
        "may_settle": role in (ADMIN, MANAGER) and case.state != "closed",
        "settlement_form": SettlementForm(prefix="settle"),
    }
