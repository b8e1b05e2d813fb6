"""Reads of remittance: statements, their lines and warnings, commission rates; scoped to the
creditors the user manages (admins: all; managers: those granted; anyone else: none)."""

import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, OuterRef, QuerySet, Subquery, When

from core.roles import is_manager
from core.scoping import scope_for_user
from ledger.commission import lines_without_rate
from ledger.models import (
    COLLECTED_KINDS,
    CommissionRate,
    EntryKind,
    Remittance,
    RemittanceLine,
    RemittanceStatus,
)

__all__ = ["lines_without_rate"]


def _scoped(queryset: QuerySet, *, user) -> QuerySet:
    # Statements and rates are the agency's business with its creditors: managers and admins
    # only (a complaints officer is scoped like a manager elsewhere, but not here).
    if not is_manager(user):
        return queryset.none()
    return scope_for_user(queryset, user=user)


def remittance_list(*, user, filters: dict | None = None) -> QuerySet[Remittance]:
    """The statements of the user's creditors, latest period first.

    Filters: `creditor` (id), `status`, `currency`, `period_from` / `period_to` (statements
    whose period touches those days).
    """
    filters = filters or {}
    rows = _scoped(Remittance.objects.all(), user=user).select_related(
        "creditor", "created_by", "issued_by"
    )
    if filters.get("creditor"):
        rows = rows.filter(creditor_id=filters["creditor"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("currency"):
        rows = rows.filter(currency=filters["currency"].upper())
    if filters.get("period_from"):
        rows = rows.filter(period_end__gte=filters["period_from"])
    if filters.get("period_to"):
        rows = rows.filter(period_start__lte=filters["period_to"])
    return rows.order_by("-period_end", "-id")


def remittance_get(*, user, remittance_id) -> Remittance | None:
    """One statement the user may see, or None (someone else's looks like a missing one)."""
    return remittance_list(user=user).filter(pk=remittance_id).first()


def remittance_lines(*, remittance: Remittance) -> QuerySet[RemittanceLine]:
    """The statement's lines by debt, each with its debt and debtor, and for a reversal carried
    in, the issued statement its payment was remitted in (`carried_from`, else None)."""
    prior = (
        RemittanceLine.objects.filter(
            payment_id=OuterRef("payment_id"),
            kind__in=COLLECTED_KINDS,
            remittance__status=RemittanceStatus.ISSUED,
            remittance__issued_at__lte=remittance.created_at,
        )
        .exclude(remittance_id=remittance.pk)
        .order_by("id")
    )
    return (
        RemittanceLine.objects.filter(remittance=remittance)
        .select_related("debt__debtor")
        .annotate(
            carried_from=Case(
                When(
                    kind=EntryKind.REVERSAL,
                    payment_id__isnull=False,
                    then=Subquery(prior.values("remittance_id")[:1]),
                ),
                default=None,
            ),
        )
        .order_by("debt__debt_ref", "posted_on", "id")
    )


def remittances_by_id(ids) -> dict[int, Remittance]:
    """The statements named by these ids (the sources of reversals carried in)."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    return {r.pk: r for r in Remittance.objects.filter(pk__in=wanted)}


def remittance_audit(*, remittance: Remittance) -> list[dict]:
    """Who prepared, issued or voided the statement and when, oldest first."""
    content_type = ContentType.objects.get_for_model(Remittance)
    entries = (
        LogEntry.objects.filter(content_type=content_type, object_id=str(remittance.pk))
        .select_related("user")
        .order_by("action_time", "id")
    )
    trail = []
    for entry in entries:
        action, _, reason = entry.change_message.partition(": ")
        trail.append(
            {"action": action, "reason": reason, "user": entry.user, "at": entry.action_time}
        )
    return trail


def commission_rate_list(*, user, filters: dict | None = None) -> QuerySet[CommissionRate]:
    """The commission rates of the user's creditors, by creditor and latest set first.

    Filters: `creditor` (id), `valid_on` (the sets in force that day and later ones).
    """
    filters = filters or {}
    rows = _scoped(CommissionRate.objects.all(), user=user).select_related("creditor", "created_by")
    if filters.get("creditor"):
        rows = rows.filter(creditor_id=filters["creditor"])
    return rows.order_by(
        "creditor__name", "creditor_id", "-valid_from", "basis", "stage", "min_dpd"
    )


def rate_sets_in_force(*, rates, as_of: datetime.date) -> set[tuple[int, datetime.date]]:
    """(creditor id, valid_from) of the rate set each creditor applies on `as_of`."""
    latest: dict[int, datetime.date] = {}
    for rate in rates:
        if rate.valid_from <= as_of and rate.valid_from > latest.get(
            rate.creditor_id, datetime.date.min
        ):
            latest[rate.creditor_id] = rate.valid_from
    return set(latest.items())
