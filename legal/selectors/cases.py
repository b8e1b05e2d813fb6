"""Who sees which legal cases: admins every case, managers their creditors', lawyers the cases
handed to their law firms, anyone else none. Everything hanging off a case (its documents,
costs, measures, deposits, downloads) is reached through `cases_for_user`, so another firm's case
is a 404, never a 403 that confirms it exists."""

from django.db.models import QuerySet

from core.roles import ADMIN, LAWYER, MANAGER, user_role
from legal.models import LawFirm, LegalCase


def cases_for_user(user) -> QuerySet[LegalCase]:
    cases = LegalCase.objects.select_related("debt", "debt__debtor", "creditor", "firm", "lawyer")
    role = user_role(user)
    if role == ADMIN:
        return cases
    if role == MANAGER:
        return cases.filter(creditor__managers=user)
    if role == LAWYER:
        return cases.filter(firm__lawyers=user, firm__is_active=True)
    return cases.none()


def case_get(*, user, pk: int) -> LegalCase:
    """One case the user may see (LegalCase.DoesNotExist otherwise: a 404)."""
    return cases_for_user(user).get(pk=pk)


def firms_for_user(user) -> QuerySet[LawFirm]:
    """The firms a manager may hand over to (those retained by their creditors), every firm
    for an admin, a lawyer's own firms."""
    role = user_role(user)
    firms = LawFirm.objects.all()
    if role == ADMIN:
        return firms
    if role == MANAGER:
        return firms.filter(creditors__managers=user).distinct()
    if role == LAWYER:
        return firms.filter(lawyers=user)
    return firms.none()
