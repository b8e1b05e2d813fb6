"""Reads of the inbox: the WhatsApp service window (for dispatch)."""

import datetime
from collections.abc import Iterable

from messaging.addresses import address_normalise
from messaging.models import InboundMessage

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
