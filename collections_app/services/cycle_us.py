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
from portfolio.models import OPEN_STAGES, Stage

US = "US"
RETRY_DAYS = 7
NO_CAP = 99


def validation_notices_plan(
    *, business_date: datetime.date, run_id: int, key_deferred: bool = False
) -> int:
    """Plan the day's validation notices (set-based, idempotent); returns how many were new.
    `key_deferred`: see notice_actions_insert."""
    with connection.cursor() as cursor:
        return notice_actions_insert(
            cursor,
            key_deferred=key_deferred,
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


# Above this many debts the caps are read for every open US debt rather than for the given
# ids: a million ids sent as one array took 3.0-3.2 s at 1M debts (1.4 s adapting it in
# Python, 0.5 s parsing it, 1.2 s probing the key per id), the whole capped set 0.33-0.38 s.
CAPS_BY_ID_MAX = 10_000


def escalation_caps(debts: pd.DataFrame, *, business_date: datetime.date) -> pd.DataFrame:
    """`debts` with `cap_rank`: the highest ladder rank (0 current ... 4 legal) the cycle may
    move each debt to today: 1 for a US debt without a validation notice sent, 2 for one still
    inside its validation period, no cap otherwise. `debts` are open debts (the cycle's)."""
    debts = debts.copy()
    debts["cap_rank"] = NO_CAP
    if debts.empty:
        return debts
    sql = (
        "SELECT d.id, CASE WHEN d.validation_notice_sent_at IS NULL THEN 1 ELSE 2 END"
        "  FROM portfolio_debt d JOIN portfolio_debtor p ON p.id = d.debtor_id"
        " WHERE p.country = %(us)s"
        "   AND (d.validation_notice_sent_at IS NULL OR d.validation_period_ends_on >= %(day)s)"
    )
    params: dict = {"us": US, "day": business_date}
    if len(debts) <= CAPS_BY_ID_MAX:
        sql += " AND d.id = ANY(%(ids)s)"
        params["ids"] = [int(i) for i in debts["id"].tolist()]
    else:
        # Every capped open debt; those not in `debts` are left out by the lookup below.
        sql += " AND d.stage = ANY(%(open)s)"
        params["open"] = [str(stage) for stage in OPEN_STAGES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        caps = dict(cursor.fetchall())
    if caps:
        debts["cap_rank"] = debts["id"].map(caps).fillna(NO_CAP).astype(int)
    return debts


CAP_STAGES = {1: Stage.FRIENDLY_REMINDER.value, 2: Stage.FIRM_NOTICE.value}
