"""Portfolio and payments file imports: create a batch, then run it (CLI, web, API, Celery).

A portfolio file takes the cheapest of these ways that gives the same books:
- the same bytes (SHA-256) as the creditor's last completed import: recorded at once, with
  that import's counts and row errors, and nothing read or written (`_identical_file_record`);
- a creditor's first load of CARTERA_IMPORT_BULK_MIN_ROWS rows or more: COPY straight into
  the tables, no history row per created row (`bulk`);
- otherwise the file is read and validated in full, the debtors whose valid lines are not
  the same as in the last import are staged (`changes`; all of them when it cannot tell) and
  compared column by column: only rows whose values differ are written, each with history.
"""

import hashlib
import logging
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import business_today
from core.exceptions import ApplicationError
from core.reasons import Reason
from imports import reasons as row_reasons
from imports.models import CAPPED_ROWS_KEPT, ImportBatch, ImportRowError
from imports.services.portfolio_file.changes import touched_debtors
from imports.services.portfolio_file.reading import parse_portfolio_file
from imports.services.portfolio_file.writing import TIMINGS, phase, write_portfolio
from ledger.selectors.rules import rate_ceilings
from portfolio.models import Creditor, Portfolio

logger = logging.getLogger(__name__)

__all__ = [
    "BATCH_LOCK_NAMESPACE",
    "import_batch_create",
    "import_batch_run",
    "portfolio_import_run",
]


def import_batch_create(
    *,
    kind: str,
    creditor: Creditor,
    uploaded_file=None,
    path: str | Path | None = None,
    file_name: str | None = None,
    portfolio_name: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    user=None,
    source: str = "cli",
) -> ImportBatch:
    """Store an import file and return its pending batch."""
    if kind not in ImportBatch.Kind.values:
        raise ApplicationError(_("Unknown import kind."), field="kind")
    if (uploaded_file is None) == (path is None):
        raise ApplicationError(_("Give exactly one file."), field="file")
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ApplicationError(_("File not found: %(path)s") % {"path": path}, field="file")
        handle = path.open("rb")
        name = file_name or path.name
    else:
        handle = uploaded_file
        name = file_name or Path(getattr(uploaded_file, "name", "") or "upload.csv").name
        size = getattr(uploaded_file, "size", None)
        if size is not None and size > settings.CARTERA_IMPORT_MAX_BYTES:
            raise ApplicationError(
                _("The file is larger than %(limit)d MB.")
                % {"limit": settings.CARTERA_IMPORT_MAX_BYTES // (1024 * 1024)},
                field="file",
            )
    if not name.lower().endswith(".csv"):
        raise ApplicationError(_("Only .csv files can be imported."), field="file")
    if portfolio_name is not None and len(portfolio_name) > 200:
        raise ApplicationError(_("The portfolio name is too long."), field="portfolio")

    try:
        digest = hashlib.sha256()
        if hasattr(handle, "chunks"):
            for chunk in handle.chunks():
                digest.update(chunk)
        else:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        handle.seek(0)
        batch = ImportBatch(
            kind=kind,
            creditor=creditor,
            file_name=name[:255],
            file_sha256=digest.hexdigest(),
            strict=strict,
            dry_run=dry_run,
            source=source,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        batch.file.save(name, File(handle, name=name), save=False)
    finally:
        if path is not None:
            handle.close()
    batch.save()
    # No field holds a requested portfolio name until the run, so a named portfolio is created
    # now (after the batch, so a run that writes nothing can tell it made it and drop it).
    name = (portfolio_name or "").strip()
    if kind == ImportBatch.Kind.PORTFOLIO and name and not dry_run:
        batch.portfolio, _created = Portfolio.objects.get_or_create(
            creditor=creditor, name=name, defaults={"assigned_on": timezone.localdate()}
        )
        batch.save(update_fields=["portfolio", "updated_at"])
    return batch


# Namespace of the PostgreSQL advisory locks that mark "a worker is running batch N".
BATCH_LOCK_NAMESPACE = 7_340_101


@contextmanager
def _runner_lock(batch_id: int):
    """Hold a session (advisory) lock while running a batch; yields whether we got it.

    The lock dies with the worker's connection, so a batch left `running` by a killed worker
    can be told apart from one still being imported.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [BATCH_LOCK_NAMESPACE, batch_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [BATCH_LOCK_NAMESPACE, batch_id]
                )


def import_batch_run(*, batch_id: int) -> ImportBatch | None:
    """Run a pending batch with the importer of its kind; finished batches are left alone.

    A batch still marked `running` whose runner holds no lock was abandoned by a worker that
    died: its domain writes rolled back with it, so the redelivered task runs it again.
    """
    with _runner_lock(batch_id) as acquired:
        if not acquired:  # another worker is importing this batch right now
            return ImportBatch.objects.filter(id=batch_id).first()
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().filter(id=batch_id).first()
            if batch is None:
                return None
            abandoned = batch.status == ImportBatch.Status.RUNNING
            if batch.status != ImportBatch.Status.PENDING and not abandoned:
                return batch
            if abandoned:
                logger.warning(
                    "import batch %s was abandoned by a dead worker; rerunning", batch_id
                )
            batch.status = ImportBatch.Status.RUNNING
            batch.started_at = timezone.now()
            batch.save(update_fields=["status", "started_at", "updated_at"])
        if batch.kind == ImportBatch.Kind.PAYMENTS:
            from imports.services.payments_file import payments_import_run

            return payments_import_run(batch=batch)
        return portfolio_import_run(batch=batch)


def portfolio_import_run(*, batch: ImportBatch) -> ImportBatch:
    """Validate a portfolio file and upsert its valid rows set-based, recording row errors."""
    if batch.started_at is None or batch.status == ImportBatch.Status.PENDING:
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = timezone.now()
        batch.save(update_fields=["status", "started_at", "updated_at"])
    try:
        _run(batch)
    except ApplicationError as exc:
        _finish(batch, ImportBatch.Status.FAILED, error=exc)
    except Exception:
        logger.exception("portfolio import %s crashed", batch.id)
        _finish(
            batch,
            ImportBatch.Status.FAILED,
            error=Reason(row_reasons.CRASHED),
        )
    return batch


def _run(batch: ImportBatch) -> None:
    TIMINGS.clear()
    with phase("identical file"):
        if _identical_file_record(batch):
            return
    with phase("read+validate"), batch.file.open("rb") as handle:
        parsed = parse_portfolio_file(handle)
    batch.rows_total = parsed.rows_total
    batch.rejected_count = parsed.rejected_rows
    with phase("row errors"):
        _save_errors(batch, parsed.errors)
    with phase("rate caps"):
        _rate_caps(batch, parsed.valid, as_of=business_today())
    if batch.strict and parsed.rejected_rows:
        _finish(
            batch,
            ImportBatch.Status.REJECTED,
            error=Reason(row_reasons.STRICT_PORTFOLIO, {"count": parsed.rejected_rows}),
        )
        return
    with phase("changes"):
        base, changed = _changed_rows(batch, parsed.valid)
    now = timezone.now()
    reason = f"import #{batch.id}"
    with transaction.atomic():
        # One import per creditor at a time: concurrent files for the same creditor queue here.
        Creditor.objects.select_for_update().filter(id=batch.creditor_id).first()
        valid = parsed.valid
        last = _last_completed(batch, batch.creditor_id) if base is not None else None
        if last is not None and last.id == base:
            # Still the file the lines were compared with: the other debtors are as it left them.
            valid = changed
        portfolio = batch.portfolio
        if portfolio is None:
            portfolio, _created = Portfolio.objects.get_or_create(
                creditor_id=batch.creditor_id,
                name=Path(batch.file_name).stem[:200] or "import",
                defaults={"assigned_on": timezone.localdate()},
            )
        counts = write_portfolio(
            valid=valid,
            creditor_id=batch.creditor_id,
            portfolio_id=portfolio.id,
            user_id=batch.created_by_id,
            now=now,
            reason=reason,
        )
        if batch.dry_run:
            # Same SQL as a real run so the counts are exact, then nothing is kept.
            transaction.set_rollback(True)
        commit_started = time.perf_counter()
    TIMINGS["commit"] = time.perf_counter() - commit_started
    if not batch.dry_run:
        batch.portfolio = portfolio
    batch.created_count = counts.debts_created
    batch.updated_count = counts.debts_updated
    batch.unchanged_count = len(parsed.valid) - counts.debts_created - counts.debts_updated
    batch.debtors_created = counts.debtors_created
    batch.debtors_updated = counts.debtors_updated
    _finish(batch, ImportBatch.Status.COMPLETED)


def _last_completed(batch: ImportBatch, creditor_id: int) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(
            creditor_id=creditor_id,
            kind=ImportBatch.Kind.PORTFOLIO,
            status=ImportBatch.Status.COMPLETED,
            dry_run=False,
        )
        .exclude(id=batch.id)
        .order_by("-finished_at", "-id")
        .first()
    )


def _changed_rows(batch: ImportBatch, valid):
    """(the last batch compared with, the valid rows of the debtors whose lines changed).

    (None, None) when there is no earlier file to compare with or the comparison cannot say.
    """
    last = _last_completed(batch, batch.creditor_id)
    if last is None or not last.file or not batch.file_sha256:
        return None, None
    touched = touched_debtors(batch=batch, last=last, valid=valid)
    if touched is None:
        return None, None
    return last.id, valid[valid["debtor_ref"].isin(touched)]


def _identical_file_record(batch: ImportBatch) -> bool:
    """Record a file identical to the creditor's last completed one as changing nothing.

    Same SHA-256 as the last file applied means every row is what that import already
    wrote (or rejected): reading, validating and comparing a million rows again would find
    no change, so the batch takes that import's counts and row errors and is done.
    A strict run of a file that had invalid rows still goes the long way, to be rejected.
    """
    if not batch.file_sha256:
        return False
    last = _last_completed(batch, batch.creditor_id)
    if last is None or last.file_sha256 != batch.file_sha256:
        return False
    with transaction.atomic():
        # Under the creditor lock an import of another file cannot slip in between.
        Creditor.objects.select_for_update().filter(id=batch.creditor_id).first()
        last = _last_completed(batch, batch.creditor_id)
        if last is None or last.file_sha256 != batch.file_sha256:
            return False
        if batch.strict and last.rejected_count:
            return False
        ImportRowError.objects.filter(batch=batch).delete()
        columns = [
            connection.ops.quote_name(f.column)
            for f in ImportRowError._meta.concrete_fields
            if f.name not in ("id", "batch")
        ]
        table = ImportRowError._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (batch_id, {', '.join(columns)})"
                f" SELECT %s, {', '.join(columns)} FROM {table} WHERE batch_id = %s ORDER BY id",
                [batch.id, last.id],
            )
        batch.rows_total = last.rows_total
        batch.rejected_count = last.rejected_count
        batch.created_count = batch.updated_count = 0
        batch.debtors_created = batch.debtors_updated = 0
        batch.unchanged_count = last.rows_total - last.rejected_count
        batch.capped_count, batch.capped_rows = last.capped_count, last.capped_rows
        if batch.portfolio is None and not batch.dry_run:
            batch.portfolio_id = last.portfolio_id
        _finish(batch, ImportBatch.Status.COMPLETED)
    return True


def _rate_caps(batch: ImportBatch, valid, *, as_of) -> None:
    """Count (and keep the first of) the valid rows whose late interest rate is above the
    ceiling in force on `as_of`: Colombia's certified usury rate for the product rule's credit
    type (or the creditor's lower maximum), elsewhere the creditor's maximum. They load as
    written; the accrual applies the ceiling day by day."""
    batch.capped_count, batch.capped_rows = 0, []
    rates = valid["late_interest_rate"]
    present = (rates != "").to_numpy()
    if not present.any():
        return
    rows = valid.loc[present, ["_row", "debt_ref", "country", "product", "late_interest_rate"]]
    ceiling_of = rate_ceilings(creditor_id=batch.creditor_id, as_of=as_of)
    pairs = rows[["country", "product"]].drop_duplicates()
    ceilings = {(c, p): ceiling_of(c, p) for c, p in pairs.itertuples(index=False, name=None)}
    limit = [ceilings[(c, p)].rate for c, p in zip(rows["country"], rows["product"], strict=True)]
    # Rates have at most 4 decimals and stay below 1000: as floats they compare exactly enough.
    limits = pd.to_numeric(pd.Series(limit, index=rows.index, dtype=object), errors="coerce")
    over = pd.to_numeric(rows["late_interest_rate"]) > limits
    capped = rows[over.fillna(False).to_numpy(dtype=bool)]
    batch.capped_count = len(capped)
    kept = []
    for row, debt_ref, country, product, rate in capped.head(CAPPED_ROWS_KEPT).itertuples(
        index=False, name=None
    ):
        ceiling = ceilings[(country, product)]
        kept.append(
            {
                "row": int(row),
                "debt_ref": debt_ref,
                "rate": rate,
                "ceiling": str(ceiling.rate),
                "source": ceiling.source,
                "resolution": ceiling.resolution,
            }
        )
    batch.capped_rows = kept


def _save_errors(batch: ImportBatch, errors) -> None:
    ImportRowError.objects.filter(batch=batch).delete()
    if errors.empty:
        return
    columns = ["row", "column", "reason", "code", "params", "value"]
    rows = (
        ImportRowError(
            batch_id=batch.id,
            row=row,
            column=column,
            reason=reason[:255],
            reason_code=code,
            reason_params=params,
            value=value,
        )
        for row, column, reason, code, params, value in errors[columns].itertuples(
            index=False, name=None
        )
    )
    ImportRowError.objects.bulk_create(rows, batch_size=5000)


def _finish(batch: ImportBatch, status: str, *, error=None) -> None:
    batch.status = status
    batch.error_set(error or "")
    batch.finished_at = timezone.now()
    if status != ImportBatch.Status.COMPLETED:
        batch.created_count = batch.updated_count = batch.unchanged_count = 0
        batch.debtors_created = batch.debtors_updated = 0
        portfolio = batch.portfolio
        # A portfolio this batch created for nothing is not left behind.
        if (
            portfolio is not None
            and portfolio.created_at >= batch.created_at
            and not portfolio.debts.exists()
            and not portfolio.imports.exclude(id=batch.id).exists()
        ):
            batch.portfolio = None
            batch.save(update_fields=["portfolio"])
            portfolio.delete()
    batch.save()
