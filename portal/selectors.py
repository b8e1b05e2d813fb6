"""Reads for the portal: always filtered by the signed-in debtor (another id is a 404)."""

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from agreements.models import OPEN_STATUSES, Instalment, PaymentAgreement
from portal.models import ContactPreference, Dispute, PaymentIntent
from portfolio.models import Debt, Payment


def debtor_debts(debtor_id: int):
    return (
        Debt.objects.filter(debtor_id=debtor_id)
        .select_related("creditor")
        .order_by("due_date", "id")
    )


def debtor_debt(debtor_id: int, debt_id: int) -> Debt:
    """One of the debtor's own debts, or Http404 (whether or not the id exists)."""
    return get_object_or_404(debtor_debts(debtor_id), pk=debt_id)


def debt_payments(debt: Debt) -> list[Payment]:
    return list(debt.payments.order_by("-paid_at", "-id")[:50])


def debt_agreement(debt: Debt) -> PaymentAgreement | None:
    """The debt's open agreement (active or waiting for approval) with its schedule."""
    return (
        PaymentAgreement.objects.filter(lines__debt=debt, status__in=OPEN_STATUSES)
        .prefetch_related(Prefetch("instalments", queryset=Instalment.objects.order_by("number")))
        .order_by("-created_at", "-id")
        .first()
    )


def debt_disputes(debt: Debt) -> list[Dispute]:
    return list(debt.portal_disputes.select_related("hold").order_by("-created_at"))


def debtor_intent(debtor_id: int, reference: str) -> PaymentIntent:
    return get_object_or_404(
        PaymentIntent.objects.select_related("debt", "debt__creditor"),
        provider_reference=reference,
        debt__debtor_id=debtor_id,
    )


def preferred_hours(*, debtor_ids) -> dict[int, tuple[datetime.time, datetime.time]]:
    """The contact hours each debtor chose in the portal (only well-formed windows), for the
    planner: the one read other apps make of portal preferences."""
    rows = ContactPreference.objects.filter(
        debtor_id__in=list(debtor_ids), preferred_from__isnull=False, preferred_to__isnull=False
    ).values_list("debtor_id", "preferred_from", "preferred_to")
    return {debtor_id: (start, end) for debtor_id, start, end in rows if start < end}
