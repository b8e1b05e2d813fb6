"""Contact, RPC and promise rates and the collectors' daily work, read from ContactDay.

Counts are kept per currency (the currency of the debt the contact was about), like every
other KPI. ContactDay holds per-channel rows and all-channel rows (channel ""): a selector
reads the rows of the chosen channel, or the all-channel rows, never both (cases worked are
distinct debts and would be counted twice).
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from analytics.models import CollectionDay, ContactDay, PromiseDay

COUNTS = ("interactions", "cases_worked", "attempts", "reached", "rpc", "promises")


def _rate(numerator, denominator):
    from analytics.selectors.kpis import rate

    return rate(numerator, denominator)


def contact_rates(row: dict) -> dict:
    """Contact rate, RPC rate (of attempts) and promise rate (of RPCs) of a row of sums."""
    return {
        "contact_rate": _rate(row.get("reached") or 0, row.get("attempts") or 0),
        "rpc_rate": _rate(row.get("rpc") or 0, row.get("attempts") or 0),
        "promise_rate": _rate(row.get("promises") or 0, row.get("rpc") or 0),
    }


def contact_headline(now: dict, before: dict) -> dict:
    """A currency's contact figures for the headline, each rate with its previous and change."""
    from analytics.selectors.kpis import change

    figures = {
        "contacts_logged": now.get("interactions") or 0,
        "cases_worked": now.get("cases_worked") or 0,
        "attempts": now.get("attempts") or 0,
        "attempts_reached": now.get("reached") or 0,
        "rpcs": now.get("rpc") or 0,
        "contact_promises": now.get("promises") or 0,
    }
    for name in ("contact_rate", "rpc_rate", "promise_rate"):
        figures[name] = now.get(name)
        figures[f"{name}_previous"] = before.get(name)
        figures[f"{name}_change"] = change(now.get(name), before.get(name))
    return figures


def _contacts(cut: Q, channel: str, date_from, date_to):
    return ContactDay.objects.filter(
        cut, channel=channel or ContactDay.ALL_CHANNELS, as_of__gte=date_from, as_of__lte=date_to
    )


def _sums():
    return {name: Sum(name) for name in COUNTS}


def kpi_contacts(cut: Q, channel: str, date_from, date_to) -> dict[str, dict]:
    """Per currency: attempts → reached → RPC → promise, and the three rates."""
    rows = _contacts(cut, channel, date_from, date_to).values("currency").annotate(**_sums())
    return {r["currency"]: {**r, **contact_rates(r)} for r in rows}


def kpi_contact_channels(cut: Q, channel: str, date_from, date_to) -> list[dict]:
    """Per currency and channel: contacts logged, attempts and the rates (attempt channels)."""
    rows = (
        ContactDay.objects.filter(cut, as_of__gte=date_from, as_of__lte=date_to)
        .exclude(channel=ContactDay.ALL_CHANNELS)
        .filter(Q(channel=channel) if channel else Q())
        .values("currency", "channel")
        .annotate(**_sums())
        .order_by("currency", "channel")
    )
    return [{**r, **contact_rates(r)} for r in rows]


def kpi_collector_contacts(cut: Q, channel: str, date_from, date_to) -> dict[tuple, dict]:
    """(collector id, currency) → sums over the period and the days they logged contacts."""
    rows = (
        _contacts(cut, channel, date_from, date_to)
        .filter(collector_id__isnull=False)
        .values("collector_id", "currency")
        .annotate(**_sums(), days_worked=Count("as_of", distinct=True))
    )
    return {(r["collector_id"], r["currency"]): r for r in rows}


def collector_names(ids) -> dict[int, str]:
    users = get_user_model().objects.in_bulk(set(ids))
    return {
        i: ((users[i].get_full_name() or users[i].username) if i in users else f"#{i}") for i in ids
    }


def kpi_collector_days(cut: Q, channel: str, date_from, date_to) -> list[dict]:
    """Collector productivity per collector, day and currency (KPIS.md): cases worked,
    attempts, RPCs, promises (logged contacts), amount collected on assigned debts and the
    promises that fell due that day on them, kept or broken."""
    days: dict[tuple, dict] = defaultdict(dict)
    for r in (
        _contacts(cut, channel, date_from, date_to)
        .filter(collector_id__isnull=False)
        .values("collector_id", "as_of", "currency")
        .annotate(**_sums())
    ):
        days[(r["collector_id"], r["as_of"], r["currency"])].update(r)
    for r in (
        CollectionDay.objects.filter(
            cut, as_of__gte=date_from, as_of__lte=date_to, collector_id__isnull=False
        )
        .values("collector_id", "as_of", "currency")
        .annotate(collected=Sum("collected"), payments=Sum("payments"))
        .filter(payments__gt=0)
    ):
        days[(r["collector_id"], r["as_of"], r["currency"])].update(r)
    for r in (
        PromiseDay.objects.filter(
            cut, as_of__gte=date_from, as_of__lte=date_to, collector_id__isnull=False
        )
        .values("collector_id", "as_of", "currency")
        .annotate(kept=Sum("kept"), broken=Sum("broken"))
        .filter(Q(kept__gt=0) | Q(broken__gt=0))
    ):
        days[(r["collector_id"], r["as_of"], r["currency"])].update(r)
    names = collector_names({k[0] for k in days})
    result = []
    for (collector_id, day, currency), r in days.items():
        kept, broken = r.get("kept") or 0, r.get("broken") or 0
        result.append(
            {
                "collector_id": collector_id,
                "collector": names[collector_id],
                "date": day,
                "currency": currency,
                **{name: r.get(name) or 0 for name in COUNTS},
                **contact_rates(r),
                "collected": r.get("collected"),
                "payments": r.get("payments") or 0,
                "promises_kept": kept,
                "promises_broken": broken,
                "promise_kept_rate": _rate(kept, kept + broken),
            }
        )
    result.sort(key=lambda r: (r["collector"], r["collector_id"], r["date"], r["currency"]))
    return result
