"""Reads of file imports, scoped to what the user may see."""

from django.db.models import Count, QuerySet, Sum
from django.utils import translation

from core.reasons import reason_text
from core.scoping import scope_for_user
from imports.models import ImportBatch
from ledger.models import SuspenseItem


def import_batch_queryset(*, user) -> QuerySet[ImportBatch]:
    """Imports of the creditors a manager runs (collectors see none)."""
    return scope_for_user(
        ImportBatch.objects.select_related("creditor", "portfolio", "created_by"), user=user
    )


def import_error_rows(*, batch: ImportBatch, language: str, chunk_size: int = 2000):
    """(row, column, reason, value) of a batch's row errors, the reason in `language`.

    Rendered as the rows are read, under `language` (the requester's): a streamed download
    is iterated after the view has returned.
    """
    errors = batch.row_errors.order_by("row", "id").values_list(
        "row", "column", "reason", "reason_code", "reason_params", "value"
    )
    with translation.override(language):
        for row, column, reason, code, params, value in errors.iterator(chunk_size=chunk_size):
            yield row, column, reason_text(code, params, fallback=reason), value


def batch_suspense_summary(*, batch: ImportBatch) -> dict:
    """{"count", "amounts": {currency: total}} of the money a payments file sent to suspense."""
    if batch.kind != ImportBatch.Kind.PAYMENTS or batch.dry_run:
        return {"count": 0, "amounts": {}}
    rows = (
        SuspenseItem.objects.filter(import_batch_id=batch.pk)
        .values("currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("currency")
    )
    rows = list(rows)
    return {
        "count": sum(r["n"] for r in rows),
        "amounts": {r["currency"]: r["total"] for r in rows},
    }
