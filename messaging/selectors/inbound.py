"""Reads of the inbox: the WhatsApp service window (for dispatch), the scoped team inbox, a
conversation's thread."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from core.documents import document_normalise
from core.roles import MANAGER, user_role
from core.scoping import scope_for_user
from messaging.addresses import address_normalise
from messaging.models import InboundMessage, InboundStatus, Message
from portfolio.models import ContactPoint, Creditor, Debtor

# WhatsApp's customer service window: free text is allowed for 24 hours after the customer's
# last message; outside it a business-initiated message needs an approved template.
SERVICE_WINDOW = datetime.timedelta(hours=24)


def service_window_open(*, channel: str, address: str, at: datetime.datetime) -> bool:
    """Whether an inbound on `channel` from `address` arrived in the 24 hours before `at`."""
    return InboundMessage.objects.filter(
        channel=channel,
        address=address_normalise(channel=channel, address=address),
        received_at__gt=at - SERVICE_WINDOW,
        received_at__lte=at,
    ).exists()


def service_windows_open(
    *, channel: str, addresses: Iterable[str], at: datetime.datetime
) -> set[str]:
    """The addresses (as given) whose service window on `channel` is open at `at`; one query."""
    given: dict[str, set[str]] = {}
    for address in addresses:
        if address:
            given.setdefault(address_normalise(channel=channel, address=address), set()).add(
                address
            )
    if not given:
        return set()
    open_ = (
        InboundMessage.objects.filter(
            channel=channel,
            address__in=list(given),
            received_at__gt=at - SERVICE_WINDOW,
            received_at__lte=at,
        )
        .order_by()
        .values_list("address", flat=True)
        .distinct()
    )
    return {original for normalised in open_ for original in given[normalised]}


# --- the team inbox --------------------------------------------------------------------------


def inbound_queryset(*, user) -> QuerySet[InboundMessage]:
    """Inbound the user may see: admin all; manager their creditors' and the unmatched no
    creditor claims; collector those of their cases or assigned to them (matched only)."""
    queryset = InboundMessage.objects.all()
    role = user_role(user)
    if role == MANAGER:
        # An unknown sender, or an address shared across creditors, is triaged by managers.
        return queryset.filter(
            Q(creditor__in=Creditor.objects.filter(managers=user)) | Q(creditor__isnull=True)
        )
    return scope_for_user(
        queryset,
        user=user,
        collector=lambda u: Q(debtor__isnull=False) & (Q(debt__assigned_to=u) | Q(assigned_to=u)),
    )


STATUS_FILTERS = ("open", "unread", "read", "handled", "all")


@dataclass(frozen=True)
class InboxFilters:
    status: str = "open"
    channel: str = ""
    assigned: str = ""  # "", "me", "unassigned", "unmatched" or a collector's id
    q: str = ""


def inbox_list(*, user, filters: InboxFilters) -> QuerySet[InboundMessage]:
    """The team inbox: scoped, filtered, newest first, with what each row shows."""
    queryset = inbound_queryset(user=user).select_related(
        "debtor", "debt", "assigned_to", "creditor", "in_reply_to"
    )
    if filters.status == "open":
        queryset = queryset.exclude(status=InboundStatus.HANDLED)
    elif filters.status in (InboundStatus.UNREAD, InboundStatus.READ, InboundStatus.HANDLED):
        queryset = queryset.filter(status=filters.status)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.assigned == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.assigned == "unassigned":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assigned == "unmatched":
        queryset = queryset.filter(debtor__isnull=True)
    elif filters.assigned.isdigit():
        queryset = queryset.filter(assigned_to_id=int(filters.assigned))
    text = filters.q.strip()
    if text:
        which = (
            Q(debtor__full_name__icontains=text)
            | Q(address__icontains=text)
            | Q(body__icontains=text)
            | Q(subject__icontains=text)
        )
        document = document_normalise(None, text)
        if document:
            which |= Q(debtor__document_number=document)
        queryset = queryset.filter(which)
    return queryset.order_by("-received_at", "-id")


def inbox_unread_count(*, user) -> int:
    """How many unread inbound the user may see (the navigation's badge)."""
    return inbound_queryset(user=user).filter(status=InboundStatus.UNREAD).count()


def inbound_get(*, user, pk: int) -> InboundMessage | None:
    """One inbound the user may see, or None (a 404 for them, like one that does not exist)."""
    return (
        inbound_queryset(user=user)
        .select_related("debtor", "debt", "assigned_to", "creditor", "in_reply_to")
        .filter(pk=pk)
        .first()
    )


THREAD_LIMIT = 100


def inbound_thread(*, inbound: InboundMessage, limit: int = THREAD_LIMIT) -> list:
    """The conversation on this address and channel, oldest first: what we sent (sent,
    delivered or failed) and what came back, as (kind, object) pairs with kind "out" / "in"."""
    addresses = {inbound.address}
    inbound_rows = InboundMessage.objects.filter(channel=inbound.channel, address=inbound.address)
    if inbound.debtor_id is not None:
        inbound_rows = inbound_rows.filter(debtor_id=inbound.debtor_id)
        points = ContactPoint.objects.filter(debtor_id=inbound.debtor_id, channel=inbound.channel)
        addresses |= set(points.values_list("value", flat=True))
        outbound = Message.objects.filter(
            debtor_id=inbound.debtor_id,
            channel=inbound.channel,
            to__in=addresses,
            status__in=(Message.Status.SENT, Message.Status.DELIVERED, Message.Status.FAILED),
        )
    else:
        inbound_rows = inbound_rows.filter(debtor__isnull=True)
        outbound = Message.objects.none()
    if inbound.in_reply_to_id is not None:
        outbound = outbound | Message.objects.filter(pk=inbound.in_reply_to_id)
    sent = list(outbound.order_by("-sent_at", "-id")[:limit])
    received = list(inbound_rows.order_by("-received_at", "-id")[:limit])
    rows = [("out", m, m.sent_at or m.planned_for) for m in sent] + [
        ("in", i, i.received_at) for i in received
    ]
    rows.sort(key=lambda row: (row[2], 0 if row[0] == "out" else 1))
    return [(kind, item) for kind, item, _at in rows[-limit:]]


def inbound_candidates(*, user, inbound: InboundMessage) -> list[Debtor]:
    """The debtors an ambiguous inbound may be from, among those the user may see."""
    if not inbound.candidate_debtor_ids:
        return []
    return list(
        scope_for_user(Debtor.objects.filter(pk__in=inbound.candidate_debtor_ids), user=user)
        .select_related("creditor")
        .order_by("full_name", "id")
    )
