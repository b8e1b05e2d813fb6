"""Segment figures of the dashboard and the segments API: debts per segment, migrations."""

from django.db.models import Count, Q, Sum

from analytics.forms import KpiFilters
from analytics.models import AgingSnapshot, SegmentDefinition


def _cut(f: KpiFilters) -> Q:
    from analytics.selectors.kpis import _cut as cut

    return cut(f)


def kpi_segments(f: KpiFilters, as_of) -> list[dict]:
    """Open debts and balance per segment and currency on the snapshot date."""
    if as_of is None:
        return []
    rows = (
        AgingSnapshot.objects.filter(_cut(f), as_of=as_of)
        .values("segment_id", "currency")
        .annotate(debts=Sum("debts"), balance=Sum("balance"))
        .order_by("currency", "-balance")
    )
    segments = SegmentDefinition.objects.in_bulk({r["segment_id"] for r in rows if r["segment_id"]})
    return [
        {
            "segment_id": r["segment_id"],
            "code": segments[r["segment_id"]].code if r["segment_id"] in segments else "",
            "name": segments[r["segment_id"]].name if r["segment_id"] in segments else "—",
            "currency": r["currency"],
            "debts": r["debts"],
            "balance": r["balance"],
        }
        for r in rows
    ]


def kpi_segment_migrations(f: KpiFilters) -> list[dict]:
    """Debts that moved between segments in the period: from → to, with how many."""
    from analytics.models import SegmentChange

    q = Q(creditor_id__in=f.creditor_ids, as_of__gte=f.date_from, as_of__lte=f.date_to)
    if f.portfolio_id:
        q &= Q(portfolio_id=f.portfolio_id)
    if f.collector_id:
        q &= Q(collector_id=f.collector_id)
    if f.currency:
        q &= Q(currency=f.currency)
    if f.segment_id:
        q &= Q(from_segment_id=f.segment_id) | Q(to_segment_id=f.segment_id)
    rows = (
        SegmentChange.objects.filter(q)
        .values("from_segment_id", "to_segment_id")
        .annotate(debts=Count("id"))
        .order_by("-debts", "from_segment_id", "to_segment_id")
    )
    names = {
        s.id: s.name
        for s in SegmentDefinition.objects.filter(
            id__in={v for r in rows for v in (r["from_segment_id"], r["to_segment_id"]) if v}
        )
    }
    return [
        {
            "from_segment_id": r["from_segment_id"],
            "from": names.get(r["from_segment_id"], "—"),
            "to_segment_id": r["to_segment_id"],
            "to": names.get(r["to_segment_id"], "—"),
            "debts": r["debts"],
        }
        for r in rows[:50]
    ]


def segment_counts(*, creditor_ids) -> dict[int, int]:
    """Open debts per segment id right now (for the segments page)."""
    from portfolio.models import OPEN_STAGES, Debt

    rows = (
        Debt.objects.filter(creditor_id__in=creditor_ids, stage__in=OPEN_STAGES)
        .values("segment_state__segment_id")
        .annotate(n=Count("id"))
    )
    return {r["segment_state__segment_id"]: r["n"] for r in rows}
