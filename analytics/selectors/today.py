"""Today's figures, live: read from today's rows (not the nightly snapshots), so a manager sees
the day as it happens: contacts logged, promises made, payments received, messages by status.

A handful of aggregate queries, each a range on an indexed timestamp (or the outbox's business
date) within the business day in the operation's time zone, scoped to the manager's creditors
and narrowed like the rest of the dashboard (portfolio, segment, collector, currency). Amounts
stay per currency; payments are net of the day's reversals."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from agreements.models import PromiseToPay
from analytics.forms import KpiFilters
from analytics.services.loading import day_bounds
from analytics.services.snapshots_contacts import REACHED_OUTCOMES
from collections_app.models import Interaction
from ledger.models import PaymentReversal
from messaging.models import Message
from portfolio.models import Payment


def _debt_cut(f: KpiFilters, prefix: str = "debt__") -> Q:
    """The dashboard's filters on the debt a row belongs to (the collector: its assignee)."""
    q = Q(**{f"{prefix}creditor_id__in": f.creditor_ids})
    if f.portfolio_id:
        q &= Q(**{f"{prefix}portfolio_id": f.portfolio_id})
    if f.collector_id:
        q &= Q(**{f"{prefix}assigned_to_id": f.collector_id})
    if f.currency:
        q &= Q(**{f"{prefix}currency": f.currency})
    if f.segment_id:
        q &= Q(**{f"{prefix}segment_state__segment_id": f.segment_id})
    return q


def _payments_net(f: KpiFilters, *, start, end, today: datetime.date) -> list[dict]:
    """Payments received today per currency, net of the payments reversed today (as the
    nightly CollectionDay counts them: a reversal is taken off the day it happens)."""
    rows = {
        row["currency"]: row
        for row in Payment.objects.filter(_debt_cut(f), paid_at__gte=start, paid_at__lt=end)
        .values("currency")
        .annotate(amount=Sum("amount"), payments=Count("id"), debts=Count("debt_id", distinct=True))
        .order_by("currency")
    }
    reversed_today = (
        PaymentReversal.objects.filter(_debt_cut(f, "payment__debt__"), business_date=today)
        .values_list("payment__currency")
        .annotate(amount=Sum("payment__amount"))
        .order_by()
    )
    for currency, amount in reversed_today:
        row = rows.setdefault(
            currency, {"currency": currency, "amount": Decimal(0), "payments": 0, "debts": 0}
        )
        row["amount"] -= amount
    return [rows[currency] for currency in sorted(rows)]


def kpi_today(*, filters: KpiFilters, today: datetime.date) -> dict:
    """Contacts, promises, payments (per currency) and messages (by status) of `today`."""
    start, end = day_bounds(today)
    f = filters
    contacts = Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    contact_cut = Q(debt__creditor_id__in=f.creditor_ids)
    if f.portfolio_id:
        contact_cut &= Q(debt__portfolio_id=f.portfolio_id)
    if f.currency:
        contact_cut &= Q(debt__currency=f.currency)
    if f.segment_id:
        contact_cut &= Q(debt__segment_state__segment_id=f.segment_id)
    if f.collector_id:
        # As the contact drill-down: who logged it, or the assignee when nobody did.
        contact_cut &= Q(collector_id=f.collector_id) | Q(
            collector__isnull=True, debt__assigned_to_id=f.collector_id
        )
    if f.channel:
        contact_cut &= Q(channel=f.channel)
    contact_row = contacts.filter(contact_cut).aggregate(
        logged=Count("id"),
        debts=Count("debt_id", distinct=True),
        reached=Count("id", filter=Q(outcome__in=REACHED_OUTCOMES)),
    )
    payments = _payments_net(f, start=start, end=end, today=today)
    promises = list(
        PromiseToPay.objects.filter(_debt_cut(f), created_at__gte=start, created_at__lt=end)
        .values("currency")
        .annotate(amount=Sum("amount"), promises=Count("id"), debts=Count("debt_id", distinct=True))
        .order_by("currency")
    )
    # The outbox of the day by status: messages belong to a creditor (a message covering debts
    # of two currencies is one message), so only the creditor filter applies to them (the
    # band says so when another filter is set).
    by_status = dict(
        Message.objects.filter(creditor_id__in=f.creditor_ids, business_date=today)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    messages = [
        {"status": value, "label": label, "count": by_status.get(value, 0)}
        for value, label in Message.Status.choices
        if by_status.get(value)
    ]
    return {
        "date": today,
        "contacts": contact_row,
        "payments": payments,
        "promises": promises,
        "messages": messages,
        "messages_total": sum(by_status.values()),
    }
