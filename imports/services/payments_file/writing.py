"""Set-based writes of a payments import: payments, debts, history, stage changes, errors."""

import json

import numpy as np
import pandas as pd
from django.db import connection

from core.reasons import Reason
from imports import reasons as row_reasons
from imports.models import ImportBatch, ImportRowError
from imports.services.payments_file.matching import _money
from imports.services.payments_file.reading import _MICROSECOND, EPOCH, phase
from imports.services.portfolio_file.postgres import _history
from imports.services.portfolio_file.writing import _stage
from ledger.models import LedgerEntry, SuspenseItem
from portfolio.models import Debt, Payment
from portfolio.services.stages import stage_changes_write


def _paid_at_texts(fields, rows: np.ndarray) -> np.ndarray:
    """Microseconds since the epoch to the UTC text PostgreSQL reads back exactly."""
    shape = "%Y-%m-%dT%H:%M:%S.%f+00:00"
    codes, uniques = pd.factorize(fields["us"][rows])
    texts = [(EPOCH + u * _MICROSECOND).strftime(shape) for u in uniques.tolist()]
    return np.array(texts, dtype=object)[codes] if texts else np.zeros(0, dtype=object)


def _entries(source: str) -> str:
    """INSERT ... SELECT of the `payment` ledger entry of each payment in CTE `source`.

    What ledger.services.payments.payment_ledger_write posts for one payment (through
    entry_post): each component's share negated, on the payment's local day, with the debt's
    stage and days past due as they stand before the payment (the debts are updated after).
    """
    return (
        f"INSERT INTO {LedgerEntry._meta.db_table} (debt_id, creditor_id, currency, kind,"
        " posted_on, created_at, principal, interest, fees, amount, payment_id, stage,"
        " days_past_due, rate_capped, user_id, memo)"
        " SELECT r.debt_id, r.creditor_id, d.currency, %(entry_kind)s, r.posted_on, %(ts)s,"
        " -r.allocated_principal, -r.allocated_interest, -r.allocated_fees,"
        " -(r.allocated_principal + r.allocated_interest + r.allocated_fees), r.id, d.stage,"
        " GREATEST(r.posted_on - d.due_date, 0), false, %(user)s, ''"
        f" FROM (SELECT x.*, CAST(timezone(%(tz)s, x.paid_at) AS date) AS posted_on"
        f" FROM {source} x) r JOIN portfolio_debt d ON d.id = r.debt_id"
    )


def _write_payments(cursor, payments: pd.DataFrame, *, frame, fields, params):
    rows = payments["row"].to_numpy()
    paid_at = _paid_at_texts(fields, rows)
    staged = pd.DataFrame(
        {
            "line": frame["line"].to_numpy()[rows],
            "debt_id": payments["debt_id"].to_numpy(),
            "amount": payments["cents"].to_numpy(),
            "currency": fields["currency"][rows],
            "paid_at": np.asarray(paid_at, dtype=object),
            "method": fields["method"][rows],
            "reference": frame["reference"].to_numpy()[rows],
            "fees": payments["fees"].to_numpy(),
            "interest": payments["interest"].to_numpy(),
            "principal": payments["principal"].to_numpy(),
        }
    )
    with phase("payments: stage"):
        _stage(cursor, "stg_payments_new", staged.astype(str))
    insert = (
        "INSERT INTO portfolio_payment (created_at, updated_at, creditor_id, debt_id, amount,"
        " currency, paid_at, method, source, reference, allocated_fees, allocated_interest,"
        " allocated_principal, recorded_by_id)"
        f" SELECT %(ts)s, %(ts)s, %(creditor)s, CAST(s.debt_id AS bigint),"
        f" {_money('s.amount')}, s.currency, CAST(s.paid_at AS timestamptz), s.method,"
        f" %(source)s, s.reference, {_money('s.fees')}, {_money('s.interest')},"
        f" {_money('s.principal')}, %(user)s"
        f" FROM stg_payments_new s ORDER BY CAST(s.line AS bigint)"
    )
    # History rows and ledger entries straight from the RETURNING rows: no second pass.
    cursor.execute(
        f"WITH ins AS ({insert} RETURNING *), h AS ({_history(Payment, 'ins')}),"
        f" e AS ({_entries('ins')}) SELECT count(*) FROM ins",
        params,
    )


def _write_suspense(cursor, held: pd.DataFrame, *, frame, fields, params) -> pd.DataFrame:
    """Hold what the file could not apply, one suspense item per row; the items made.

    Keyed like payments by (creditor, reference): a reference another import held meanwhile
    (the rows were read before its commit) is left as it is, not held twice.
    """
    rows = held["row"].to_numpy()
    staged = pd.DataFrame(
        {
            "line": frame["line"].to_numpy()[rows],
            "debtor_id": held["debtor_id"].to_numpy(),
            "debt_id": held["debt_id"].to_numpy(),
            "amount": held["cents"].to_numpy(),
            "currency": fields["currency"][rows],
            "received_at": _paid_at_texts(fields, rows),
            "method": fields["method"][rows],
            "reference": frame["reference"].to_numpy()[rows],
            "quoted": held["quoted"].to_numpy(),
            "reason": held["reason"].to_numpy(),
        }
    )
    _stage(cursor, "stg_payments_suspense", staged.astype(str))
    cursor.execute(
        f"INSERT INTO {SuspenseItem._meta.db_table} (creditor_id, debtor_id, debt_id, amount,"
        " currency, received_at, business_date, reference, quoted_reference, method, source,"
        " reason, import_batch_id, applied_amount, refunded_amount, status, created_at,"
        " updated_at)"
        " SELECT %(creditor)s, CAST(NULLIF(s.debtor_id, '-1') AS bigint),"
        f" CAST(NULLIF(s.debt_id, '-1') AS bigint), {_money('s.amount')}, s.currency,"
        " CAST(s.received_at AS timestamptz), %(today)s, s.reference, s.quoted, s.method,"
        " %(source)s, s.reason, %(batch)s, 0, 0, %(open)s, %(ts)s, %(ts)s"
        " FROM stg_payments_suspense s ORDER BY CAST(s.line AS bigint)"
        " ON CONFLICT (creditor_id, reference) DO NOTHING"
        " RETURNING id, currency, amount",
        params,
    )
    return pd.DataFrame(cursor.fetchall(), columns=["id", "currency", "amount"])


def bulk_update_with_history(cursor, changes: pd.DataFrame, *, params) -> None:
    """Write the touched debts' balances and stages, their history and stage-change rows.

    Named after the simple-history helper it replaced (tests hook it to crash mid-import).
    """
    staged = pd.DataFrame(
        {
            "id": changes["id"].to_numpy(),
            "from_stage": changes["from_stage"].to_numpy(),
            **{c: changes[c].to_numpy() for c in ("fees", "interest", "principal", "balance")},
            "paid": np.where(changes["paid"].to_numpy(), "1", "0"),
        }
    )
    _stage(cursor, "stg_payments_debt", staged.astype(str))
    # The stage is a protected FSM field: the state machine judged the move (_paid_sources).
    update = (
        f"UPDATE portfolio_debt AS d SET fees = {_money('s.fees')},"
        f" interest = {_money('s.interest')}, principal = {_money('s.principal')},"
        f" balance = {_money('s.balance')}, updated_at = %(ts)s,"
        f" stage = CASE WHEN s.paid = '1' THEN %(paid)s ELSE d.stage END,"
        f" stage_entered_at = CASE WHEN s.paid = '1' THEN %(ts)s ELSE d.stage_entered_at END,"
        f" stage_entered_on = CASE WHEN s.paid = '1' THEN %(today)s ELSE d.stage_entered_on END"
        f" FROM stg_payments_debt s WHERE d.id = CAST(s.id AS bigint)"
    )
    # History rows for the debts only paid down; the debts the file paid off moved to `paid`,
    # and their history row and StageChange come from the writer every stage move uses.
    cursor.execute(
        f"WITH upd AS ({update} RETURNING d.*),"
        f" h AS ({_history(Debt, '(SELECT * FROM upd WHERE upd.stage <> %(paid)s)')})"
        f" SELECT count(*) FROM upd",
        params,
    )
    stage_changes_write(
        moves=(
            "(SELECT CAST(s.id AS bigint) AS id, s.from_stage, CAST(%s AS varchar) AS to_stage,"
            " CAST('mark_paid' AS varchar) AS transition, CAST(NULL AS bigint) AS version_id"
            " FROM stg_payments_debt s WHERE s.paid = '1')"
        ),
        params=[params["paid"]],
        actor=None,
        actor_id=params["user"],
        reason=Reason(row_reasons.PAYMENTS_FILE, {"id": params["batch"]}),
        as_of=params["today"],
        occurred_at=params["ts"],
    )


def _write_errors(cursor, batch: ImportBatch, errors: pd.DataFrame) -> None:
    if errors.empty:
        return
    if len(errors) < 1000:
        ImportRowError.objects.bulk_create(
            ImportRowError(
                batch=batch,
                row=row,
                column=column,
                reason=reason,
                reason_code=code,
                reason_params=params,
                value=value,
            )
            for row, column, reason, code, params, value in errors[
                ["row", "column", "reason", "code", "params", "value"]
            ].itertuples(index=False, name=None)
        )
        return
    # Staged under plain names: "row" and "column" are SQL keywords.
    staged = pd.DataFrame(
        {
            "n": np.arange(len(errors)),
            "line_no": errors["row"].to_numpy(),
            "col": errors["column"].to_numpy(),
            "reason": errors["reason"].to_numpy(),
            "code": errors["code"].to_numpy(),
            "params": [json.dumps(p) for p in errors["params"]],
            "val": errors["value"].to_numpy(),
        }
    )
    _stage(cursor, "stg_payments_error", staged.astype(str))
    q = connection.ops.quote_name
    cursor.execute(
        f"INSERT INTO {ImportRowError._meta.db_table} (batch_id, {q('row')}, {q('column')},"
        f" reason, reason_code, reason_params, value) SELECT %s, CAST(s.line_no AS integer),"
        f" s.col, s.reason, s.code, CAST(s.params AS jsonb), s.val"
        f" FROM stg_payments_error s ORDER BY CAST(s.n AS integer)",
        [batch.pk],
    )


def _drop_staging(cursor) -> None:
    for table in ("ref", "reference", "new", "debt", "error", "suspense"):
        cursor.execute(f"DROP TABLE IF EXISTS stg_payments_{table}")
