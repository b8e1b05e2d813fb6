"""Contact points a provider reported dead: marked invalid, so nothing plans or sends to them."""

import datetime

from django.db import transaction

from portfolio.models import ContactPoint


@transaction.atomic
def contact_points_invalidate(
    *, channel: str, value: str, reason: str, at: datetime.datetime
) -> list[int]:
    """Mark every debtor's point with this address invalid; the debtors who have it.

    An address that hard-bounced is dead for whoever gave it: each debtor's point with the
    same address (whatever its case) is marked, each with its history row. A point already
    marked keeps when and why it was first marked.
    """
    points = (
        ContactPoint.objects.select_for_update()
        .filter(channel=channel, value__iexact=value.strip())
        .order_by("id")
    )
    debtor_ids = set()
    for point in points:
        debtor_ids.add(point.debtor_id)
        if point.invalid_at is not None:
            continue
        point.invalid_at = at
        point.invalid_reason = reason[:255]
        point._change_reason = reason[:100]
        point.save(update_fields=["invalid_at", "invalid_reason", "updated_at"])
    return sorted(debtor_ids)
