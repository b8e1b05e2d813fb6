"""The per-debt facts of a run, computed set-based from the books (one query per run).

Which debts go in a run (bureau.services.selection decides): the debts eligible for a negative
report at the cut-off, every debt a submitted run reported before (its update: paid, settled,
agreement, written off, or delete once its permanence ran out) and the withdrawals due.
"""

import bisect
import datetime
import functools
from collections import namedtuple
from decimal import Decimal

import pandas as pd
from django.db import connection

from agreements.models import AgreementDebt, Instalment, PaymentAgreement
from bureau.layouts.base import AccountFacts
from bureau.models import BUREAU_COUNTRY
from bureau.services.selection import run_selection
from complaints.models import Complaint
from core.bulk import frame_copy, temp_table_drop, temp_table_load_frame
from portfolio.models import Debt, Payment

FACT_COLUMNS = [
    "debt_id", "account_number", "document_type", "document_number", "full_name",
    "address_line", "city", "region", "postal_code", "country", "product", "currency",
    "original_amount", "balance", "due_on", "opened_on", "stage", "stage_entered_on",
    "last_payment_on", "last_payment_amount", "agreement_active", "instalments_agreed",
    "instalments_paid", "instalments_late", "dispute_open", "dispute_resolved",
]  # fmt: skip
# Text columns, and the amounts as text too: Decimal from the digits, never through a float.
TEXT = dict.fromkeys(
    [*FACT_COLUMNS[1:12], "original_amount", "balance", "last_payment_amount"], str
)
# Metro 2 payment history profile characters by days late (0: current ... 6: 180 days or more).
PROFILE_STEPS = (30, 60, 90, 120, 150, 180)


def facts_sql() -> str:
    """SQL over temp table bureau_run_debts(debt_id): the facts of each (params: cut_off,
    prev_cut_off or NULL)."""
    payment = Payment._meta.db_table
    agreement = PaymentAgreement._meta.db_table
    line = AgreementDebt._meta.db_table
    instalment = Instalment._meta.db_table
    complaint = Complaint._meta.db_table
    return f"""
        SELECT d.id, d.debt_ref, p.document_type, p.document_number, p.full_name,
               p.address_line, p.city, p.region, p.postal_code, p.country, d.product,
               d.currency, d.original_amount, d.balance, d.due_date, d.opened_date, d.stage,
               d.stage_entered_on, lp.paid_on, COALESCE(lp.amount, 0),
               ag.active IS TRUE, COALESCE(ins.agreed, 0), COALESCE(ins.paid, 0),
               COALESCE(ins.late, 0),
               EXISTS (SELECT 1 FROM {complaint} c WHERE c.debt_id = d.id
                         AND c.status <> 'closed' AND c.received_on <= %(cut_off)s
                         AND (c.bureau_flag OR c.kind IN ('dispute', 'bureau_claim'))),
               EXISTS (SELECT 1 FROM {complaint} c WHERE c.debt_id = d.id
                         AND c.status = 'closed' AND %(prev)s::date IS NOT NULL
                         AND c.closed_at::date > %(prev)s::date
                         AND c.closed_at::date <= %(cut_off)s
                         -- closing lifts the flag; the legend's due date stays
                         AND (c.bureau_flag OR c.legend_due_on IS NOT NULL
                              OR c.kind IN ('dispute', 'bureau_claim')))
          FROM bureau_run_debts t
          JOIN {Debt._meta.db_table} d ON d.id = t.debt_id
          JOIN portfolio_debtor p ON p.id = d.debtor_id
          LEFT JOIN LATERAL (
                SELECT x.paid_at::date AS paid_on, x.amount FROM {payment} x
                 WHERE x.debt_id = d.id AND x.paid_at::date <= %(cut_off)s
                 ORDER BY x.paid_at DESC LIMIT 1) lp ON true
          LEFT JOIN LATERAL (
                SELECT a.id, a.status = 'active' AND l.is_open AS active FROM {line} l
                  JOIN {agreement} a ON a.id = l.agreement_id
                 WHERE l.debt_id = d.id AND a.status IN ('active', 'completed', 'broken')
                 ORDER BY (a.status = 'active') DESC, a.activated_on DESC NULLS LAST, a.id DESC
                 LIMIT 1) ag ON true
          LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE i.status <> 'cancelled') AS agreed,
                       count(*) FILTER (WHERE i.status = 'paid') AS paid,
                       count(*) FILTER (WHERE i.status = 'missed'
                                        OR (i.status IN ('pending', 'partial')
                                            AND i.due_date < %(cut_off)s)) AS late
                  FROM {instalment} i WHERE i.agreement_id = ag.id) ins ON true
         ORDER BY d.id
    """


_Row = namedtuple("_Row", FACT_COLUMNS)


def debt_state(stage: str, balance: Decimal, days_late: int, agreement_active: bool) -> str:
    """Cartera's words for the debt at the cut-off (a layout maps them to its own codes)."""
    if stage == "paid":
        return "paid"
    if stage in ("settled", "written_off"):
        return stage
    if balance <= 0:
        return "paid"
    if agreement_active:
        return "agreement"
    return "late" if days_late > 0 else "current"


def profile_char(state: str, days_late: int) -> str:
    if state == "written_off":
        return "L"
    if state != "late":
        return "0"
    return str(bisect.bisect_right(PROFILE_STEPS, days_late))


def profile(char: str, previous: str) -> str:
    """This month's character before the previous run's 23 newest (B: no history before)."""
    return (char + (previous or ""))[:24].ljust(24, "B")


@functools.lru_cache(maxsize=8192)  # a book has a few thousand distinct dates at most
def _date(value) -> datetime.date | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return datetime.date.fromisoformat(str(value))


def facts_for(
    *, creditor, bureau: str, cut_off: datetime.date, selection: pd.DataFrame
) -> list[AccountFacts]:
    """AccountFacts for the debts of `selection` (debt_id, action, prev_history, prev_dofd)."""
    if selection.empty:
        return []
    prev = selection.attrs.get("prev_cut_off")
    temp_table_load_frame(
        name="bureau_run_debts", columns=[("debt_id", "bigint")], frame=selection[["debt_id"]]
    )
    try:
        with connection.cursor() as cursor:
            sql = cursor.mogrify(facts_sql(), {"cut_off": cut_off, "prev": prev}).decode()
        rows = frame_copy(sql, columns=FACT_COLUMNS, dtype=TEXT)
    finally:
        temp_table_drop(name="bureau_run_debts")
    actions = dict(zip(selection["debt_id"], selection["action"], strict=True))
    histories = dict(zip(selection["debt_id"], selection["prev_history"], strict=True))
    dofds = dict(zip(selection["debt_id"], selection["prev_dofd"], strict=True))
    country = BUREAU_COUNTRY.get(bureau, "")
    facts = []
    # Plain lists (pandas' Arrow-backed strings are slow to iterate row by row).
    columns = [rows[name].tolist() for name in FACT_COLUMNS]
    for values in zip(*columns, strict=True):
        row = _Row(*values)
        debt_id = int(row.debt_id)
        action = actions[debt_id]
        balance = Decimal(str(row.balance))
        due_on = _date(row.due_on)
        open_late = row.stage not in ("paid", "settled", "written_off") and balance > 0
        days_late = max((cut_off - due_on).days, 0) if open_late and due_on else 0
        agreement = row.agreement_active == "t"
        state = debt_state(row.stage, balance, days_late, agreement)
        if state == "agreement":
            days_late = 0
        prev_dofd = dofds[debt_id] if isinstance(dofds[debt_id], datetime.date) else None
        dofd = prev_dofd or (due_on if (days_late > 0 or state == "written_off") else None)
        if dofd is None and state in ("paid", "settled") and action != "report":
            dofd = due_on
        closed = state in ("paid", "settled", "written_off")
        disputed = "open" if row.dispute_open == "t" else ""
        if not disputed and row.dispute_resolved == "t":
            disputed = "resolved"
        facts.append(
            AccountFacts(
                debt_id=debt_id,
                account_number=row.account_number,
                document_type=row.document_type,
                document_number=row.document_number,
                full_name=row.full_name,
                address_line=row.address_line,
                city=row.city,
                region=row.region,
                postal_code=row.postal_code,
                country=row.country or country,
                birth_date=None,
                product=row.product,
                currency=row.currency,
                original_amount=Decimal(str(row.original_amount)),
                balance=balance,
                amount_past_due=balance if state == "late" else Decimal("0.00"),
                days_late=days_late,
                opened_on=_date(row.opened_on),
                due_on=due_on,
                first_delinquency_on=dofd,
                last_payment_on=_date(row.last_payment_on),
                last_payment_amount=Decimal(str(row.last_payment_amount)),
                closed_on=(_date(row.stage_entered_on) or cut_off) if closed else None,
                instalments_agreed=int(row.instalments_agreed),
                instalments_paid=int(row.instalments_paid),
                instalments_late=int(row.instalments_late),
                state=state,
                disputed=disputed,
                action=action,
                original_creditor=creditor.name,
                payment_history=profile(profile_char(state, days_late), histories[debt_id]),
            )
        )
    return facts


def account_facts(*, creditor, bureau: str, cut_off: datetime.date) -> list[AccountFacts]:
    """The facts of every debt a run of `creditor` for `bureau` at `cut_off` carries."""
    selection = run_selection(creditor=creditor, bureau=bureau, cut_off=cut_off)
    return facts_for(creditor=creditor, bureau=bureau, cut_off=cut_off, selection=selection)
