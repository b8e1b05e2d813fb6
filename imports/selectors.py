"""Reads of file imports, scoped to what the user may see."""

from django.db.models import QuerySet

from core.roles import ADMIN, MANAGER, user_role
from imports.models import ImportBatch


def import_batch_queryset(*, user) -> QuerySet[ImportBatch]:
    """Imports of the creditors a manager runs (collectors see none)."""
    role = user_role(user)
    qs = ImportBatch.objects.select_related("creditor", "portfolio", "created_by")
    if role == ADMIN:
        return qs
    if role == MANAGER:
        return qs.filter(creditor__managers=user)
    return qs.none()
