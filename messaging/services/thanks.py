"""The thank-you after a debt is paid: a ContactAction planned into a message at once.

Once per debt: a debt paid again after its payment was reversed (a bounced transfer) gets no
second thank-you. A thank-you not sent yet when the payment is reversed is withdrawn
(`payment_thanks_withdraw`): the debtor is not thanked for money that never arrived, and the
payment that really pays the debt is thanked instead.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.reasons import Reason, reason_split
from messaging import reasons
from messaging.models import ContactAction, Message
from portfolio.models import ContactPoint

THANKS_CHANNELS = ("email", "sms", "whatsapp")
THANKS_TEMPLATE = "payment_thanks"


def payment_thanks_plan(*, debt, business_date: datetime.date) -> ContactAction | None:
    """Insert the `payment_thanks` action (idempotent) and plan its message after commit."""
    if (
        ContactAction.objects.filter(debt=debt, template_code=THANKS_TEMPLATE)
        .exclude(status=ContactAction.Status.CANCELLED)
        .exists()
    ):
        return None  # thanked already (or about to be): once per debt
    consented = set(
        ContactPoint.objects.filter(
            debtor_id=debt.debtor_id, consent_granted=True, invalid_at__isnull=True
        ).values_list("channel", flat=True)
    )
    channel = next((c for c in THANKS_CHANNELS if c in consented), None)
    if channel is None:
        return None
    action, _created = ContactAction.objects.get_or_create(
        debt=debt,
        template_code=THANKS_TEMPLATE,
        channel=channel,
        business_date=business_date,
        defaults={"stage": debt.stage, "status": ContactAction.Status.PLANNED},
    )
    if action.status == ContactAction.Status.CANCELLED:
        # Withdrawn the same day (its payment was reversed); this payment is thanked instead.
        action.status = ContactAction.Status.PLANNED
        action.save(update_fields=["status"])
    from messaging.tasks import plan_messages

    transaction.on_commit(lambda: plan_messages.delay(business_date.isoformat(), [action.id]))
    return action


def payment_thanks_plan_bulk(*, debt_ids, business_date: datetime.date) -> int:
    """`payment_thanks` actions for many paid-off debts in one INSERT ... SELECT (idempotent)."""
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(debt_ids), 5000):
            chunk = list(debt_ids[start : start + 5000])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"""
                INSERT INTO messaging_contactaction
                    (debt_id, business_date, stage, channel, template_code, status, created_at)
                SELECT x.id, %s, x.stage, x.channel, 'payment_thanks', %s, %s
                  FROM (SELECT d.id, d.stage,
                               (SELECT cp.channel FROM portfolio_contactpoint cp
                                 WHERE cp.debtor_id = d.debtor_id AND cp.consent_granted
                                   AND cp.invalid_at IS NULL
                                   AND cp.channel IN ('email', 'sms', 'whatsapp')
                                 ORDER BY CASE cp.channel WHEN 'email' THEN 0
                                          WHEN 'sms' THEN 1 ELSE 2 END, cp.id
                                 LIMIT 1) AS channel
                          FROM portfolio_debt d WHERE d.id IN ({placeholders})) x
                 WHERE x.channel IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM messaging_contactaction a
                                    WHERE a.debt_id = x.id AND a.template_code = 'payment_thanks'
                                      AND a.status <> 'cancelled')
                ON CONFLICT (debt_id, template_code, channel, business_date) DO UPDATE
                   SET status = EXCLUDED.status
                 WHERE messaging_contactaction.status = 'cancelled'
                """,
                [business_date, ContactAction.Status.PLANNED, timezone.now(), *chunk],
            )
            inserted += max(cursor.rowcount, 0)
    from messaging.tasks import plan_messages

    transaction.on_commit(lambda: plan_messages.delay(business_date.isoformat()))
    return inserted


def payment_thanks_withdraw(*, debt_id: int) -> int:
    """The payment that paid the debt was reversed: its thank-you, when not sent yet, is
    cancelled (the action and its planned message). Returns the messages cancelled."""
    actions = list(
        ContactAction.objects.filter(debt_id=debt_id, template_code=THANKS_TEMPLATE)
        .exclude(status=ContactAction.Status.CANCELLED)
        .values_list("pk", flat=True)
    )
    if not actions:
        return 0
    # Not the one a sender has claimed: it is leaving now, and then it was sent.
    unsent = Message.objects.filter(
        covered__contact_action_id__in=actions,
        status=Message.Status.PLANNED,
        claim_token__isnull=True,
    )
    code, params, _text = reason_split(Reason(reasons.THANKS_WITHDRAWN))
    cancelled = unsent.update(
        status=Message.Status.CANCELLED,
        suppression_rule="PAYMENT-REVERSED",
        suppression_reason=f"PAYMENT-REVERSED: {_('the payment it thanked for was reversed')}",
        suppression_code=code,
        suppression_params=params,
    )
    sent = Message.objects.filter(covered__contact_action_id__in=actions).exclude(
        status__in=(Message.Status.PLANNED, Message.Status.CANCELLED)
    )
    if not sent.exists():
        ContactAction.objects.filter(pk__in=actions).update(status=ContactAction.Status.CANCELLED)
    return cancelled
