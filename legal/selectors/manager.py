"""Reads of the manager's legal pages: firms, debts waiting for a hand-off, every case."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.scoping import scope_for_user
from legal.models import OPEN_CASE_STATES, LawFirm, LegalCase
from legal.selectors.cases import cases_for_user, firms_for_user
from legal.services.prescription import prescription_annotate
from portfolio.models import Debt, Stage


def firm_list(*, user, filters: dict) -> QuerySet[LawFirm]:
    """The firms the user keeps (a manager: those their creditors retain), with counts."""
    firms = firms_for_user(user).annotate(
        lawyer_count=Count("lawyers", distinct=True),
        open_cases=Count("cases", filter=Q(cases__state__in=OPEN_CASE_STATES), distinct=True),
    )
    if q := filters.get("q"):
        firms = firms.filter(Q(name__icontains=q) | Q(tax_id__icontains=q) | Q(city__icontains=q))
    if filters.get("active") == "yes":
        firms = firms.filter(is_active=True)
    elif filters.get("active") == "no":
        firms = firms.filter(is_active=False)
    return firms.prefetch_related("creditors").order_by("name", "id")


def firm_get(*, user, pk: int) -> LawFirm:
    """One firm the user keeps (LawFirm.DoesNotExist otherwise: a 404)."""
    return firms_for_user(user).get(pk=pk)


def handoff_candidates(*, user, as_of: datetime.date, filters: dict) -> QuerySet[Debt]:
    """Debts in `legal` of the user's creditors without an open case, nearest prescription
    first (`prescribes_on`, computed in the same query)."""
    open_case = LegalCase.objects.filter(debt=OuterRef("pk"), state__in=OPEN_CASE_STATES)
    debts = scope_for_user(
        Debt.objects.filter(stage=Stage.LEGAL).exclude(Exists(open_case)), user=user
    ).select_related("debtor", "creditor")
    if creditor := filters.get("creditor"):
        debts = debts.filter(creditor=creditor)
    if product := filters.get("product"):
        debts = debts.filter(product=product)
    if q := filters.get("q"):
        debts = debts.filter(
            Q(debt_ref__icontains=q)
            | Q(debtor__full_name__icontains=q)
            | Q(debtor__document_number=q)
        )
    debts = prescription_annotate(debts, as_of=as_of)
    months = filters.get("within_months")
    if months is not None:
        debts = debts.filter(prescribes_on__lte=as_of + relativedelta(months=months))
    return debts.order_by("prescribes_on", "id")


def manager_cases(*, user, filters: dict) -> QuerySet[LegalCase]:
    """Every case of the user's creditors, filtered; most recently handed over first."""
    cases = cases_for_user(user)
    if firm := filters.get("firm"):
        cases = cases.filter(firm=firm)
    if state := filters.get("state"):
        cases = cases.filter(state=state)
    if creditor := filters.get("creditor"):
        cases = cases.filter(creditor=creditor)
    if q := filters.get("q"):
        cases = cases.filter(
            Q(case_number__icontains=q)
            | Q(debt__debt_ref__icontains=q)
            | Q(debt__debtor__full_name__icontains=q)
            | Q(debt__debtor__document_number=q)
        )
    return cases.order_by("-handed_over_on", "-id")
