"""Collection fees: charged once per debt and stage, only as the creditor's rules allow.

A fee is charged for a debt in a stage when (COMPLIANCE.md, CO-FEES):
- the creditor has an active fee rule for the debtor's country and that stage;
- the rule was disclosed to debtors on or before the day the debt entered the stage;
- real collection work happened in the stage: a message of that stage was sent (or delivered)
  for the debt since it entered it;
- the debt is not a housing loan (mortgage) at pre-legal in Colombia.

The fee is the rule's percentage of what is owed (principal and interest, never fees on fees),
at most its cap: one `fee` entry, the fees component, added to the debt's fees and balance. The
unique (debt, stage) index on fee entries makes a second run (or a replayed date) charge
nothing. It lives in collections_app because it reads messaging's sent messages, which the
ledger (below messaging) may not.
"""

import datetime

from django.db import connection, transaction

from ledger.models import FeeRule, LedgerEntry
from messaging.models import Message, MessageDebt
from portfolio.models import Debt, Debtor, Product, Stage

# The stages a fee may be charged in (a closed debt is charged nothing; `current` is not
# collection).
FEE_STAGES = (Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE, Stage.PRE_LEGAL, Stage.LEGAL)
WORK_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED)


def _fees_sql() -> str:
    stages = ", ".join(f"'{stage}'" for stage in FEE_STAGES)
    work = ", ".join(f"'{status}'" for status in WORK_STATUSES)
    return f"""
WITH locked AS (
    -- Debts in a fee-bearing stage, locked in id order (portfolio.services.locks).
    SELECT d.id, d.creditor_id, d.debtor_id, d.product, d.currency, d.principal, d.interest,
           d.stage, d.stage_entered_on, d.due_date
    FROM {Debt._meta.db_table} d
    WHERE d.stage IN ({stages}) AND d.stage_entered_on IS NOT NULL
      AND d.stage_entered_on <= %(as_of)s
      AND EXISTS (
          SELECT 1 FROM {FeeRule._meta.db_table} f
          WHERE f.creditor_id = d.creditor_id AND f.stage = d.stage AND f.is_active
      )
    ORDER BY d.id
    FOR NO KEY UPDATE
),
due AS (
    SELECT l.id AS debt_id, l.creditor_id, l.currency, l.stage,
           (%(as_of)s::date - l.due_date) AS dpd, f.id AS rule_id,
           least(round((l.principal + l.interest) * f.percent / 100, 2),
                 coalesce(f.max_amount, l.principal + l.interest)) AS fee
    FROM locked l
    JOIN {Debtor._meta.db_table} p ON p.id = l.debtor_id
    JOIN {FeeRule._meta.db_table} f
      ON f.creditor_id = l.creditor_id AND f.country = p.country AND f.stage = l.stage
         AND f.is_active
    WHERE f.disclosed_on <= l.stage_entered_on
      -- Never on a housing loan at pre-legal in Colombia.
      AND NOT (p.country = 'CO' AND l.product = '{Product.MORTGAGE}'
               AND l.stage = '{Stage.PRE_LEGAL}')
      -- Real work: a message of this stage went out for the debt since it entered the stage.
      AND EXISTS (
          SELECT 1
          FROM {MessageDebt._meta.db_table} md
          JOIN {Message._meta.db_table} m ON m.id = md.message_id
          WHERE md.debt_id = l.id AND m.stage = l.stage AND m.status IN ({work})
            AND m.business_date >= l.stage_entered_on AND m.business_date <= %(as_of)s
      )
),
written AS (
    INSERT INTO {LedgerEntry._meta.db_table} (
        debt_id, creditor_id, currency, kind, posted_on, created_at, principal, interest,
        fees, amount, payment_id, stage, days_past_due, rate, rate_capped, source_id, user_id,
        memo
    )
    SELECT debt_id, creditor_id, currency, 'fee', %(as_of)s, now(), 0, 0,
           fee, fee, NULL, stage, greatest(dpd, 0), NULL, false, rule_id, NULL, ''
    FROM due
    WHERE fee > 0
    ON CONFLICT DO NOTHING
    RETURNING debt_id, fees
)
UPDATE {Debt._meta.db_table} d
SET fees = d.fees + w.fees, balance = d.balance + w.fees, updated_at = now()
FROM written w
WHERE d.id = w.debt_id
"""


def fees_charge(*, as_of: datetime.date) -> int:
    """Charge the collection fees due on `as_of` (set-based); the number of fees charged."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_fees_sql(), {"as_of": as_of})
        return cursor.rowcount
