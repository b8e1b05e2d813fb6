"""Reads of the outbox and templates, scoped to what the user may see."""

import datetime

from django.db.models import Count, QuerySet

from core.roles import ADMIN, COLLECTOR, MANAGER, user_role
from messaging.models import Message, MessageDebt, MessageTemplate


def message_queryset(*, user) -> QuerySet[Message]:
    """Messages the user may see: admin all, manager their creditors', collector their cases'."""
    role = user_role(user)
    qs = Message.objects.all()
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    if role == COLLECTOR:
        return qs.filter(
            id__in=MessageDebt.objects.filter(debt__assigned_to=user).values("message_id")
        )
    return qs.none()


def messages_for_debt(*, user, debt, limit: int = 50) -> list[Message]:
    """The messages covering one debt (newest first), for the case page."""
    return list(
        message_queryset(user=user)
        .filter(id__in=MessageDebt.objects.filter(debt=debt).values("message_id"))
        .order_by("-planned_for", "-id")[:limit]
    )


def outbox_counts(*, queryset: QuerySet[Message]) -> dict:
    """Counts by channel and status of a (filtered) outbox queryset, as a table."""
    rows = queryset.order_by().values("channel", "status").annotate(n=Count("id"))
    table: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in rows:
        table.setdefault(row["channel"], {})[row["status"]] = row["n"]
        totals[row["status"]] = totals.get(row["status"], 0) + row["n"]
    return {"by_channel": table, "totals": totals, "all": sum(totals.values())}


def suppression_counts(*, user, business_date: datetime.date) -> list[dict]:
    """How many messages each rule suppressed on a date (for dashboards)."""
    return list(
        message_queryset(user=user)
        .filter(business_date=business_date, status=Message.Status.SUPPRESSED)
        .order_by()
        .values("suppression_rule")
        .annotate(n=Count("id"))
        .order_by("-n", "suppression_rule")
    )


def template_list(*, user) -> QuerySet[MessageTemplate]:
    """Templates are shared by every creditor; managers and admins may see and edit them."""
    if user_role(user) not in (ADMIN, MANAGER):
        return MessageTemplate.objects.none()
    return MessageTemplate.objects.annotate(version_count=Count("versions")).order_by(
        "code", "channel", "language"
    )


def call_list(*, user, business_date: datetime.date) -> QuerySet[Message]:
    """Voice contacts handed to collectors for a date: a collector sees their own list."""
    qs = message_queryset(user=user).filter(
        channel="voice",
        business_date=business_date,
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
    )
    if user_role(user) == COLLECTOR:
        qs = qs.filter(collector=user)
    return qs.select_related("debtor", "collector").order_by("planned_for", "id")
