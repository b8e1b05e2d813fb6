"""The journal: every ledger entry of the user's creditors, filtered, and its totals by kind."""

import datetime

from django.db.models import Count, QuerySet, Sum

from core.scoping import scope_for_user
from ledger.models import LedgerEntry


def journal_entries(*, user, filters: dict) -> QuerySet[LedgerEntry]:
    """Entries the user may see (their creditors'), newest first, with their debt."""
    entries = scope_for_user(LedgerEntry.objects.all(), user=user)
    if filters.get("creditor"):
        entries = entries.filter(creditor_id=filters["creditor"])
    if filters.get("currency"):
        entries = entries.filter(currency=filters["currency"].upper())
    if filters.get("kind"):
        entries = entries.filter(kind=filters["kind"])
    if filters.get("date_from"):
        entries = entries.filter(posted_on__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(posted_on__lte=filters["date_to"])
    if filters.get("debt_ref"):
        entries = entries.filter(debt__debt_ref=filters["debt_ref"].strip())
    return entries.select_related("debt").order_by("-posted_on", "-id")


def journal_totals(entries: QuerySet[LedgerEntry]) -> list[dict]:
    """Per currency and kind: how many entries and their principal, interest, fees and total."""
    return list(
        entries.order_by()
        .values("currency", "kind")
        .annotate(
            entries=Count("id"),
            principal=Sum("principal"),
            interest=Sum("interest"),
            fees=Sum("fees"),
            amount=Sum("amount"),
        )
        .order_by("currency", "kind")
    )


def journal_export_rows(entries: QuerySet[LedgerEntry], *, limit: int):
    """The rows of the journal's CSV (oldest first), at most `limit`."""
    for e in entries.order_by("posted_on", "id")[:limit].iterator(chunk_size=2000):
        yield (
            e.id,
            e.posted_on.isoformat() if isinstance(e.posted_on, datetime.date) else e.posted_on,
            e.created_at.isoformat(),
            e.debt.debt_ref,
            e.kind,
            e.currency,
            e.principal,
            e.interest,
            e.fees,
            e.amount,
            e.payment_id or "",
            e.stage,
            "" if e.days_past_due is None else e.days_past_due,
            "" if e.rate is None else e.rate,
            "yes" if e.rate_capped else "",
            e.source_id or "",
            e.user_id or "",
            e.memo,
        )
