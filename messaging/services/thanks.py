"""The thank-you after a debt is paid: a ContactAction planned into a message at once."""

import datetime

from django.db import transaction

from collections_app.models import ContactAction
from portfolio.models import ContactPoint

THANKS_CHANNELS = ("email", "sms", "whatsapp")


def payment_thanks_plan(*, debt, business_date: datetime.date) -> ContactAction | None:
    """Insert the `payment_thanks` action (idempotent) and plan its message after commit."""
    consented = set(
        ContactPoint.objects.filter(debtor_id=debt.debtor_id, consent_granted=True).values_list(
            "channel", flat=True
        )
    )
    channel = next((c for c in THANKS_CHANNELS if c in consented), None)
    if channel is None:
        return None
    action, _created = ContactAction.objects.get_or_create(
        debt=debt,
        template_code="payment_thanks",
        channel=channel,
        business_date=business_date,
        defaults={"stage": debt.stage, "status": ContactAction.Status.PLANNED},
    )
    from messaging.tasks import plan_messages

    transaction.on_commit(lambda: plan_messages.delay(business_date.isoformat(), [action.id]))
    return action
