"""Every KPI the dashboard and the API show, read from the snapshot tables (never raw history).

Amounts are Decimal sums from the database, always per currency; rates are Decimal ratios
rounded to 4 places (None when the denominator is zero: "no data" is not 0 %).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from analytics.forms import KpiFilters
from analytics.models import AgingSnapshot, BucketTransition, CollectionDay
from analytics.selectors.activity import (
    kpi_agreements,
    kpi_channel_effectiveness,
    kpi_collector_productivity,
    kpi_message_funnel,
    kpi_promises,
    kpi_stuck_messages,
    kpi_suppressions,
    kpi_template_effectiveness,
)
from analytics.selectors.contacts import (
    contact_headline,
    kpi_collector_contacts,
    kpi_collector_days,
    kpi_contact_channels,
    kpi_contacts,
)
from analytics.selectors.segments import (
    kpi_segment_migrations,
    kpi_segments,
)
from analytics.services.engine import BUCKETS
from portfolio.models import Portfolio

ZERO = Decimal("0")
END_STATES = [*BUCKETS, "paid", "written_off"]

# KPIs of KPIS.md that need tables other issues are building, as (code, name, reason): each
# becomes one more computation here when its table lands. Every KPI of KPIS.md is computed
# now; the list stays in the API (an empty list) for the integrations that read it.
PENDING_KPIS: list[tuple] = []


def rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def change(current, previous) -> Decimal | None:
    """Relative change current vs previous (None when there is nothing to compare with)."""
    if current is None or previous in (None, 0, ZERO):
        return None
    return ((Decimal(current) - Decimal(previous)) / Decimal(previous)).quantize(Decimal("0.0001"))


def _cut(f: KpiFilters) -> Q:
    q = Q(creditor_id__in=f.creditor_ids)
    if f.portfolio_id:
        q &= Q(portfolio_id=f.portfolio_id)
    if f.segment_id:
        q &= Q(segment_id=f.segment_id)
    if f.collector_id:
        q &= Q(collector_id=f.collector_id)
    if f.currency:
        q &= Q(currency=f.currency)
    return q


def latest_snapshot_date(*, creditor_ids, on_or_before: datetime.date | None = None):
    qs = AgingSnapshot.objects.filter(creditor_id__in=creditor_ids)
    if on_or_before:
        qs = qs.filter(as_of__lte=on_or_before)
    return qs.aggregate(d=Max("as_of"))["d"]


def kpi_collected(f: KpiFilters, date_from, date_to) -> dict[str, dict]:
    """Per currency: collected, payments, debts closed, days-to-collect sum, placed balance."""
    rows = (
        CollectionDay.objects.filter(_cut(f), as_of__gte=date_from, as_of__lte=date_to)
        .values("currency")
        .annotate(
            collected=Sum("collected"),
            payments=Sum("payments"),
            closed=Sum("debts_closed"),
            days=Sum("days_to_collect"),
            placed=Sum("placed_balance"),
        )
    )
    return {r["currency"]: r for r in rows}


def kpi_open_balance(f: KpiFilters, as_of) -> dict[str, dict]:
    if as_of is None:
        return {}
    rows = (
        AgingSnapshot.objects.filter(_cut(f), as_of=as_of)
        .values("currency")
        .annotate(balance=Sum("balance"), debts=Sum("debts"))
    )
    return {r["currency"]: r for r in rows}


def _start_balance(f: KpiFilters, date_from, date_to) -> dict[str, Decimal]:
    """Open balance at the start of a period: the last snapshot before it, else its first."""
    before = AgingSnapshot.objects.filter(_cut(f), as_of__lt=date_from).aggregate(d=Max("as_of"))
    day = before["d"]
    if day is None:
        day = AgingSnapshot.objects.filter(
            _cut(f), as_of__gte=date_from, as_of__lte=date_to
        ).aggregate(d=Min("as_of"))["d"]
    return {c: r["balance"] for c, r in kpi_open_balance(f, day).items()}


def kpi_period(f: KpiFilters, date_from, date_to) -> dict[str, dict]:
    """Amount collected, recovery rate and average days to collect per currency."""
    flows = kpi_collected(f, date_from, date_to)
    start = _start_balance(f, date_from, date_to)
    result = {}
    for currency in sorted(set(flows) | set(start)):
        flow = flows.get(currency, {})
        collected = flow.get("collected") or ZERO
        placed = (start.get(currency) or ZERO) + (flow.get("placed") or ZERO)
        closed = flow.get("closed") or 0
        result[currency] = {
            "collected": collected,
            "payments": flow.get("payments") or 0,
            "placed_balance": placed,
            "recovery_rate": rate(collected, placed),
            "debts_closed": closed,
            "avg_days_to_collect": (
                (Decimal(flow["days"]) / closed).quantize(Decimal("0.1")) if closed else None
            ),
        }
    return result


def kpi_transitions(f: KpiFilters, month: datetime.date) -> dict[str, dict]:
    """Roll matrix and cure rate per currency for a month (from its opening balances)."""
    rows = (
        BucketTransition.objects.filter(_cut(f), month=month)
        .values("currency", "from_bucket", "to_state")
        .annotate(balance=Sum("balance_start"), debts=Sum("debts"))
    )
    by_currency: dict[str, dict] = defaultdict(
        lambda: {"cells": {}, "from_totals": defaultdict(lambda: ZERO)}
    )
    for r in rows:
        entry = by_currency[r["currency"]]
        entry["cells"][(r["from_bucket"], r["to_state"])] = (r["balance"], r["debts"])
        entry["from_totals"][r["from_bucket"]] += r["balance"]
    result = {}
    for currency, entry in sorted(by_currency.items()):
        matrix = []
        for source in BUCKETS:
            total = entry["from_totals"].get(source, ZERO)
            if not total:
                continue
            cells = []
            for target in END_STATES:
                balance, debts = entry["cells"].get((source, target), (ZERO, 0))
                cells.append(
                    {"to": target, "balance": balance, "debts": debts, "rate": rate(balance, total)}
                )
            matrix.append({"from": source, "balance_start": total, "cells": cells})
        delinquent = sum((v for k, v in entry["from_totals"].items() if k != "current"), start=ZERO)
        cured = sum(
            (
                balance
                for (source, target), (balance, _d) in entry["cells"].items()
                if source != "current" and target in ("current", "paid")
            ),
            start=ZERO,
        )
        result[currency] = {
            "matrix": matrix,
            "delinquent_start": delinquent,
            "cured": cured,
            "cure_rate": rate(cured, delinquent),
        }
    return result


def kpi_aging(f: KpiFilters, as_of) -> list[dict]:
    if as_of is None:
        return []
    rows = (
        AgingSnapshot.objects.filter(_cut(f), as_of=as_of)
        .values("currency", "bucket")
        .annotate(debts=Sum("debts"), balance=Sum("balance"))
    )
    found = {(r["currency"], r["bucket"]): r for r in rows}
    currencies = sorted({c for c, _b in found})
    return [
        {
            "currency": c,
            "bucket": b,
            "debts": found.get((c, b), {}).get("debts") or 0,
            "balance": found.get((c, b), {}).get("balance") or ZERO,
        }
        for c in currencies
        for b in BUCKETS
    ]


def kpi_collected_per_day(f: KpiFilters) -> list[dict]:
    rows = (
        CollectionDay.objects.filter(_cut(f), as_of__gte=f.date_from, as_of__lte=f.date_to)
        .values("as_of", "currency")
        .annotate(collected=Sum("collected"), payments=Sum("payments"))
        .order_by("as_of", "currency")
    )
    return [
        {
            "date": r["as_of"],
            "currency": r["currency"],
            "collected": r["collected"],
            "payments": r["payments"],
        }
        for r in rows
        if r["payments"]
    ]


def collected_per_week(
    rows: list[dict], date_from: datetime.date, date_to: datetime.date
) -> dict[str, list[tuple[datetime.date, Decimal]]]:
    """The period's daily collections (kpi_collected_per_day rows) as weekly totals, one series
    per currency: every week (starting Monday) the period touches, weeks without payments at
    zero. Exact Decimals; currencies are never added together."""
    first = date_from - datetime.timedelta(days=date_from.weekday())
    weeks = []
    week = first
    while week <= date_to:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    totals: dict[str, dict[datetime.date, Decimal]] = {}
    for row in rows:
        start = row["date"] - datetime.timedelta(days=row["date"].weekday())
        series = totals.setdefault(row["currency"], dict.fromkeys(weeks, Decimal("0")))
        series[start] = series.get(start, Decimal("0")) + row["collected"]
    return {c: [(w, series[w]) for w in weeks] for c, series in sorted(totals.items())}


def kpi_leaderboard(f: KpiFilters) -> list[dict]:
    """Amount collected on each collector's assigned debts in the period, best first."""
    rows = (
        CollectionDay.objects.filter(
            _cut(f), as_of__gte=f.date_from, as_of__lte=f.date_to, collector_id__isnull=False
        )
        .values("collector_id", "currency")
        .annotate(collected=Sum("collected"), payments=Sum("payments"))
        .filter(payments__gt=0)
        .order_by("currency", "-collected", "collector_id")
    )
    users = get_user_model().objects.in_bulk({r["collector_id"] for r in rows})
    return [
        {
            "collector_id": r["collector_id"],
            "collector": (
                users[r["collector_id"]].get_full_name() or users[r["collector_id"]].username
            )
            if r["collector_id"] in users
            else f"#{r['collector_id']}",
            "currency": r["currency"],
            "collected": r["collected"],
            "payments": r["payments"],
        }
        for r in rows
    ]


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (0 during the first month)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def kpi_cumulative_recovery(f: KpiFilters) -> list[dict]:
    """Per portfolio and currency: collected since placement / balance at placement, by month."""
    rows = (
        CollectionDay.objects.filter(_cut(f), portfolio_id__isnull=False, as_of__lte=f.date_to)
        .values("portfolio_id", "currency", "as_of")
        .annotate(collected=Sum("collected"), placed=Sum("placed_balance"))
        .order_by("portfolio_id", "currency", "as_of")
    )
    portfolios = Portfolio.objects.in_bulk({r["portfolio_id"] for r in rows})
    series: dict[tuple[int, str], dict] = {}
    for r in rows:
        portfolio = portfolios.get(r["portfolio_id"])
        if portfolio is None or r["as_of"] < portfolio.assigned_on:
            continue
        key = (r["portfolio_id"], r["currency"])
        entry = series.setdefault(
            key,
            {"portfolio": portfolio, "placed": ZERO, "by_month": defaultdict(lambda: ZERO)},
        )
        entry["placed"] += r["placed"] or ZERO
        entry["by_month"][months_between(portfolio.assigned_on, r["as_of"])] += (
            r["collected"] or ZERO
        )
    result = []
    for (portfolio_id, currency), entry in sorted(series.items()):
        if not entry["placed"]:
            continue  # placed before the nightly job ever saw it: no balance at placement
        cumulative, points = ZERO, []
        last = max(entry["by_month"], default=0)
        for month in range(0, last + 1):
            cumulative += entry["by_month"].get(month, ZERO)
            points.append(
                {"month": month, "collected": cumulative, "rate": rate(cumulative, entry["placed"])}
            )
        result.append(
            {
                "portfolio_id": portfolio_id,
                "portfolio": entry["portfolio"].name,
                "assigned_on": entry["portfolio"].assigned_on,
                "currency": currency,
                "placed_balance": entry["placed"],
                "points": points,
            }
        )
    return result


def kpi_dashboard(*, filters: KpiFilters, collector_days: bool = True) -> dict:
    """Everything the dashboard page and `GET /api/v1/kpis/` show, for one set of filters.

    `collector_days` (productivity per collector and day) is for the API and the exports; the
    page shows the period's totals and leaves it out (thousands of rows on a large team).
    """
    f = filters
    as_of = latest_snapshot_date(creditor_ids=f.creditor_ids, on_or_before=f.date_to)
    prev_from, prev_to = f.previous
    current = kpi_period(f, f.date_from, f.date_to)
    previous = kpi_period(f, prev_from, prev_to)
    month = (as_of or f.date_to).replace(day=1)
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    transitions = kpi_transitions(f, month)
    transitions_previous = kpi_transitions(f, previous_month)
    open_balance = kpi_open_balance(f, as_of)
    promises = kpi_promises(_cut(f), f.date_from, f.date_to)
    promises_before = kpi_promises(_cut(f), prev_from, prev_to)
    agreements = kpi_agreements(_cut(f), f.date_from, f.date_to)
    agreements_before = kpi_agreements(_cut(f), prev_from, prev_to)
    contacts = kpi_contacts(_cut(f), f.channel, f.date_from, f.date_to)
    contacts_before = kpi_contacts(_cut(f), f.channel, prev_from, prev_to)
    headline = []
    currencies = set(current) | set(open_balance) | set(transitions) | set(promises)
    for currency in sorted(currencies | set(agreements) | set(contacts)):
        now = current.get(currency, {})
        before = previous.get(currency, {})
        promise = promises.get(currency, {})
        agreement = agreements.get(currency, {})
        agreement_before = agreements_before.get(currency, {})
        cure = transitions.get(currency, {}).get("cure_rate")
        cure_before = transitions_previous.get(currency, {}).get("cure_rate")
        headline.append(
            {
                "currency": currency,
                "collected": now.get("collected", ZERO),
                "collected_previous": before.get("collected", ZERO),
                "collected_change": change(now.get("collected"), before.get("collected")),
                "payments": now.get("payments", 0),
                "placed_balance": now.get("placed_balance", ZERO),
                "recovery_rate": now.get("recovery_rate"),
                "recovery_rate_previous": before.get("recovery_rate"),
                "avg_days_to_collect": now.get("avg_days_to_collect"),
                "avg_days_to_collect_previous": before.get("avg_days_to_collect"),
                "debts_closed": now.get("debts_closed", 0),
                "open_balance": open_balance.get(currency, {}).get("balance") or ZERO,
                "open_debts": open_balance.get(currency, {}).get("debts") or 0,
                "cure_rate": cure,
                "cure_rate_previous": cure_before,
                "promises_made": promise.get("made") or 0,
                "promises_due": promise.get("due") or 0,
                "promises_kept": promise.get("kept") or 0,
                "promises_broken": promise.get("broken") or 0,
                "promises_awaiting": promise.get("awaiting") or 0,
                "promise_kept_rate": promise.get("kept_rate"),
                "promise_kept_rate_previous": promises_before.get(currency, {}).get("kept_rate"),
                "instalments_due": agreement.get("instalments_due", 0),
                "instalments_kept": agreement.get("instalments_kept", 0),
                "instalments_partial": agreement.get("instalments_partial", 0),
                "instalments_awaiting": agreement.get("instalments_awaiting", 0),
                "agreement_compliance": agreement.get("agreement_compliance"),
                "agreement_compliance_previous": agreement_before.get("agreement_compliance"),
                "agreements_active": agreement.get("agreements_active", 0),
                "agreements_broken": agreement.get("agreements_broken", 0),
                "broken_agreement_rate": agreement.get("broken_agreement_rate"),
                "broken_agreement_rate_previous": agreement_before.get("broken_agreement_rate"),
                **contact_headline(contacts.get(currency, {}), contacts_before.get(currency, {})),
            }
        )
    leaderboard = kpi_leaderboard(f)
    return {
        "as_of": as_of,
        "date_from": f.date_from,
        "date_to": f.date_to,
        "previous_from": prev_from,
        "previous_to": prev_to,
        "month": month,
        "headline": headline,
        "aging": kpi_aging(f, as_of),
        "collected_per_day": kpi_collected_per_day(f),
        "roll_rates": [{"currency": c, **v} for c, v in transitions.items()],
        "leaderboard": leaderboard,
        "collector_productivity": kpi_collector_productivity(
            _cut(f),
            f.date_from,
            f.date_to,
            leaderboard,
            kpi_collector_contacts(_cut(f), f.channel, f.date_from, f.date_to),
        ),
        "collector_days": (
            kpi_collector_days(_cut(f), f.channel, f.date_from, f.date_to) if collector_days else []
        ),
        "contact_channels": kpi_contact_channels(_cut(f), f.channel, f.date_from, f.date_to),
        "channel_effectiveness": kpi_channel_effectiveness(_cut(f), f.date_from, f.date_to),
        "template_effectiveness": kpi_template_effectiveness(_cut(f), f.date_from, f.date_to),
        "message_funnel": kpi_message_funnel(
            _cut(f), f.date_from, f.date_to, stuck=kpi_stuck_messages(f, now=timezone.now())
        ),
        "suppressions": kpi_suppressions(_cut(f), f.date_from, f.date_to),
        "cumulative_recovery": kpi_cumulative_recovery(f),
        "segments": kpi_segments(f, as_of),
        "segment_migrations": kpi_segment_migrations(f),
        "pending": [{"code": c, "name": str(n), "reason": str(r)} for c, n, r in PENDING_KPIS],
    }
