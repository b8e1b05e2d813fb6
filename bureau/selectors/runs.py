"""Reads of furnishing runs, their lines, dispute legends due and withdrawals, scoped."""

import datetime

from django.db.models import QuerySet

from bureau.models import FurnishedAccount, FurnishingRun
from bureau.services.legends import legend_pending
from complaints.models import Complaint
from core.roles import is_manager
from core.scoping import scope_for_user


def runs(*, user, filters: dict | None = None) -> QuerySet:
    """The runs of the creditors `user` manages (admins: all), newest cut-off first. Filters:
    creditor (an instance or an id), bureau, status, cut_off."""
    filters = filters or {}
    if not is_manager(user):
        return FurnishingRun.objects.none()
    rows = scope_for_user(
        FurnishingRun.objects.select_related("creditor", "created_by", "submitted_by"),
        user=user,
    )
    if filters.get("creditor"):
        rows = rows.filter(creditor_id=getattr(filters["creditor"], "pk", filters["creditor"]))
    for key in ("bureau", "status", "cut_off"):
        if filters.get(key):
            rows = rows.filter(**{key: filters[key]})
    return rows


def run_get(*, user, run_id: int) -> FurnishingRun | None:
    """One run `user` may see, or None."""
    return runs(user=user).filter(pk=run_id).first()


def run_lines(*, run: FurnishingRun) -> QuerySet:
    """The lines of a run the caller already may see, with their debts."""
    return FurnishedAccount.objects.filter(run=run).select_related("debt").order_by("debt_id")


def debt_bureau_history(debt_id: int) -> QuerySet:
    """What every run reported for one debt, newest first (the caller checks access)."""
    return (
        FurnishedAccount.objects.filter(debt_id=debt_id)
        .select_related("run")
        .order_by("-run__cut_off", "-run_id")
    )


def legends_due(*, user, as_of: datetime.date | None = None, creditor=None) -> QuerySet:
    """Complaints flagged for the bureau whose legend no submitted run carried yet (due by
    legend_due_on; with `as_of`, only those due on or before it), scoped to `user`."""
    rows = scope_for_user(Complaint.objects.select_related("debt", "creditor"), user=user)
    rows = legend_pending(rows)
    if creditor is not None:
        rows = rows.filter(creditor=creditor)
    if as_of is not None:
        rows = rows.filter(legend_due_on__lte=as_of)
    return rows.order_by("legend_due_on", "pk")
