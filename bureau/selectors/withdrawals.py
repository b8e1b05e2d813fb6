"""Reported debts whose report stands without the required notice: withdrawals due."""

import datetime
from decimal import Decimal

import pandas as pd
from django.db import connection

from bureau.models import FurnishedAccount, FurnishingRun, ReportAction
from bureau.models.runs import RunStatus
from bureau.selectors.eligibility import notice_frame, notice_verdicts, small_debt_limit
from collections_app.models import Interaction
from portfolio.models import Debt

LATEST_COLUMNS = [
    "debt_id", "bureau", "run_id", "cut_off", "action", "days_late", "balance", "closed_on",
    "remove_after", "payment_history", "first_delinquency_on", "stage", "country",
]  # fmt: skip


def latest_lines(
    *, creditor_id: int, bureau: str | None = None, before: datetime.date | None = None
) -> pd.DataFrame:
    """Per debt and bureau, the line of the latest submitted run (cut-off before `before`)."""
    line, run = FurnishedAccount._meta.db_table, FurnishingRun._meta.db_table
    sql = f"""
        SELECT DISTINCT ON (l.debt_id, r.bureau)
               l.debt_id, r.bureau, r.id, r.cut_off, l.action, l.days_late, l.balance,
               l.closed_on, l.remove_after, l.payment_history, l.first_delinquency_on,
               d.stage, p.country
          FROM {line} l
          JOIN {run} r ON r.id = l.run_id
          JOIN {Debt._meta.db_table} d ON d.id = l.debt_id
          JOIN portfolio_debtor p ON p.id = d.debtor_id
         WHERE r.creditor_id = %s AND r.status = %s
           AND (%s::text IS NULL OR r.bureau = %s::text)
           AND (%s::date IS NULL OR r.cut_off < %s::date)
         ORDER BY l.debt_id, r.bureau, r.cut_off DESC, r.id DESC
    """
    params = [creditor_id, RunStatus.SUBMITTED, bureau, bureau, before, before]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame.from_records(rows, columns=LATEST_COLUMNS)


def withdrawals_in(latest: pd.DataFrame) -> pd.DataFrame:
    """The latest lines that reported a debt late without the notice the ledger needed then."""
    reported = latest[(latest["action"] == ReportAction.REPORT) & (latest["days_late"] > 0)]
    if reported.empty:
        return reported.assign(reason_code=pd.Series(dtype=object))
    pairs = reported[["debt_id", "cut_off"]].rename(columns={"cut_off": "as_of"})
    pairs = pairs.drop_duplicates()
    notices = notice_frame(pairs)
    frame = reported.merge(
        notices, left_on=["debt_id", "cut_off"], right_on=["debt_id", "as_of"], how="left"
    )
    limit = Decimal(small_debt_limit())
    frame["small"] = [Decimal(b) <= limit for b in frame["balance"]]
    frame["too_old"] = False  # the notice is what a withdrawal is about, not the 18 months
    frame["spoke"] = _spoke(frame)
    frame = notice_verdicts(frame)
    return frame[~frame["eligible"]][[*LATEST_COLUMNS, "reason_code"]]


def _spoke(frame: pd.DataFrame) -> list[bool]:
    """US: a conversation with the consumer on or before each line's cut-off."""
    us = frame[frame["country"] == "US"]
    if us.empty:
        return [False] * len(frame)
    spoken = set(
        Interaction.objects.filter(
            debt_id__in=[int(i) for i in us["debt_id"]], outcome__in=Interaction.RPC_OUTCOMES
        ).values_list("debt_id", "occurred_at__date")
    )
    first = {}
    for debt_id, day in spoken:
        first[debt_id] = min(day, first.get(debt_id, day))
    return [
        c == "US" and d in first and first[d] <= cut
        for d, c, cut in zip(frame["debt_id"], frame["country"], frame["cut_off"], strict=True)
    ]


def withdrawals_due(*, creditor, bureau: str | None = None) -> pd.DataFrame:
    """Debts whose report standing at a bureau was made without the required notice (debt_id,
    bureau, run_id, cut_off, reason_code): the next run withdraws them."""
    latest = latest_lines(creditor_id=creditor.pk, bureau=bureau)
    if latest.empty:
        return pd.DataFrame(columns=["debt_id", "bureau", "run_id", "cut_off", "reason_code"])
    due = withdrawals_in(latest)
    return due[["debt_id", "bureau", "run_id", "cut_off", "reason_code"]].reset_index(drop=True)
