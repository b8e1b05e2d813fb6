"""The payments file import, set-based: `payments_import_run` runs a batch through `run`.

Read with pyarrow, validated per distinct value with the same helpers `payment_record` uses,
matched and allocated with numpy over exact integer cents (never floats), written with
INSERT ... SELECT / UPDATE ... FROM from staged tables, history rows included.
"""

import logging
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from collections_app.services.payments import payments_after_bulk
from core.bulk import bulk_session_tune
from core.exceptions import ApplicationError
from core.money import CURRENCIES
from core.reasons import Reason, reason_encode, reason_split
from imports import reasons as row_reasons
from imports.models import ImportBatch, ImportRowError
from imports.services.payments_file.matching import _allocate, _load_debts, _match, _recorded
from imports.services.payments_file.reading import (
    COLUMNS,
    TIMINGS,
    _Errors,
    _nul_cells,
    _read_frame,
    _validate_fields,
    phase,
)
from imports.services.payments_file.references import debt_refs_from_payment_references
from imports.services.payments_file.writing import (
    _drop_staging,
    _write_errors,
    _write_payments,
    _write_suspense,
    bulk_update_with_history,
)
from ledger.models import EntryKind, SuspenseReason, SuspenseStatus
from portfolio.models import Payment, Stage


def _held_currency_check(held_rows: dict, *, fields, errors: _Errors) -> dict:
    """Money held in suspense keeps the file's currency: it must be one (ISO 4217)."""
    checked = {}
    for reason, rows in held_rows.items():
        bad = ~np.isin(fields["currency"][rows], list(CURRENCIES))
        errors.add(rows[bad], "currency", Reason(row_reasons.UNKNOWN_CURRENCY))
        checked[reason] = rows[~bad]
    return checked


def _held_frame(
    held_rows: dict, overpaid: pd.DataFrame, *, debts, debt_pos, raw, fields
) -> pd.DataFrame:
    """One row per suspense item to make: row, debt and debtor (-1 unknown), cents, reason."""
    debt_ids = np.append(debts["id"].to_numpy(dtype=np.int64), -1)
    debtor_ids = np.append(debts["debtor_id"].to_numpy(dtype=np.int64), -1)
    parts = []
    for reason, rows, pos, cents in [
        *[(reason, rows, None, fields["cents"][rows]) for reason, rows in held_rows.items()],
        (
            SuspenseReason.OVERPAYMENT,
            overpaid["row"].to_numpy(dtype=np.int64),
            overpaid["debt_pos"].to_numpy(dtype=np.int64),
            overpaid["cents"].to_numpy(),
        ),
    ]:
        if pos is None:
            pos = debt_pos[rows]
        parts.append(
            pd.DataFrame(
                {
                    "row": rows,
                    "debt_id": debt_ids[pos],
                    "debtor_id": debtor_ids[pos],
                    "cents": np.asarray(cents, dtype=object),
                    "quoted": raw["debt_ref"][rows],
                    "reason": str(reason),
                }
            )
        )
    held = pd.concat(parts, ignore_index=True)
    return held.sort_values("row", kind="stable").reset_index(drop=True)


def _summary(held: pd.DataFrame, *, currencies) -> dict:
    """{"count": rows held, "amounts": {currency: Decimal}} of what a file sends to suspense."""
    amounts: dict[str, Decimal] = {}
    for currency, cents in zip(
        currencies[held["row"].to_numpy(dtype=np.int64)].tolist(),
        held["cents"].tolist(),
        strict=True,
    ):
        amounts[currency] = amounts.get(currency, Decimal(0)) + Decimal(int(cents)).scaleb(-2)
    return {"count": len(held), "amounts": amounts}


def _summary_made(made: pd.DataFrame) -> dict:
    amounts: dict[str, Decimal] = {}
    for currency, amount in made[["currency", "amount"]].itertuples(index=False, name=None):
        amounts[currency] = amounts.get(currency, Decimal(0)) + amount
    return {"count": len(made), "amounts": amounts}


def _finish(batch: ImportBatch, *, status, total, created, unchanged, rejected) -> ImportBatch:
    batch.rows_total = total
    batch.created_count = created
    batch.updated_count = 0
    batch.unchanged_count = unchanged
    batch.rejected_count = rejected
    batch.status = status
    batch.finished_at = timezone.now()
    batch.save(
        update_fields=[
            "rows_total",
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "status",
            "error_message",
            "error_code",
            "error_params",
            "started_at",
            "finished_at",
            "updated_at",
        ]
    )
    return batch


@transaction.atomic
def run(*, batch: ImportBatch) -> ImportBatch:
    """Validate every row, then write all valid payments and debt balances in one transaction."""
    TIMINGS.clear()
    now = timezone.now()
    batch.started_at = batch.started_at or now
    try:
        with phase("read"):
            frame = _read_frame(batch)
    except ApplicationError as exc:
        batch.error_set(exc)
        code, params, _typed = reason_split(exc.reason)
        ImportRowError.objects.create(
            batch=batch,
            row=1,
            column=exc.field or "file",
            reason=exc.message[:255],
            reason_code=code,
            reason_params=params,
        )
        return _finish(
            batch, status=ImportBatch.Status.REJECTED, total=0, created=0, unchanged=0, rejected=0
        )

    nul = _nul_cells(frame)
    raw = {c: frame[c].to_numpy(dtype=object) for c in COLUMNS}
    lines = frame["line"].to_numpy(dtype=np.int64)
    # Debtor portal: a row may quote the debt's bank/cash payment reference instead of debt_ref.
    raw["debt_ref"] = debt_refs_from_payment_references(
        creditor_id=batch.creditor_id, values=raw["debt_ref"]
    )
    errors = _Errors(lines, raw)
    for column, idx in nul.items():
        errors.add(idx, column, Reason(row_reasons.NUL))
    with phase("validate"):
        fields = _validate_fields(frame, errors, now=now)
    with connection.cursor() as cursor:
        bulk_session_tune(cursor)
        with phase("lock+match"):
            refs = raw["debt_ref"][raw["debt_ref"] != ""]
            debts = _load_debts(cursor, creditor_id=batch.creditor_id, refs=refs)
            # Read after taking the locks: payments committed meanwhile on these debts count.
            recorded = _recorded(cursor, creditor_id=batch.creditor_id, frame=frame)
            to_record, held_rows, debt_pos, unchanged, duplicate_of = _match(
                frame, fields, errors, debts, recorded
            )
            held_rows = _held_currency_check(held_rows, fields=fields, errors=errors)
        with phase("allocate"):
            payments, changes, overpaid = _allocate(
                to_record,
                fields=fields,
                debt_pos=debt_pos,
                debts=debts,
                errors=errors,
                creditor_id=batch.creditor_id,
            )
            held = _held_frame(
                held_rows, overpaid, debts=debts, debt_pos=debt_pos, raw=raw, fields=fields
            )
            # A repeat of a rejected row is not "already recorded": it shares the rejection.
            rejected = errors.rejected(len(frame))
            repeats = np.flatnonzero(duplicate_of >= 0)
            repeats = repeats[rejected[duplicate_of[repeats]]]
            errors.add(
                repeats,
                "reference",
                [
                    Reason(row_reasons.SAME_AS_REJECTED, {"line": line})
                    for line in lines[duplicate_of[repeats]].tolist()
                ],
            )
            rejected = errors.rejected(len(frame))
        counts = {
            "total": len(frame),
            "unchanged": int((unchanged & ~rejected).sum()),
            "rejected": int(rejected.sum()),
        }
        with phase("row errors"):
            _write_errors(cursor, batch, errors.frame())
        if batch.strict and counts["rejected"]:
            batch.error_set(Reason(row_reasons.STRICT_PAYMENTS))
            _drop_staging(cursor)
            return _finish(batch, status=ImportBatch.Status.REJECTED, created=0, **counts)
        batch.suspense_summary = _summary(held, currencies=fields["currency"])
        if not batch.dry_run and (len(payments) or len(held)):
            params = {
                "ts": now,
                "today": timezone.localdate(now),
                "creditor": batch.creditor_id,
                "batch": batch.pk,
                "user": batch.created_by_id,
                # The history rows' reason column holds the code as JSON (core.reasons).
                "reason": reason_encode(Reason(row_reasons.PAYMENTS_FILE, {"id": batch.pk})),
                "source": Payment.Source.FILE.value,
                "paid": Stage.PAID.value,
                "tz": settings.TIME_ZONE,
                "entry_kind": EntryKind.PAYMENT.value,
                "open": SuspenseStatus.OPEN.value,
            }
            if len(held):
                with phase("write suspense"):
                    made = _write_suspense(cursor, held, frame=frame, fields=fields, params=params)
                    batch.suspense_summary = _summary_made(made)
            if len(payments):
                with phase("write payments"):
                    _write_payments(cursor, payments, frame=frame, fields=fields, params=params)
                with phase("write debts"):
                    bulk_update_with_history(cursor, changes, params=params)
            with phase("agreements"):
                # Agreements on the paid debts, then a thank-you for every debt the file
                # paid off: what follows a payment, same transaction, set-based.
                payments_after_bulk(
                    debt_ids=changes["id"].astype(int).tolist(),
                    paid_ids=[int(i) for i in changes.loc[changes["paid"], "id"]],
                    business_date=timezone.localdate(now),
                )
        _drop_staging(cursor)
    return _finish(batch, status=ImportBatch.Status.COMPLETED, created=len(payments), **counts)


logger = logging.getLogger(__name__)


def payments_import_run(*, batch: ImportBatch) -> ImportBatch:
    """Import a payments file set-based: one transaction, per-row errors, idempotent."""
    from imports.services.payments_file import run

    if batch.started_at is None or batch.status == ImportBatch.Status.PENDING:
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = timezone.now()
        batch.save(update_fields=["status", "started_at", "updated_at"])
    try:
        return run(batch=batch)
    except Exception:
        # run() is one transaction: it rolled back, so the batch only needs to say so.
        logger.exception("payments import %s crashed", batch.pk)
        batch.status = ImportBatch.Status.FAILED
        batch.error_set(Reason(row_reasons.CRASHED))
        batch.finished_at = timezone.now()
        batch.save(
            update_fields=[
                "status",
                "error_message",
                "error_code",
                "error_params",
                "finished_at",
                "updated_at",
            ]
        )
        return batch
