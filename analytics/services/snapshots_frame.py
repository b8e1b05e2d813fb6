"""The debt snapshots from the nightly job's own frame, not a second scan of the debts.

The nightly job has just loaded every open debt (its cut, balance and days past due) and
assigned its segment, all in one transaction under its advisory lock: the aging snapshot,
and the month opening when one is due, are exactly that frame grouped (or copied), so they
are written from it with COPY rather than re-read by SQL joined with the segments.

Sums stay exact: balances come from `numeric(18, 2)` as float8, which holds every such value
below 10^11 exactly enough to recover its integer cents; sums are taken in int64 cents and
written as decimals (Arrow's decimal128, never a float). A frame with a larger balance (or
none) is left to the SQL snapshots (`frame_usable` says which).
"""

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.services.writing import frame_copy, nullable_ids

# Below this (in currency units) a float8 balance gives back its exact cents.
EXACT_BALANCE_LIMIT = 1e11
CUT_COLUMNS = ["creditor_id", "portfolio_id", "segment_id", "collector_id", "currency"]


def frame_usable(debts: pd.DataFrame | None) -> bool:
    """Whether the snapshots can be taken from this frame (exact cents, columns present)."""
    if debts is None or "new_segment_id" not in debts or "bucket" not in debts:
        return False
    balances = debts["balance"].to_numpy(dtype="float64")
    return bool(len(balances) == 0 or np.nanmax(np.abs(balances)) < EXACT_BALANCE_LIMIT) and (
        not np.isnan(balances).any()
    )


def cents(balance: pd.Series) -> np.ndarray:
    return np.rint(balance.to_numpy(dtype="float64") * 100).astype("int64")


def decimal_array(values: np.ndarray) -> pa.Array:
    """int64 cents as Arrow decimal128(18, 2) (the same integers, scale 2): exact."""
    values = np.ascontiguousarray(values, dtype="int64")
    wide = np.empty((len(values), 2), dtype="int64")
    wide[:, 0] = values
    wide[:, 1] = np.where(values < 0, -1, 0)  # sign extension to 128 bits (little endian)
    return pa.Array.from_buffers(pa.decimal128(18, 2), len(values), [None, pa.py_buffer(wide)])


def open_debts(debts: pd.DataFrame) -> pd.DataFrame:
    """The snapshots' open debts (open stage, already loaded; balance above zero) with their
    cut, bucket and cents, in id order."""
    balance = cents(debts["balance"])
    keep = balance > 0
    ids = debts["id"].to_numpy(dtype="int64")[keep]
    frame = pd.DataFrame(
        {
            "id": ids,
            "creditor_id": debts["creditor_id"].to_numpy(dtype="int64")[keep],
            "portfolio_id": _nullable(debts["portfolio_id"], keep),
            "segment_id": debts["new_segment_id"].to_numpy(dtype="int64")[keep],
            "collector_id": _nullable(debts["collector_id"], keep),
            "currency": debts["currency"].to_numpy()[keep],
            "bucket": debts["bucket"].to_numpy()[keep],
            "cents": balance[keep],
        }
    )
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        frame = frame.sort_values("id", kind="stable", ignore_index=True)
    return frame


def _nullable(values: pd.Series, keep: np.ndarray) -> pd.Series:
    return pd.Series(nullable_ids(values).to_numpy()[keep], dtype="Int64")


def aging_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Open debts and cents per cut and bucket (what _aging's GROUP BY gives)."""
    return (
        frame.groupby([*CUT_COLUMNS, "bucket"], dropna=False, sort=False)
        .agg(debts=("id", "size"), cents=("cents", "sum"))
        .reset_index()
    )


def _cut_columns(rows: pd.DataFrame) -> dict:
    return {
        "creditor_id": rows["creditor_id"].to_numpy(dtype="int64"),
        "portfolio_id": pd.array(rows["portfolio_id"], dtype="Int64"),
        "segment_id": rows["segment_id"].to_numpy(dtype="int64"),
        "collector_id": pd.array(rows["collector_id"], dtype="Int64"),
        "currency": rows["currency"].to_numpy(),
    }


def aging_copy(frame: pd.DataFrame, *, as_of) -> int:
    rows = aging_rows(frame)
    return frame_copy(
        table="analytics_agingsnapshot",
        columns={
            "as_of": [as_of] * len(rows),
            **_cut_columns(rows),
            "bucket": rows["bucket"].to_numpy(),
            "debts": rows["debts"].to_numpy(dtype="int64"),
            "balance": decimal_array(rows["cents"].to_numpy(dtype="int64")),
        },
    )


def opening_copy(frame: pd.DataFrame, *, month) -> int:
    """Every open debt's opening row of `month`, in key order (the index filled page by page)."""
    return frame_copy(
        table="analytics_debtmonthopening",
        columns={
            "month": [month] * len(frame),
            "debt_id": frame["id"].to_numpy(dtype="int64"),
            **_cut_columns(frame),
            "bucket": frame["bucket"].to_numpy(),
            "balance": decimal_array(frame["cents"].to_numpy(dtype="int64")),
        },
    )


def transitions_copy(frame: pd.DataFrame, *, month, as_of) -> int:
    """The month's transitions when its opening was taken from this very frame: every opening
    balance is still where it opened (the aging rows, from = to)."""
    rows = aging_rows(frame)
    return frame_copy(
        table="analytics_buckettransition",
        columns={
            "month": [month] * len(rows),
            "as_of": [as_of] * len(rows),
            **_cut_columns(rows),
            "from_bucket": rows["bucket"].to_numpy(),
            "to_state": rows["bucket"].to_numpy(),
            "debts": rows["debts"].to_numpy(dtype="int64"),
            "balance_start": decimal_array(rows["cents"].to_numpy(dtype="int64")),
        },
    )
