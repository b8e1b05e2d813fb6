"""Experiment arms as messaging reads them (through the `debtor_arms_sql` hook).

Planning runs over the whole book every night: it asks once whether any debtor is in a running
experiment (`arms_running`) and joins the arms only then, for the day's debtors only. The other
writers (thank-yous, agreement messages, notices, agreements themselves) read one debtor's arm.
"""

import datetime
import json

import pandas as pd
from django.db import connection

from messaging.hooks import debtor_arms_sql

ARM_COLUMNS = ["debtor_id", "creditor_id", "arm_id", "template_version_id", "send_from_hour",
               "send_to_hour"]  # fmt: skip


def arms_running() -> bool:
    """Whether any debtor is in a running experiment's arm (one cheap query per run)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {debtor_arms_sql.call_one()} x)")
        return bool(cursor.fetchone()[0])


def arms_load(*, debtors_sql: str) -> pd.DataFrame:
    """The arms of the debtors `debtors_sql` selects (a SELECT of debtor ids): ARM_COLUMNS, one
    row per debtor and creditor (a debtor is in one running experiment of a creditor); the
    overrides NaN where the arm sets none. Experiments cover a slice of the book: fetched."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT ON (x.debtor_id, x.creditor_id) x.debtor_id, x.creditor_id,"
            f"       x.arm_id, x.template_version_id, x.send_from_hour, x.send_to_hour"
            f"  FROM {debtor_arms_sql.call_one()} x"
            f" WHERE x.debtor_id IN ({debtors_sql})"
            f" ORDER BY x.debtor_id, x.creditor_id, x.experiment_id"
        )
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=ARM_COLUMNS)
    for name in ("debtor_id", "creditor_id", "arm_id"):
        frame[name] = frame[name].astype("int64")
    for name in ARM_COLUMNS[3:]:
        frame[name] = frame[name].astype("float64")
    return frame


def debtor_arm(*, debtor_id: int, creditor_id: int) -> dict | None:
    """One debtor's arm with a creditor ({arm_id, experiment_id, role, template_version_id,
    send_from_hour, send_to_hour, offer, holdout}), or None outside any running experiment."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT x.arm_id, x.experiment_id, x.role, x.template_version_id,"
            f"       x.send_from_hour, x.send_to_hour, x.offer, x.holdout"
            f"  FROM {debtor_arms_sql.call_one()} x"
            f" WHERE x.debtor_id = %s AND x.creditor_id = %s"
            f" ORDER BY x.experiment_id LIMIT 1",
            [debtor_id, creditor_id],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        names = [column[0] for column in cursor.description]
    arm = dict(zip(names, row, strict=True))
    offer = arm["offer"]
    if isinstance(offer, str):  # a driver that leaves jsonb as text
        offer = json.loads(offer)
    arm["offer"] = offer or {}
    return arm


def arm_id_for(*, debtor_id: int, creditor_id: int) -> int | None:
    """The arm a row written for a debt of `creditor_id` of this debtor records (or None)."""
    arm = debtor_arm(debtor_id=debtor_id, creditor_id=creditor_id)
    return arm["arm_id"] if arm else None


def hours_window(send_from_hour, send_to_hour) -> tuple[datetime.time, datetime.time] | None:
    """An arm's send hours as local (from, until) times, as preferred hours are (24: midnight
    at the end of the day); None where the arm sets none or they make no window."""
    if send_from_hour is None or send_to_hour is None or pd.isna(send_from_hour):
        return None
    start, end = int(send_from_hour), int(send_to_hour)
    if not 0 <= start < end <= 24:
        return None
    until = datetime.time.max if end == 24 else datetime.time(end)
    return datetime.time(start), until


def narrowed(own, arm):
    """The hours planning keeps inside: the arm's within the debtor's own where they overlap
    (the debtor's choice is theirs; the arm only narrows), else whichever is set."""
    if own is None or arm is None:
        return own or arm
    start, end = max(own[0], arm[0]), min(own[1], arm[1])
    return (start, end) if start < end else own
