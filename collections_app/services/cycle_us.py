"""The daily cycle's US duties (Reg F): validation notices first, escalation after them.

* Every open US debt in a collection stage without a validation notice sent gets one planned
  (a ContactAction, template `validation_notice`, by e-mail when the debtor consented to one,
  else by letter); US-VALIDATION holds its other collection messages until it is sent. A
  notice planned in the last 7 days and not sent yet is not planned again (its message may
  still go out; one suppressed or cancelled is tried again a week later).
* Escalation waits: a US debt without a notice sent moves no further than
  `friendly_reminder` (the stage whose entry plans the notice), and none enters `pre_legal`
  before its validation period has ended (a pre-legal notice inside the period would
  overshadow the right to dispute, FDCPA 15 USC 1692g(b)).
"""

import datetime

import pandas as pd
from django.db import connection
from django.utils import timezone

from collections_app.services.notice_actions import (
    EMAIL_ELSE_LETTER_SQL,
    HOLD_IN_FORCE_SQL,
    notice_actions_insert,
)
from messaging.models import ContactAction
from messaging.services.compliance.purpose import VALIDATION_TEMPLATE
from messaging.services.compliance.rules import COLLECTION_STAGES
from portfolio.models import Stage

US = "US"
RETRY_DAYS = 7
NO_CAP = 99


def validation_notices_plan(*, business_date: datetime.date, run_id: int) -> int:
    """Plan the day's validation notices (set-based, idempotent); returns how many were new."""
    with connection.cursor() as cursor:
        return notice_actions_insert(
            cursor,
            select_sql=f"""
            SELECT d.id, %(day)s::date, d.stage, {EMAIL_ELSE_LETTER_SQL.format(alias="d")},
                   %(template)s::text, %(planned)s::text, NULL::bigint, %(run)s::bigint,
                   %(now)s::timestamptz
              FROM portfolio_debt d
              JOIN portfolio_debtor p ON p.id = d.debtor_id
             WHERE p.country = %(us)s AND d.stage = ANY(%(stages)s)
               AND d.validation_notice_sent_at IS NULL
               AND NOT {HOLD_IN_FORCE_SQL.format(alias="d")}
               AND NOT EXISTS (
                   SELECT 1 FROM messaging_contactaction a
                    WHERE a.debt_id = d.id AND a.template_code = %(template)s
                      AND a.business_date > %(since)s AND a.business_date <= %(day)s)
            """,
            params={
                "day": business_date,
                "since": business_date - datetime.timedelta(days=RETRY_DAYS),
                "template": VALIDATION_TEMPLATE,
                "planned": ContactAction.Status.PLANNED,
                "run": run_id,
                "now": timezone.now(),
                "us": US,
                "stages": list(COLLECTION_STAGES),
            },
        )


def escalation_caps(debts: pd.DataFrame, *, business_date: datetime.date) -> pd.DataFrame:
    """`debts` with `cap_rank`: the highest ladder rank (0 current ... 4 legal) the cycle may
    move each debt to today: 1 for a US debt without a validation notice sent, 2 for one still
    inside its validation period, no cap otherwise."""
    debts = debts.copy()
    debts["cap_rank"] = NO_CAP
    if debts.empty:
        return debts
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.validation_notice_sent_at IS NULL, d.validation_period_ends_on"
            "  FROM portfolio_debt d JOIN portfolio_debtor p ON p.id = d.debtor_id"
            " WHERE p.country = %s AND d.id = ANY(%s)"
            "   AND (d.validation_notice_sent_at IS NULL OR d.validation_period_ends_on >= %s)",
            [US, [int(i) for i in debts["id"].tolist()], business_date],
        )
        caps = {debt_id: 1 if unsent else 2 for debt_id, unsent, _ends in cursor.fetchall()}
    if caps:
        debts["cap_rank"] = debts["id"].map(caps).fillna(NO_CAP).astype(int)
    return debts


CAP_STAGES = {1: Stage.FRIENDLY_REMINDER.value, 2: Stage.FIRM_NOTICE.value}
