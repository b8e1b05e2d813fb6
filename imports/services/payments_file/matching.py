"""Matching rows to debts and allocating them, on exact integer cents (never floats)."""

from decimal import Decimal

import numpy as np
import pandas as pd

from agreements.models import AgreementDebt
from core.reasons import Reason
from imports import reasons as row_reasons
from imports.services.payments_file.reading import INT64_SAFE, _Errors
from imports.services.portfolio_file.writing import _stage
from ledger.services.payments import (
    payment_currency_reason,
    payment_overpayment_reason,
)
from portfolio.models import OPEN_STAGES, Debt, Stage


def _money(expr: str) -> str:
    """SQL for the amount of staged integer cents: exact numeric division."""
    return f"CAST({expr} AS numeric) / 100"


def _load_debts(cursor, *, creditor_id: int, refs: np.ndarray) -> pd.DataFrame:
    """Lock (in id order) and read the debts the file names."""
    _stage(cursor, "stg_payments_ref", pd.DataFrame({"debt_ref": pd.unique(refs)}).astype(str))
    # Locked in id order with every debt an open agreement binds to them (an agreement the file
    # completes settles those too), before any agreement: the order of
    # portfolio.services.locks, so two imports, or an import and the API, never deadlock.
    lines = AgreementDebt._meta.db_table
    cursor.execute(
        "SELECT d.id FROM portfolio_debt d WHERE d.id IN ("
        " SELECT n.id FROM portfolio_debt n JOIN stg_payments_ref s ON s.debt_ref = n.debt_ref"
        " WHERE n.creditor_id = %s"
        f" UNION SELECT sibling.debt_id FROM {lines} line"
        f" JOIN {lines} sibling ON sibling.agreement_id = line.agreement_id"
        " JOIN portfolio_debt n ON n.id = line.debt_id"
        " JOIN stg_payments_ref s ON s.debt_ref = n.debt_ref"
        " WHERE line.is_open AND n.creditor_id = %s)"
        " ORDER BY d.id FOR NO KEY UPDATE OF d",
        [creditor_id, creditor_id],
    )
    cursor.execute(
        "SELECT d.id, d.debt_ref, d.stage, d.currency,"
        " CAST(ROUND(d.fees * 100) AS bigint), CAST(ROUND(d.interest * 100) AS bigint),"
        " CAST(ROUND(d.principal * 100) AS bigint)"
        " FROM portfolio_debt d JOIN stg_payments_ref s ON s.debt_ref = d.debt_ref"
        " WHERE d.creditor_id = %s ORDER BY d.id",
        [creditor_id],
    )
    rows = cursor.fetchall()
    return pd.DataFrame(
        rows, columns=["id", "debt_ref", "stage", "currency", "fees", "interest", "principal"]
    )


def _recorded(cursor, *, creditor_id: int, frame: pd.DataFrame) -> pd.DataFrame:
    """(position, debt_id, cents) of rows whose reference this creditor already recorded."""
    staged = pd.DataFrame({"pos": np.arange(len(frame)), "reference": frame["reference"]})
    _stage(cursor, "stg_payments_reference", staged[staged["reference"] != ""].astype(str))
    cursor.execute(
        "SELECT CAST(s.pos AS bigint), p.debt_id, CAST(ROUND(p.amount * 100) AS bigint)"
        " FROM stg_payments_reference s JOIN portfolio_payment p"
        " ON p.creditor_id = %s AND p.reference = s.reference",
        [creditor_id],
    )
    return pd.DataFrame(cursor.fetchall(), columns=["pos", "debt_id", "cents"])


def _paid_sources() -> set[str]:
    """The open stages the state machine lets a zero-balance debt leave for `paid`."""
    sources = set()
    for stage in OPEN_STAGES:
        probe = Debt(stage=stage, balance=Decimal("0"))
        if Stage.PAID in {t.target for t in probe.get_available_stage_transitions()}:
            sources.add(str(stage))
    return sources


def _match(frame, fields, errors: _Errors, debts: pd.DataFrame, recorded: pd.DataFrame):
    """Attach debts, sort out replays and conflicting references; returns the state arrays."""
    n = fields["n"]
    raw = errors.raw
    debt_pos = np.full(n, -1, dtype=np.int64)
    if n and len(debts):
        lookup = pd.Index(debts["debt_ref"].to_numpy())
        debt_pos = lookup.get_indexer(raw["debt_ref"]).astype(np.int64)
    unknown = np.flatnonzero((raw["debt_ref"] != "") & (debt_pos < 0))
    errors.add(unknown, "debt_ref", Reason(row_reasons.UNKNOWN_DEBT))
    # Position -1 (no debt) picks the appended -1.
    debt_ids = np.append(debts["id"].to_numpy(dtype=np.int64), -1)[debt_pos]

    has_ref = raw["reference"] != ""
    unchanged = np.zeros(n, dtype=bool)
    in_db = np.zeros(n, dtype=bool)
    if len(recorded):
        pos = recorded["pos"].to_numpy()
        in_db[pos] = True
        same = (debt_ids[pos] == recorded["debt_id"].to_numpy()) & (
            fields["cents"][pos] == recorded["cents"].to_numpy()
        ).astype(bool)
        unchanged[pos[same]] = True
        errors.add(pos[~same], "reference", Reason(row_reasons.REFERENCE_USED))

    # The first row of each reference in the file is the payment; later rows repeat it.
    codes = pd.factorize(raw["reference"])[0]
    first = np.full(n, -1, dtype=np.int64)
    if n:
        firsts = pd.Series(np.arange(n)).groupby(codes).transform("first").to_numpy()
        first = np.where(has_ref & ~in_db, firsts, -1)
    later = np.flatnonzero((first >= 0) & (first != np.arange(n)))
    earlier = first[later]
    same = (raw["debt_ref"][later] == raw["debt_ref"][earlier]) & (
        fields["cents"][later] == fields["cents"][earlier]
    ).astype(bool)
    unchanged[later[same]] = True
    duplicate_of = np.full(n, -1, dtype=np.int64)
    duplicate_of[later[same]] = earlier[same]
    differ = later[~same]
    errors.add(
        differ,
        "reference",
        [
            Reason(row_reasons.REFERENCE_REPEATED, {"line": line})
            for line in errors.lines[first[differ]].tolist()
        ],
    )

    candidate = (first == np.arange(n)) & ~errors.rejected(n) & (debt_pos >= 0)
    idx = np.flatnonzero(candidate)
    stages = debts["stage"].to_numpy(dtype=object)[debt_pos[idx]]
    closed = idx[~np.isin(stages, [str(s) for s in OPEN_STAGES])]
    errors.add(
        closed,
        "debt_ref",
        [
            Reason(row_reasons.DEBT_CLOSED, {"ref": ref, "stage": stage})
            for ref, stage in zip(
                debts["debt_ref"].to_numpy()[debt_pos[closed]].tolist(),
                debts["stage"].to_numpy()[debt_pos[closed]].tolist(),
                strict=True,
            )
        ],
    )
    open_idx = np.setdiff1d(idx, closed, assume_unique=True)
    expected = debts["currency"].to_numpy(dtype=object)[debt_pos[open_idx]]
    wrong = fields["currency"][open_idx] != expected
    mismatch = open_idx[wrong]
    errors.add(
        mismatch,
        "currency",
        [
            payment_currency_reason(currency=c, expected=e)
            for c, e in zip(
                fields["currency"][mismatch].tolist(), expected[wrong].tolist(), strict=True
            )
        ],
    )
    to_record = np.setdiff1d(open_idx, mismatch, assume_unique=True)
    return to_record, debt_pos, unchanged, duplicate_of


def _group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sums restarting at each group of a sorted `groups` (int64 or Python ints)."""
    if not len(values):
        return values
    total = np.cumsum(values)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    offsets = (total - values)[starts]
    return total - np.repeat(offsets, np.diff(np.r_[starts, len(values)]))


def _allocate(to_record, *, fields, debt_pos, debts: pd.DataFrame, errors: _Errors):
    """Apply rows per debt in (paid_at, line) order; returns (payments, debt changes) frames."""
    cents = fields["cents"][to_record]
    safe = not len(cents) or int(max(cents)) * len(cents) < INT64_SAFE
    amounts = cents.astype(np.int64) if safe else cents.astype(object)
    pos = debt_pos[to_record]
    order = np.lexsort((errors.lines[to_record], fields["us"][to_record], pos))
    rows, pos, amounts = to_record[order], pos[order], amounts[order]
    kind = np.int64 if safe else object
    fees0 = debts["fees"].to_numpy().astype(kind)
    interest0 = debts["interest"].to_numpy().astype(kind)
    balance0 = fees0 + interest0 + debts["principal"].to_numpy().astype(kind)

    running = _group_cumsum(amounts, pos)
    accepted = np.ones(len(rows), dtype=bool)
    over = running > balance0[pos] if len(rows) else np.zeros(0, dtype=bool)
    if over.any():
        # Only debts the file overpays need the row-by-row walk: a rejected row frees nothing.
        walk = np.flatnonzero(np.isin(pos, np.unique(pos[over])))
        left: dict[int, int] = {}
        bad, reasons = [], []
        currencies = debts["currency"].to_numpy()
        for i in walk.tolist():
            debt = int(pos[i])
            remaining = left.get(debt, int(balance0[debt]))
            amount = int(amounts[i])
            if amount > remaining:
                accepted[i] = False
                bad.append(rows[i])
                reasons.append(
                    payment_overpayment_reason(
                        amount=Decimal(amount).scaleb(-2),
                        balance=Decimal(remaining).scaleb(-2),
                        currency=currencies[debt],
                    )
                )
            else:
                left[debt] = remaining - amount
        errors.add(np.array(bad, dtype=np.int64), "amount", reasons)
    rows, pos, amounts = rows[accepted], pos[accepted], amounts[accepted]
    after = _group_cumsum(amounts, pos)
    before = after - amounts

    def share(upto, cap):
        # Fees take the first `fees` cents paid on a debt, interest the next, principal the rest.
        return np.minimum(np.maximum(upto, 0), cap)

    fees, interest = fees0[pos], interest0[pos]
    to_fees = share(after, fees) - share(before, fees)
    to_interest = share(after - fees, interest) - share(before - fees, interest)
    payments = pd.DataFrame(
        {
            "row": rows,
            "debt_id": debts["id"].to_numpy()[pos],
            "cents": amounts,
            "fees": to_fees,
            "interest": to_interest,
            "principal": amounts - to_fees - to_interest,
        }
    )
    # Rows are sorted by debt: each debt's total is its last running sum.
    last = np.flatnonzero(np.r_[pos[1:] != pos[:-1], True]) if len(rows) else rows
    touched = pos[last].astype(np.int64)
    paid_total = after[last]
    f0, i0, b0 = fees0[touched], interest0[touched], balance0[touched]
    new_fees = f0 - share(paid_total, f0)
    new_interest = i0 - share(paid_total - f0, i0)
    new_balance = b0 - paid_total
    changes = pd.DataFrame(
        {
            "id": debts["id"].to_numpy()[touched],
            "from_stage": debts["stage"].to_numpy()[touched],
            "fees": new_fees,
            "interest": new_interest,
            "principal": new_balance - new_fees - new_interest,
            "balance": new_balance,
        }
    )
    changes["paid"] = (changes["balance"] == 0) & changes["from_stage"].isin(list(_paid_sources()))
    return payments, changes
