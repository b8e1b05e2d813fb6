"""Matching rows to debts and allocating them, on exact integer cents (never floats)."""

from decimal import Decimal

import numpy as np
import pandas as pd

from agreements.models import AgreementDebt
from core.reasons import Reason
from imports import reasons as row_reasons
from imports.services.payments_file.reading import INT64_SAFE, _Errors
from imports.services.portfolio_file.writing import _stage
from ledger.models import SuspenseItem, SuspenseReason, order_components
from ledger.services.application import application_order_default, application_orders
from ledger.services.payments import payment_currency_reason
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
        " CAST(ROUND(d.principal * 100) AS bigint), d.debtor_id, UPPER(p.country)"
        " FROM portfolio_debt d JOIN stg_payments_ref s ON s.debt_ref = d.debt_ref"
        " JOIN portfolio_debtor p ON p.id = d.debtor_id"
        " WHERE d.creditor_id = %s ORDER BY d.id",
        [creditor_id],
    )
    rows = cursor.fetchall()
    return pd.DataFrame(
        rows,
        columns=[
            "id", "debt_ref", "stage", "currency", "fees", "interest", "principal", "debtor_id",
            "country",
        ],
    )  # fmt: skip


def _recorded(cursor, *, creditor_id: int, frame: pd.DataFrame) -> pd.DataFrame:
    """(position, debt_id, cents) of rows whose reference this creditor already recorded.

    A row may have been recorded as a payment, as money in suspense, or both (an overpayment:
    the balance paid, the excess held under the same reference): its cents are their sum and
    its debt the payment's, else the item's (-1 for an unknown reference).
    """
    staged = pd.DataFrame({"pos": np.arange(len(frame)), "reference": frame["reference"]})
    _stage(cursor, "stg_payments_reference", staged[staged["reference"] != ""].astype(str))
    items = SuspenseItem._meta.db_table
    cursor.execute(
        "SELECT CAST(s.pos AS bigint), COALESCE(p.debt_id, i.debt_id, -1),"
        " CAST(ROUND((COALESCE(p.amount, 0) + COALESCE(i.amount, 0)) * 100) AS bigint)"
        " FROM stg_payments_reference s"
        " LEFT JOIN portfolio_payment p ON p.creditor_id = %s AND p.reference = s.reference"
        f" LEFT JOIN {items} i ON i.creditor_id = %s AND i.reference = s.reference"
        " WHERE p.id IS NOT NULL OR i.id IS NOT NULL",
        [creditor_id, creditor_id],
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
    # A reference that names no debt is money received all the same: held in suspense.
    unknown = (raw["debt_ref"] != "") & (debt_pos < 0)
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

    # A first row (a repeat follows it) that is valid in itself: recorded, or held.
    fresh = (first == np.arange(n)) & ~errors.rejected(n)
    suspense_unknown = np.flatnonzero(fresh & unknown)
    idx = np.flatnonzero(fresh & (debt_pos >= 0))
    stages = debts["stage"].to_numpy(dtype=object)[debt_pos[idx]]
    # A closed debt (paid, settled, ...) takes no payment: the money waits in suspense.
    closed = idx[~np.isin(stages, [str(s) for s in OPEN_STAGES])]
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
    held = {
        SuspenseReason.UNKNOWN_REFERENCE: suspense_unknown,
        SuspenseReason.DEBT_CLOSED: closed,
    }
    return to_record, held, debt_pos, unchanged, duplicate_of


def _group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sums restarting at each group of a sorted `groups` (int64 or Python ints)."""
    if not len(values):
        return values
    total = np.cumsum(values)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    offsets = (total - values)[starts]
    return total - np.repeat(offsets, np.diff(np.r_[starts, len(values)]))


COMPONENTS = ("fees", "interest", "principal")


def _offsets(debts: pd.DataFrame, *, creditor_id: int, kind) -> dict[str, np.ndarray]:
    """Per debt and component: the cents paid to the components before it in the debt's
    application order (the creditor's per debtor country, ledger.services.application)."""
    chosen = application_orders(creditor_id=creditor_id)
    countries = debts["country"].fillna("").to_numpy(dtype=object)
    codes, uniques = pd.factorize(countries)
    # rank[c][k]: where component k comes in country code c's order (0 first).
    ranks = np.array(
        [
            [order_components(chosen.get(c) or application_order_default(c)).index(k)
             for k in COMPONENTS]
            for c in uniques.tolist()
        ],
        dtype=np.int64,
    ).reshape(len(uniques), len(COMPONENTS))[codes]  # fmt: skip
    caps = {k: debts[k].to_numpy().astype(kind) for k in COMPONENTS}
    offsets = {}
    for i, k in enumerate(COMPONENTS):
        before = np.zeros(len(debts), dtype=kind)
        for j, other in enumerate(COMPONENTS):
            if j != i:
                before = before + np.where(ranks[:, j] < ranks[:, i], caps[other], 0)
        offsets[k] = before
    return offsets


def _allocate(to_record, *, fields, debt_pos, debts: pd.DataFrame, errors: _Errors,
              creditor_id: int):  # fmt: skip
    """Apply rows per debt in (paid_at, line) order, in each debt's application order.

    A row pays what the debt still owes after the rows before it; what it cannot pay (an
    overpayment) is held in suspense. Returns (payments, debt changes, overpaid) frames.
    """
    cents = fields["cents"][to_record]
    safe = not len(cents) or int(max(cents)) * len(cents) < INT64_SAFE
    amounts = cents.astype(np.int64) if safe else cents.astype(object)
    pos = debt_pos[to_record]
    order = np.lexsort((errors.lines[to_record], fields["us"][to_record], pos))
    rows, pos, amounts = to_record[order], pos[order], amounts[order]
    kind = np.int64 if safe else object
    balance0 = sum(debts[k].to_numpy().astype(kind) for k in COMPONENTS)
    if not len(debts):
        balance0 = np.zeros(0, dtype=kind)

    # What the debt takes: the running total capped at its balance, so once it is paid off
    # each later row pays nothing and is held whole.
    running = _group_cumsum(amounts, pos)
    cap = balance0[pos] if len(rows) else np.zeros(0, dtype=kind)
    after = np.minimum(running, cap)
    before = np.minimum(running - amounts, cap)
    applied = after - before
    excess = amounts - applied
    overpaid = pd.DataFrame(
        {"row": rows[excess > 0], "debt_pos": pos[excess > 0], "cents": excess[excess > 0]}
    )
    keep = applied > 0
    rows, pos, applied, after, before = (
        rows[keep],
        pos[keep],
        applied[keep],
        after[keep],
        before[keep],
    )

    def share(upto, cap):
        # A component takes the cents paid on the debt between its offset and offset + cap.
        return np.minimum(np.maximum(upto, 0), cap)

    offsets = _offsets(debts, creditor_id=creditor_id, kind=kind)
    parts = {}
    for k in ("fees", "interest"):
        capk, off = debts[k].to_numpy().astype(kind)[pos], offsets[k][pos]
        parts[k] = share(after - off, capk) - share(before - off, capk)
    payments = pd.DataFrame(
        {
            "row": rows,
            "debt_id": debts["id"].to_numpy()[pos],
            "cents": applied,
            "fees": parts["fees"],
            "interest": parts["interest"],
            # Whatever fees and interest do not take is principal's (payment_split's rule).
            "principal": applied - parts["fees"] - parts["interest"],
        }
    )
    # Each debt's components less what its rows paid to each.
    paid = payments.assign(pos=pos).groupby("pos", sort=True)[["fees", "interest", "principal"]]
    paid = paid.sum()
    touched = paid.index.to_numpy(dtype=np.int64)
    new = {
        k: debts[k].to_numpy().astype(kind)[touched] - paid[k].to_numpy().astype(kind)
        for k in COMPONENTS
    }
    changes = pd.DataFrame(
        {
            "id": debts["id"].to_numpy()[touched],
            "from_stage": debts["stage"].to_numpy()[touched],
            **new,
            "balance": new["fees"] + new["interest"] + new["principal"],
        }
    )
    changes["paid"] = (changes["balance"] == 0) & changes["from_stage"].isin(list(_paid_sources()))
    return payments, changes, overpaid
