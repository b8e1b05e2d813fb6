"""Reads of file imports, scoped to what the user may see."""

from django.db.models import QuerySet

from core.scoping import scope_for_user
from imports.models import ImportBatch


def import_batch_queryset(*, user) -> QuerySet[ImportBatch]:
    """Imports of the creditors a manager runs (collectors see none)."""
    return scope_for_user(
        ImportBatch.objects.select_related("creditor", "portfolio", "created_by"), user=user
    )
