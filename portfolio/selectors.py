"""Reads of the portfolio domain, already scoped to what the user may see."""

from django.db.models import QuerySet

from core.roles import ADMIN, COLLECTOR, MANAGER, user_role
from portfolio.models import Creditor, Debt, Debtor, ImportBatch, Payment


def creditor_list(*, user) -> QuerySet[Creditor]:
    """Creditors the user works for: all for admins, granted ones for managers."""
    role = user_role(user)
    if role == ADMIN:
        return Creditor.objects.all()
    if role == MANAGER:
        return Creditor.objects.filter(managers=user)
    if role == COLLECTOR:
        return Creditor.objects.filter(debts__assigned_to=user).distinct()
    return Creditor.objects.none()


def debt_queryset(*, user) -> QuerySet[Debt]:
    """Every debt the user may see: admin all, manager their creditors, collector their cases."""
    role = user_role(user)
    qs = Debt.objects.all()
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    if role == COLLECTOR:
        return qs.filter(assigned_to=user)
    return qs.none()


def debtor_queryset(*, user) -> QuerySet[Debtor]:
    """Debtors the user may see: those with at least one debt visible to them."""
    role = user_role(user)
    qs = Debtor.objects.all()
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    if role == COLLECTOR:
        return qs.filter(id__in=Debt.objects.filter(assigned_to=user).values("debtor_id"))
    return qs.none()


def payment_queryset(*, user) -> QuerySet[Payment]:
    """Payments on debts the user may see."""
    role = user_role(user)
    qs = Payment.objects.all()
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    if role == COLLECTOR:
        return qs.filter(debt__assigned_to=user)
    return qs.none()


def import_batch_queryset(*, user) -> QuerySet[ImportBatch]:
    """Imports of the creditors a manager runs (collectors see none)."""
    role = user_role(user)
    qs = ImportBatch.objects.select_related("creditor", "portfolio", "created_by")
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    return qs.none()
