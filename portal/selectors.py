"""Reads for the portal: always filtered by the signed-in debtor (another id is a 404)."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404

from agreements.models import OPEN_STATUSES, Instalment, PaymentAgreement
from portal.models import ContactPreference, Dispute, PaymentIntent
from portal.services.access import (
    CODE_CHANNELS,
    code_destination,
    debtor_by_document,
    masked_destination,
    normalize_document,
)
from portfolio.models import OPEN_STAGES, ContactPoint, Debt, Debtor, Payment


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


@dataclass(frozen=True)
class SignInExample:
    """A debtor who can sign in to the portal, and what they type there."""

    debtor: Debtor
    document_type: str
    document_number: str
    last_digits: str
    channel: str  # where the one-time code goes: sms, whatsapp or email
    destination: str  # that contact point, masked as the portal shows it


def sign_in_example(*, look_at: int = 50) -> SignInExample | None:
    """The first debtor (by id) who can sign in with their document, for the demo's banner.

    Can sign in: an open debt, a consented channel for the code, and their document finds them
    (not an earlier debtor with the same document). The same seeded data gives the same debtor.
    """
    consented = ContactPoint.objects.filter(
        debtor=OuterRef("pk"), channel__in=CODE_CHANNELS, consent_granted=True
    )
    open_debt = Debt.objects.filter(debtor=OuterRef("pk"), stage__in=OPEN_STAGES)
    candidates = (
        Debtor.objects.filter(Exists(open_debt), Exists(consented))
        .exclude(document_number="")
        .order_by("id")[:look_at]
    )
    for debtor in candidates:
        found = debtor_by_document(
            document_type=debtor.document_type, document_number=debtor.document_number
        )
        point = code_destination(debtor)
        if found is None or found.pk != debtor.pk or point is None:
            continue
        number = normalize_document(debtor.document_number)
        return SignInExample(
            debtor=debtor,
            document_type=debtor.document_type,
            document_number=number,
            last_digits=number[-4:],
            channel=point.channel,
            destination=masked_destination(point),
        )
    return None
