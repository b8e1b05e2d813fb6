"""Contact points a provider reported dead: marked invalid, so nothing plans or sends to them."""

import datetime

from django.db import transaction

from portfolio.models import ContactPoint


@transaction.atomic
def contact_points_invalidate(
    *, channel: str, value: str, reason: str, at: datetime.datetime
) -> list[int]:
    """Mark every debtor's point with this address invalid (once); the debtors whose changed.

    An address that hard-bounced is dead for whoever gave it: each debtor's point with the
    same address is marked, each with its history row. Marking again changes nothing.
    """
    points = (
        ContactPoint.objects.select_for_update()
        .filter(channel=channel, value__iexact=value.strip(), invalid_at__isnull=True)
        .order_by("id")
    )
    changed = []
    for point in points:
        point.invalid_at = at
        point.invalid_reason = reason[:255]
        point._change_reason = reason[:100]
        point.save(update_fields=["invalid_at", "invalid_reason", "updated_at"])
        changed.append(point.debtor_id)
    return sorted(set(changed))
