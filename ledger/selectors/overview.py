"""The ledger's front page: what needs a manager's attention in the books of their creditors."""

import datetime

from django.db.models import Count, Q, Sum

from core.scoping import scope_for_user
from ledger.models import Remittance, RemittanceStatus, SuspenseItem, SuspenseStatus, UsuryRate
from portfolio.models import Creditor


def ledger_overview(*, user, as_of: datetime.date) -> dict:
    """Open suspense money per currency, draft remittances, and whether a certified usury rate
    covers `as_of` (Colombian accrual waits for one), for the creditors the user manages."""
    creditors = scope_for_user(Creditor.objects.all(), user=user, creditor="")
    suspense = (
        scope_for_user(SuspenseItem.objects.all(), user=user)
        .filter(status=SuspenseStatus.OPEN)
        .values("currency")
        .annotate(items=Count("id"), amount=Sum("amount"))
        .order_by("currency")
    )
    drafts = scope_for_user(Remittance.objects.all(), user=user).filter(
        status=RemittanceStatus.DRAFT
    )
    colombian = creditors.filter(country="CO").exists()
    covered = UsuryRate.objects.filter(Q(valid_from__lte=as_of) & Q(valid_to__gte=as_of))
    return {
        "suspense": list(suspense),
        "draft_remittances": drafts.count(),
        "usury_missing": colombian and not covered.exists(),
    }
