"""The daily cycle's bureau notice step: every debt gets its credit-bureau prior notice in time.

A negative report needs a notice first (messaging.services.compliance.bureau: CO 20 calendar
days after it, two notices on different days for debts up to 15% of a monthly minimum wage;
US 14 days). The cycle plans it, set-based and idempotent, as a contact action with template
`bureau_notice` (by e-mail when the debtor consented to one, else by letter):

* the first notice when an open debt with a balance reaches the firm-notice stage (or is past
  it) and no bureau notice (the pre-legal notice counts too) is planned or has gone out;
* for a small debt outside the US with exactly one notice sent, the second one at least
  CO_SECOND_NOTICE_AFTER_DAYS later (a different day, so the 20 days count from it).

A held debt gets none; none is planned while a bureau notice (this one, or the pre-legal
notice the cadence plans on entering pre-legal, which says the same) was planned in the last
7 days: the cycle runs this step after the cadence's actions.

A certified letter (messaging.services.compliance.certified) counts as a notice only with its
proof of receipt, dated by it; sent without one yet, it is pending like a planned notice (no
second notice is planned before the first one's proof, and none is planned again).
"""

import datetime

from django.db import connection
from django.utils import timezone

from collections_app.services.notice_actions import (
    EMAIL_ELSE_LETTER_SQL,
    HOLD_IN_FORCE_SQL,
    notice_actions_insert,
)
from messaging.models import ContactAction, LetterProof, Message, MessageDebt
from messaging.services.compliance.bureau import (
    BUREAU_NOTICE_STATUSES,
    BUREAU_NOTICE_TEMPLATE,
    BUREAU_NOTICE_TEMPLATES,
    CO_SECOND_NOTICE_AFTER_DAYS,
    CO_SMALL_DEBT_SHARE,
    co_minimum_wage,
)
from messaging.services.compliance.certified import certified_sql, notice_on_sql
from portfolio.models import Stage

RETRY_DAYS = 7
# From the firm notice on: the first notice goes well before a report could (pre-legal).
NOTICE_STAGES = (Stage.FIRM_NOTICE, Stage.PRE_LEGAL, Stage.LEGAL)


# The day a sent notice counts from (NULL for a certified letter without its proof: count and
# max skip it) and whether it is a certified letter, for message m to debtor q.
NOTICE_ON = notice_on_sql(message="m", debtor="q", proof="lp")
CERTIFIED = certified_sql(message="m", debtor="q")


def bureau_notices_plan(*, business_date: datetime.date, run_id: int | None) -> int:
    """Plan the day's bureau notices (first, and second for small debts); how many were new.

    Two disjoint sets, each read its own way (#17): the debts without any notice planned or
    gone out (one anti-join), and the small debts outside the US with one (their notices
    counted, and no one else's: the notices of every debt ever sent one grow each day)."""
    live = [*BUREAU_NOTICE_STATUSES, Message.Status.PLANNED]
    select = f"""
        SELECT d.id, %(day)s::date, d.stage, {EMAIL_ELSE_LETTER_SQL.format(alias="d")},
               %(template)s::text, %(planned)s::text, NULL::bigint, %(run)s::bigint,
               %(now)s::timestamptz
          FROM portfolio_debt d
          JOIN portfolio_debtor p ON p.id = d.debtor_id"""
    # Held debts get none; nor does one whose notice was planned in the last RETRY_DAYS.
    eligible = f"""
        d.stage = ANY(%(stages)s) AND d.balance > 0
        AND NOT {HOLD_IN_FORCE_SQL.format(alias="d")}
        AND NOT EXISTS (
            SELECT 1 FROM {ContactAction._meta.db_table} a
             WHERE a.debt_id = d.id AND a.template_code = ANY(%(templates)s)
               AND a.business_date > %(since)s AND a.business_date <= %(day)s)"""
    small = "p.country <> 'US' AND d.balance <= %(small)s::numeric"
    with connection.cursor() as cursor:
        return notice_actions_insert(
            cursor,
            select_sql=f"""
            {select}
             WHERE {eligible}
               AND NOT EXISTS (
                   SELECT 1 FROM {MessageDebt._meta.db_table} md
                     JOIN {Message._meta.db_table} m ON m.id = md.message_id
                    WHERE md.debt_id = d.id AND m.template = ANY(%(templates)s)
                      AND m.status = ANY(%(live)s))
            UNION ALL
            {select}
              JOIN (
                    SELECT md.debt_id
                      FROM {MessageDebt._meta.db_table} md
                      JOIN portfolio_debt d ON d.id = md.debt_id
                      JOIN portfolio_debtor p ON p.id = d.debtor_id
                      JOIN {Message._meta.db_table} m ON m.id = md.message_id
                      JOIN portfolio_debtor q ON q.id = m.debtor_id
                      LEFT JOIN {LetterProof._meta.db_table} lp ON lp.message_id = m.id
                     WHERE m.template = ANY(%(templates)s) AND m.status = ANY(%(live)s)
                       AND d.balance > 0 AND {small}
                     GROUP BY md.debt_id
                    HAVING count(DISTINCT {NOTICE_ON})
                               FILTER (WHERE m.status = ANY(%(sent)s) AND m.sent_at IS NOT NULL)
                               = 1
                       AND count(*) FILTER (WHERE m.status = 'planned'
                                             OR (m.status = ANY(%(sent)s) AND {CERTIFIED}
                                                 AND lp.id IS NULL)) = 0
                       AND max({NOTICE_ON}) FILTER (WHERE m.status = ANY(%(sent)s))
                           <= %(second_after)s
              ) n ON n.debt_id = d.id
             WHERE {eligible} AND {small}
            """,
            params={
                "day": business_date,
                "since": business_date - datetime.timedelta(days=RETRY_DAYS),
                "second_after": business_date
                - datetime.timedelta(days=CO_SECOND_NOTICE_AFTER_DAYS),
                "template": BUREAU_NOTICE_TEMPLATE,
                "templates": list(BUREAU_NOTICE_TEMPLATES),
                "sent": list(BUREAU_NOTICE_STATUSES),
                "live": [str(s) for s in live],
                "planned": ContactAction.Status.PLANNED,
                "run": run_id,
                "now": timezone.now(),
                "stages": [str(s) for s in NOTICE_STAGES],
                "small": str(co_minimum_wage() * CO_SMALL_DEBT_SHARE),
            },
        )
