"""Who may be reported negatively at a cut-off, and why the others may not: set-based.

The notice rules are messaging.services.compliance.bureau.bureau_report_allowed's, vectorised:
the notice dates come from the ledger in one query (bureau.selectors.notices), the rest is
pandas over every open debt of the creditor (tests/bureau check both agree row by row).
"""

import datetime

import numpy as np
import pandas as pd
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bureau.selectors.notices import notice_dates_sql
from collections_app.models import Interaction
from complaints.models import Complaint
from core.bulk import frame_copy, temp_table_drop, temp_table_load_frame
from core.scoping import user_manages_creditor
from messaging.services.compliance.bureau import (
    CO_MAX_MONTHS_AFTER_ARREARS,
    CO_NOTICE_DAYS,
    CO_SMALL_DEBT_SHARE,
    US_NOTICE_DAYS,
    co_minimum_wage,
)
from portfolio.models import OPEN_STAGES, Debt
from portfolio.services.holds import HOLD_IN_FORCE_SQL

ELIGIBLE = ""
REASONS = {
    ELIGIBLE: gettext_lazy("May be reported."),
    "paid": gettext_lazy("Paid: nothing is owed."),
    "not_late": gettext_lazy("Nothing is past due."),
    "on_hold": gettext_lazy("On hold (dispute, cease contact, complaint or another hold)."),
    "disputed": gettext_lazy("Disputed: a complaint about the debt or its bureau data is open."),
    "arrears_too_old": gettext_lazy(
        "More than 18 months since the arrears began: a report is no longer possible."
    ),
    "no_notice": gettext_lazy("No bureau prior notice was sent."),
    "small_debt_second_notice": gettext_lazy(
        "Small debt (up to 15 per cent of one monthly minimum wage): a second notice on another "
        "day is needed."
    ),
    "notice_too_recent": gettext_lazy(
        "The notice is too recent: the waiting period has not passed."
    ),
}
COLUMNS = ["debt_id", "debt_ref", "eligible", "reason_code", "reason", "eligible_on"]
NOTICE_COLUMNS = ["debt_id", "as_of", "n_dates", "first_on", "second_on"]
DISPUTE_KINDS = ("dispute", "bureau_claim")


def reason_text(code: str, eligible_on: datetime.date | None = None) -> str:
    text = str(REASONS.get(code, code))
    if code == "notice_too_recent" and eligible_on:
        text = _("The notice is too recent: may be reported from %(date)s.") % {
            "date": eligible_on.isoformat()
        }
    return text


def small_debt_limit() -> str:
    """The balance up to which a CO debt is small (15% of the minimum wage), exact."""
    return str(co_minimum_wage() * CO_SMALL_DEBT_SHARE)


def notice_frame(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per (debt_id, as_of) pair: n_dates, first_on, second_on of the notices that count."""
    temp_table_load_frame(
        name="bureau_pairs", columns=[("debt_id", "bigint"), ("as_of", "date")], frame=pairs
    )
    try:
        frame = frame_copy(notice_dates_sql(pairs_table="bureau_pairs"), columns=NOTICE_COLUMNS)
    finally:
        temp_table_drop(name="bureau_pairs")
    for column in ("as_of", "first_on", "second_on"):
        frame[column] = pd.to_datetime(frame[column].replace("", None)).dt.date
    return frame


def notice_verdicts(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised bureau_report_allowed over `frame` (columns country, as_of, small, too_old,
    spoke, n_dates, first_on, second_on): adds eligible, reason_code, eligible_on."""
    frame = frame.copy()
    n = frame["n_dates"].fillna(0).astype(int).to_numpy()
    as_of = pd.to_datetime(frame["as_of"])
    first = pd.to_datetime(frame["first_on"])
    second = pd.to_datetime(frame["second_on"])
    us = (frame["country"].str.upper() == "US").to_numpy()
    small = frame["small"].astype(bool).to_numpy()
    too_old = frame["too_old"].astype(bool).to_numpy()
    spoke = frame["spoke"].astype(bool).to_numpy()
    # US: the first notice and 14 days, or a conversation.
    us_ready = first + pd.Timedelta(days=US_NOTICE_DAYS)
    # CO (and the default): the `needed`-th notice date and 20 calendar days.
    co_last = pd.Series(np.where(small, second, first), index=frame.index)
    co_last = pd.to_datetime(co_last)
    co_ready = co_last + pd.Timedelta(days=CO_NOTICE_DAYS)
    needed = np.where(small, 2, 1)
    conditions = [
        us & spoke,
        us & (n == 0),
        us & (as_of < us_ready).to_numpy(),
        us,
        ~us & too_old,
        ~us & (n == 0),
        ~us & (n < needed),
        ~us & (as_of < co_ready).to_numpy(),
    ]
    codes = [
        ELIGIBLE,
        "no_notice",
        "notice_too_recent",
        ELIGIBLE,
        "arrears_too_old",
        "no_notice",
        "small_debt_second_notice",
        "notice_too_recent",
    ]
    frame["reason_code"] = np.select(conditions, codes, default=ELIGIBLE)
    frame["eligible"] = frame["reason_code"] == ELIGIBLE
    ready = pd.Series(np.where(us, us_ready, co_ready), index=frame.index)
    recent = frame["reason_code"] == "notice_too_recent"
    frame["eligible_on"] = pd.to_datetime(ready).dt.date.where(recent, None)
    return frame


def open_debts_sql() -> str:
    """SQL (params creditor, as_of, country or NULL, small limit) for every open debt of a
    creditor with what the rules read; one row per debt."""
    complaint = Complaint._meta.db_table
    interaction = Interaction._meta.db_table
    stages = ", ".join(f"'{s}'" for s in OPEN_STAGES)
    # A conversation with the consumer (Reg F 1006.30(a)(1)(i)): a right-party contact.
    rpc = ", ".join(f"'{o}'" for o in sorted(Interaction.RPC_OUTCOMES))
    return f"""
        SELECT d.id, d.debt_ref, p.country, %(as_of)s::date AS as_of,
               d.balance = 0 AS paid,
               (%(as_of)s::date - d.due_date) <= 0 AS not_late,
               {HOLD_IN_FORCE_SQL.format(alias="d")} AS held,
               EXISTS (SELECT 1 FROM {complaint} c WHERE c.debt_id = d.id
                         AND c.status <> 'closed'
                         AND (c.bureau_flag OR c.kind IN ('dispute', 'bureau_claim')))
                   AS disputed,
               d.balance <= %(small)s::numeric AS small,
               %(as_of)s::date
                   > (d.due_date + interval '{CO_MAX_MONTHS_AFTER_ARREARS} months')::date
                   AS too_old,
               (p.country = 'US' AND EXISTS (
                    SELECT 1 FROM {interaction} i WHERE i.debt_id = d.id
                       AND i.outcome IN ({rpc})
                       AND i.occurred_at::date <= %(as_of)s::date)) AS spoke
          FROM {Debt._meta.db_table} d
          JOIN portfolio_debtor p ON p.id = d.debtor_id
         WHERE d.creditor_id = %(creditor)s AND d.stage IN ({stages})
           AND (%(country)s::text IS NULL OR p.country = %(country)s::text)
           AND (%(debt)s::bigint IS NULL OR d.id = %(debt)s::bigint)
         ORDER BY d.id
    """


LOAD_COLUMNS = [
    "debt_id",
    "debt_ref",
    "country",
    "as_of",
    "paid",
    "not_late",
    "held",
    "disputed",
    "small",
    "too_old",
    "spoke",
]


def eligibility_frame(
    *,
    creditor_id: int,
    cut_off: datetime.date,
    country: str | None = None,
    debt_id: int | None = None,
):
    """Every open debt of the creditor (of debtors in `country`, or only `debt_id`, if given)
    with its verdict at the cut-off: the COLUMNS plus the loaded facts. No access check."""
    params = {
        "creditor": creditor_id,
        "as_of": cut_off,
        "country": country,
        "debt": debt_id,
        "small": small_debt_limit(),
    }
    with connection.cursor() as cursor:
        sql = cursor.mogrify(open_debts_sql(), params).decode()
    debts = frame_copy(sql, columns=LOAD_COLUMNS, dtype={"debt_ref": str, "country": str})
    if debts.empty:
        return pd.DataFrame(columns=[*COLUMNS, "country"])
    for column in ("paid", "not_late", "held", "disputed", "small", "too_old", "spoke"):
        debts[column] = debts[column].map({"t": True, "f": False}).fillna(False).astype(bool)
    debts["as_of"] = cut_off
    notices = notice_frame(debts[["debt_id", "as_of"]])
    frame = debts.merge(notices.drop(columns=["as_of"]), on="debt_id", how="left")
    frame = notice_verdicts(frame)
    code = np.select(
        [frame["paid"], frame["not_late"], frame["held"], frame["disputed"]],
        ["paid", "not_late", "on_hold", "disputed"],
        default=frame["reason_code"],
    )
    frame["reason_code"] = code
    frame["eligible"] = frame["reason_code"] == ELIGIBLE
    recent = frame["reason_code"] == "notice_too_recent"
    frame["eligible_on"] = pd.Series(
        [d if r and isinstance(d, datetime.date) else None
         for d, r in zip(frame["eligible_on"], recent, strict=True)],
        index=frame.index,
        dtype=object,
    )  # fmt: skip
    # One translation per distinct (reason, date), not one per debt.
    texts: dict = {}
    frame["reason"] = [
        texts.get((c, d)) or texts.setdefault((c, d), reason_text(c, d))
        for c, d in zip(frame["reason_code"].tolist(), frame["eligible_on"].tolist(), strict=True)
    ]
    return frame


def eligibility(*, creditor, cut_off: datetime.date, user=None) -> pd.DataFrame:
    """Per open debt of `creditor`: debt_id, debt_ref, eligible, reason_code, reason,
    eligible_on at `cut_off`. Empty when `user` (if given) does not manage the creditor."""
    if user is not None and not user_manages_creditor(user=user, creditor_id=creditor.pk):
        return pd.DataFrame(columns=COLUMNS)
    frame = eligibility_frame(creditor_id=creditor.pk, cut_off=cut_off)
    return frame[COLUMNS].reset_index(drop=True)


def eligibility_summary(*, creditor, cut_off: datetime.date, user=None) -> list[dict]:
    """Counts by reason at `cut_off` (reason_code, reason, debts), the eligible first."""
    frame = eligibility(creditor=creditor, cut_off=cut_off, user=user)
    if frame.empty:
        return []
    counts = frame.groupby("reason_code").size()
    order = list(REASONS)
    return [
        {"reason_code": code, "reason": str(REASONS.get(code, code)), "debts": int(counts[code])}
        for code in sorted(counts.index, key=lambda c: order.index(c) if c in order else 99)
    ]


def debt_eligibility(*, debt, cut_off: datetime.date) -> dict | None:
    """One debt's verdict at `cut_off` (debt_id, debt_ref, eligible, reason_code, reason,
    eligible_on), None when it is not open. For the case page and the debtor's portal; the
    caller checks access to the debt."""
    frame = eligibility_frame(creditor_id=debt.creditor_id, cut_off=cut_off, debt_id=debt.pk)
    if frame.empty:
        return None
    return frame[COLUMNS].iloc[0].to_dict()
