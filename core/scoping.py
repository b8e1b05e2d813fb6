"""What staff may see, written once: every selector and access check goes through here.

An admin sees everything; a manager (or a complaints officer) sees the records of the creditors
they are granted; a collector
sees the debts assigned to them (and what hangs off those debts) where the record kind is part of
a collector's work, and nothing where it is not; anyone else sees nothing. A lawyer (outside
counsel) sees nothing here: the legal app scopes their cases by law firm
(legal.selectors.cases.cases_for_user).
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from core.roles import ADMIN, COLLECTOR, MANAGER, OFFICER, user_role


def scope_for_user(
    queryset: QuerySet,
    *,
    user,
    creditor: str = "creditor",
    collector: str | Callable[..., Q] | None = None,
) -> QuerySet:
    """`queryset` narrowed to the rows `user` may see.

    `creditor` is the lookup from the model to its creditor ("" when the model is the creditor).
    `collector` says which rows a collector sees: a lookup to the user the debt is assigned to
    (e.g. "assigned_to", "debt__assigned_to"), a function of the user returning a `Q` for rows
    reached through a link table, or None when collectors see none of them. The function is
    called for collectors only: a filter on an anonymous user would not even build.
    """
    role = user_role(user)
    if role == ADMIN:
        return queryset
    if role in (MANAGER, OFFICER):  # an officer is scoped like a manager: their creditors
        return queryset.filter(**{f"{creditor}__managers" if creditor else "managers": user})
    if role == COLLECTOR and collector is not None:
        if isinstance(collector, str):
            return queryset.filter(**{collector: user})
        return queryset.filter(collector(user))
    return queryset.none()


def user_manages_creditor(*, user, creditor_id: int) -> bool:
    """The same rule for one creditor: admins manage every creditor, managers those granted."""
    role = user_role(user)
    if role == ADMIN:
        return True
    return role == MANAGER and user.managed_creditors.filter(pk=creditor_id).exists()
