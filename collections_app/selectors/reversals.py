"""Reads for corrections: reversed payments and write-offs with their recoveries (the manager's
page and its export), and what the debt page's payments list shows about each payment."""

from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from core.memo import keep, read_once
from core.page_reads import JSONRows, rows_from_json
from core.roles import ADMIN, MANAGER, user_role
from core.scoping import scope_for_user
from ledger.models import EntryKind, LedgerEntry, PaymentReversal, WriteOff
from portfolio.models import MONEY, Payment


def reversal_list(*, user, filters: dict) -> QuerySet[PaymentReversal]:
    """Reversals of payments of the creditors the user manages, newest first."""
    qs = scope_for_user(
        PaymentReversal.objects.select_related(
            "payment__debt__debtor", "payment__creditor", "reversed_by"
        ),
        user=user,
        creditor="payment__creditor",
    )
    if filters.get("creditor"):
        qs = qs.filter(payment__creditor=filters["creditor"])
    if filters.get("date_from"):
        qs = qs.filter(business_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(business_date__lte=filters["date_to"])
    if filters.get("reason"):
        qs = qs.filter(reason=filters["reason"])
    return qs.order_by("-business_date", "-id")


def _recovered() -> Subquery:
    """What was recovered on a write-off's debt: its standing recovery payments."""
    recoveries = (
        Payment.objects.filter(
            debt_id=OuterRef("debt_id"),
            reversed_at__isnull=True,
            ledger_entries__kind=EntryKind.RECOVERY,
        )
        .order_by()
        .values("debt_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(recoveries, output_field=DecimalField(**MONEY)),
        Value(Decimal(0)),
        output_field=DecimalField(**MONEY),
    )


def write_off_list(*, user, filters: dict) -> QuerySet[WriteOff]:
    """Write-offs of the creditors the user manages with what was recovered since, newest first."""
    qs = scope_for_user(
        WriteOff.objects.select_related("debt__debtor", "debt__creditor", "written_off_by"),
        user=user,
        creditor="debt__creditor",
    ).annotate(recovered=_recovered())
    if filters.get("creditor"):
        qs = qs.filter(debt__creditor=filters["creditor"])
    if filters.get("date_from"):
        qs = qs.filter(business_date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(business_date__lte=filters["date_to"])
    if filters.get("reason"):
        qs = qs.filter(reason=filters["reason"])
    return qs.order_by("-business_date", "-id")


def _debt_reversals(debt) -> QuerySet[PaymentReversal]:
    return (
        PaymentReversal.objects.filter(payment__debt_id=debt)
        .select_related("reversed_by")
        .order_by("id")
    )


def _debt_recoveries(debt) -> QuerySet:
    return LedgerEntry.objects.filter(
        debt_id=debt, kind=EntryKind.RECOVERY, payment_id__isnull=False
    ).values_list("payment_id", flat=True)


def corrections_page_reads(*, user) -> dict:
    """The payments list's reads made in the query of the page's debt (portfolio.hooks.
    debt_page_reads): the debt's reversals and its recovery payments."""
    debt = OuterRef("pk")
    return {
        "_read_reversals": (
            JSONRows(_debt_reversals(debt), related=("reversed_by",)),
            lambda obj, text: keep(
                obj,
                "payment_reversals",
                rows_from_json(PaymentReversal, text, related=("reversed_by",)),
            ),
        ),
        "_read_recoveries": (
            ArraySubquery(_debt_recoveries(debt).order_by()),  # kept as a set
            lambda obj, ids: keep(obj, "recovery_payment_ids", set(ids or ())),
        ),
    }


def debt_payments_corrections(*, user, debt, payments: list[Payment]) -> dict:
    """What the debt page's payments list adds to the books' rows: each payment's reversal
    (`payment.reversal_record`) and whether it was a recovery after write-off
    (`payment.is_recovery`), set on the rows; and whether the user may reverse them."""
    reversals = {
        r.payment_id: r
        for r in read_once(debt, "payment_reversals", lambda: list(_debt_reversals(debt.pk)))
    }
    recoveries = read_once(debt, "recovery_payment_ids", lambda: set(_debt_recoveries(debt.pk)))
    for payment in payments:
        payment.reversal_record = reversals.get(payment.pk)
        payment.is_recovery = payment.pk in recoveries
    # The page's debt is one the user may see: for a manager, one of their creditors'. The
    # service checks again (user_manages_creditor) when the button is used.
    return {"can_reverse": user_role(user) in (ADMIN, MANAGER)}
