"""The pure part of segmentation: aging buckets, payment behaviour, the score, first match wins.

Everything here works on pandas frames (one row per open debt) and never touches the
database, so tests can feed it hand-built frames and the preview page can reuse it.
See docs/segments.md for the score formula.
"""

import numpy as np
import pandas as pd

from analytics.models.segments import AGING_BUCKET_CHOICES, PaymentBehaviour

BUCKETS = [key for key, _label in AGING_BUCKET_CHOICES]
# Upper DPD bound of each bucket but the last (current is DPD <= 0).
BUCKET_LIMITS = [0, 30, 60, 90, 180, 360]

# Score components (points); docs/segments.md explains them.
SCORE_BASE = 50
SCORE_WEIGHTS = {
    "recency": {"30": 20, "90": 10, "365": 0, "older": -10},
    "share": 20,  # × mean share of each open debt already paid
    "dpd": {0: 10, 30: 0, 60: -5, 90: -10, 180: -20, "older": -30},
    "frequency": 2,  # × payments in the last 180 days, at most 5 of them
    "promises": 15,  # × (kept - broken) / promises made (the debtor's own promises)
    "contacts": 10,  # × right-party contacts / attempts (last 180 days), less 5; none: 0
}
COMPONENTS = ("recency", "share", "dpd", "frequency", "promises", "contacts")


def aging_bucket(dpd: pd.Series) -> pd.Series:
    """Bucket key per row from days past due (<= 0 is current)."""
    values = dpd.to_numpy()
    conditions = [values <= limit for limit in BUCKET_LIMITS]
    return pd.Series(
        np.select(conditions, BUCKETS[:-1], default=BUCKETS[-1]), index=dpd.index, dtype=object
    )


def payment_flags(debts: pd.DataFrame) -> dict[str, pd.Series]:
    """Boolean series per PaymentBehaviour value.

    Expects `days_since_payment` (NaN when never paid), `payments_total` (count, all time) and
    `balance`; optionally `broken_promises` (count) and `agreement_broken` (0/1) per debt
    (missing: none broken, e.g. a hand-built frame).
    """
    since = debts["days_since_payment"]
    paid_ever = debts["payments_total"] > 0
    false = pd.Series(False, index=debts.index)
    return {
        PaymentBehaviour.PAID_30: (since <= 30).fillna(False).astype(bool),
        PaymentBehaviour.PAID_90: (since <= 90).fillna(False).astype(bool),
        PaymentBehaviour.NOT_PAID_90: ~(since <= 90).fillna(False).astype(bool),
        PaymentBehaviour.PARTIAL_PAYER: paid_ever & (debts["balance"] > 0),
        PaymentBehaviour.NEVER_PAID: ~paid_ever,
        PaymentBehaviour.BROKEN_PROMISE: (
            (debts["broken_promises"] > 0).astype(bool) if "broken_promises" in debts else false
        ),
        PaymentBehaviour.BROKEN_AGREEMENT: (
            (debts["agreement_broken"] > 0).astype(bool) if "agreement_broken" in debts else false
        ),
    }


def behaviour_scores(debts: pd.DataFrame) -> pd.DataFrame:
    """Score 0-100 and top-3 reasons per debtor from their open debts' frame.

    Columns used: debtor_id, dpd, balance, paid_amount (this debt, all time),
    debtor_days_since_payment (NaN: never), debtor_payments_180; optionally the debtor's
    promise counts (debtor_promises, debtor_kept, debtor_broken) and contact attempts
    (debtor_attempts, debtor_rpcs).
    Returns a frame indexed by debtor_id with `score` (int) and `reasons` (str).
    """
    if debts.empty:
        return pd.DataFrame({"score": pd.Series(dtype="int64"), "reasons": pd.Series(dtype=str)})
    paid = debts["paid_amount"].astype("float64")
    owed = paid + debts["balance"].astype("float64")
    share = (paid / owed.where(owed > 0)).fillna(0.0)
    frame = pd.DataFrame(
        {
            "debtor_id": debts["debtor_id"],
            "share": share,
            "dpd": debts["dpd"],
            "since": debts["debtor_days_since_payment"],
            "p180": debts["debtor_payments_180"],
            "made": debts.get("debtor_promises", 0),
            "kept": debts.get("debtor_kept", 0),
            "broken": debts.get("debtor_broken", 0),
            "attempts": debts.get("debtor_attempts", 0),
            "rpcs": debts.get("debtor_rpcs", 0),
        }
    )
    per = frame.groupby("debtor_id", sort=True).agg(
        share=("share", "mean"),
        dpd=("dpd", "max"),
        since=("since", "min"),
        p180=("p180", "max"),
        made=("made", "max"),
        kept=("kept", "max"),
        broken=("broken", "max"),
        attempts=("attempts", "max"),
        rpcs=("rpcs", "max"),
    )
    made = per["made"].to_numpy().astype("float64")
    net = (per["kept"] - per["broken"]).to_numpy().astype("float64")
    promise_share = np.divide(net, made, out=np.zeros_like(made), where=made > 0)
    attempts = per["attempts"].to_numpy().astype("float64")
    rpc_share = np.divide(
        per["rpcs"].to_numpy().astype("float64"),
        attempts,
        out=np.zeros_like(attempts),
        where=attempts > 0,
    )
    w = SCORE_WEIGHTS
    since = per["since"]
    recency = np.select(
        [since <= 30, since <= 90, since <= 365],
        [w["recency"]["30"], w["recency"]["90"], w["recency"]["365"]],
        default=w["recency"]["older"],
    )
    dpd = per["dpd"]
    dpd_points = np.select(
        [dpd <= 0, dpd <= 30, dpd <= 60, dpd <= 90, dpd <= 180],
        [w["dpd"][0], w["dpd"][30], w["dpd"][60], w["dpd"][90], w["dpd"][180]],
        default=w["dpd"]["older"],
    )
    points = pd.DataFrame(
        {
            "recency": recency,
            # Half away from zero, so 0.5 points always count (numpy rounds half to even).
            "share": np.floor(w["share"] * per["share"].to_numpy() + 0.5).astype("int64"),
            "dpd": dpd_points,
            "frequency": w["frequency"] * per["p180"].fillna(0).clip(upper=5).astype("int64"),
            # Half away from zero, like the share (np.round would round half to even).
            "promises": np.sign(promise_share)
            * np.floor(np.abs(w["promises"] * promise_share) + 0.5),
            # Reached every time: +5; half the time: 0; never: -5; never attempted: 0.
            "contacts": np.where(
                attempts > 0, np.floor(w["contacts"] * rpc_share + 0.5) - w["contacts"] // 2, 0
            ),
        },
        index=per.index,
    ).astype("int64")
    score = (SCORE_BASE + points.sum(axis=1)).clip(lower=0, upper=100)
    return pd.DataFrame({"score": score.astype("int64"), "reasons": _reasons(points)})


def _reasons(points: pd.DataFrame) -> pd.Series:
    """`name=+n;name=-m` for the three components that moved the score most (ties by name).

    Components take few distinct values, so a million debtors share a few thousand point
    combinations: the text is built once per combination and spread with an index.
    """
    values = points[list(COMPONENTS)].to_numpy()
    if len(values) == 0:
        return pd.Series([], index=points.index, dtype=object)
    # One int64 key per row (every component fits in 6 bits once shifted by 32), then a hash
    # factorisation: far cheaper than sorting rows.
    shifted = (values + 32).astype("int64")
    keys = np.zeros(len(values), dtype="int64")
    for i in range(values.shape[1]):
        keys |= shifted[:, i] << (6 * i)
    codes, uniques = pd.factorize(keys)
    combos = np.stack([((uniques >> (6 * i)) & 63) - 32 for i in range(values.shape[1])], axis=1)
    texts = np.array([_reasons_text(row) for row in combos], dtype=object)
    return pd.Series(texts[codes], index=points.index, dtype=object)


def _reasons_text(row) -> str:
    # Sort by |points| descending, ties in the components' order (stable sort).
    order = sorted(range(len(COMPONENTS)), key=lambda i: -abs(int(row[i])))[:3]
    return ";".join(f"{COMPONENTS[i]}={int(row[i]):+d}" for i in order if row[i] != 0)


def reasons_parse(reasons: str) -> list[tuple[str, int]]:
    """The stored reasons string as (component, points) pairs."""
    pairs = []
    for part in (reasons or "").split(";"):
        if "=" in part:
            name, value = part.split("=", 1)
            try:
                pairs.append((name, int(value)))
            except ValueError:
                continue
    return pairs


def rule_mask(
    debts: pd.DataFrame, rule: dict, flags: dict[str, pd.Series], cache=None
) -> pd.Series:
    """Rows a rule's conditions match (empty conditions match everything).

    `cache` (a dict shared by the rules of one evaluation) keeps each text column factorised
    once, so a list condition is checked on a column's few distinct values, not per row.
    """
    mask = pd.Series(True, index=debts.index)
    if rule.get("creditor_id") is not None:
        mask &= debts["creditor_id"] == rule["creditor_id"]
    if rule.get("aging_buckets"):
        mask &= _isin(debts, "bucket", rule["aging_buckets"], cache)
    if rule.get("currency"):
        mask &= _isin(debts, "currency", [rule["currency"]], cache)
    if rule.get("balance_min") is not None:
        mask &= debts["balance"] >= float(rule["balance_min"])
    if rule.get("balance_max") is not None:
        mask &= debts["balance"] <= float(rule["balance_max"])
    if rule.get("products"):
        mask &= _isin(debts, "product", rule["products"], cache)
    if rule.get("countries"):
        mask &= _isin(debts, "country", rule["countries"], cache)
    if rule.get("regions"):
        wanted = {r.strip().casefold() for r in rule["regions"]}
        mask &= _isin(debts, "region", wanted, cache, normalise=True)
    if rule.get("payment_behaviour"):
        mask &= flags[rule["payment_behaviour"]]
    if rule.get("score_min") is not None:
        mask &= debts["score"] >= rule["score_min"]
    if rule.get("score_max") is not None:
        mask &= debts["score"] <= rule["score_max"]
    return mask


def _isin(debts: pd.DataFrame, column: str, values, cache, *, normalise=False) -> pd.Series:
    """`column` (its text stripped and case-folded with `normalise`) among `values`."""
    if cache is None:
        series = debts[column]
        if normalise:
            series = series.fillna("").str.strip().str.casefold()
        return series.isin(list(values))
    key = (column, normalise)
    if key not in cache:
        codes, uniques = pd.factorize(debts[column].fillna("") if normalise else debts[column])
        if normalise:
            uniques = pd.Index([str(u).strip().casefold() for u in uniques])
        cache[key] = (codes, pd.Index(uniques))
    codes, uniques = cache[key]
    wanted = np.flatnonzero(uniques.isin(list(values)))
    return pd.Series(np.isin(codes, wanted), index=debts.index)


def assign_segments(debts: pd.DataFrame, rules: list[dict], *, catch_all_id: int) -> pd.DataFrame:
    """Segment and rule per debt: the first matching rule wins, the rest go to the catch-all.

    `rules` are already in evaluation order (segment priority, then rule position); each holds
    its `id`, `segment_id`, `creditor_id` (None: every creditor) and its conditions.
    Returns columns segment_id and rule_id (NaN for the catch-all) on the debts' index.
    """
    segment = np.full(len(debts), catch_all_id, dtype="int64")
    rule_ids = np.full(len(debts), -1, dtype="int64")
    free = np.ones(len(debts), dtype=bool)
    if len(debts):
        flags = payment_flags(debts)
        cache: dict = {}
        for rule in rules:
            if not free.any():
                break
            hit = rule_mask(debts, rule, flags, cache).to_numpy() & free
            segment[hit] = rule["segment_id"]
            rule_ids[hit] = rule["id"]
            free &= ~hit
    return pd.DataFrame({"segment_id": segment, "rule_id": rule_ids}, index=debts.index)
