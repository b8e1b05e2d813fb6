"""Agreement messages as ContactAction rows (messaging turns them into messages)."""

import datetime

from django.db import connection
from django.utils import timezone

from messaging.models import ContactAction
from portfolio.models import Channel, ContactPoint, Debt

AGREEMENT_CHANNELS = (Channel.EMAIL, Channel.SMS)


def notices_insert(*, debt_ids, template_code: str, business_date: datetime.date) -> int:
    """Insert one planned ContactAction per debt and channel (idempotent by the unique key).

    One INSERT ... SELECT. The channels: the debtor's consented e-mail/SMS points, else those
    on file, else e-mail (a point that bounced counts as not on file). With no consent the
    action is still recorded (the debtor has a right to the terms); messaging's compliance
    check suppresses what may not be sent.
    Returns the rows inserted."""
    ids = sorted({int(i) for i in debt_ids})
    if not ids:
        return 0
    action, debt, point = (m._meta.db_table for m in (ContactAction, Debt, ContactPoint))
    sql = f"""
        INSERT INTO {action} (debt_id, business_date, stage, channel, template_code, status,
                              created_at)
        SELECT d.id, %(day)s, d.stage, c.channel, %(template)s, %(planned)s, %(now)s
          FROM {debt} d
          CROSS JOIN LATERAL (
              WITH mine AS (
                  SELECT p.channel, bool_or(p.consent_granted) AS granted
                    FROM {point} p
                   WHERE p.debtor_id = d.debtor_id AND p.channel = ANY(%(channels)s)
                     AND p.invalid_at IS NULL
                   GROUP BY p.channel
              )
              SELECT channel FROM mine
               WHERE granted OR NOT EXISTS (SELECT 1 FROM mine WHERE granted)
              UNION ALL
              SELECT %(fallback)s WHERE NOT EXISTS (SELECT 1 FROM mine)
          ) c
         WHERE d.id = ANY(%(ids)s)
         ORDER BY d.id, c.channel
        ON CONFLICT DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "day": business_date,
                "template": template_code,
                "planned": ContactAction.Status.PLANNED,
                "now": timezone.now(),
                "channels": [str(c) for c in AGREEMENT_CHANNELS],
                "fallback": str(Channel.EMAIL),
                "ids": ids,
            },
        )
        return cursor.rowcount
