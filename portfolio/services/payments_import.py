"""The payments file import, set-based: `payments_import_run` in services.payments calls `run`."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.bulk import temp_table_drop, temp_table_load
from core.exceptions import ApplicationError
from portfolio.models import OPEN_STAGES, Debt, ImportBatch, ImportRowError, Payment, Stage
from portfolio.services.payments import (
    payment_allocate,
    payment_currency_message,
    payment_debt_closed_message,
    payment_overpayment_message,
    payment_stage_changes_record,
    payment_validate_amount,
    payment_validate_method,
)

COLUMNS = ("debt_ref", "amount", "currency", "paid_at", "method", "reference")
BATCH_SIZE = 2000
STAGE_TABLE = "stg_payments_debt"


@dataclass
class Row:
    line: int
    raw: dict
    amount: Decimal | None = None
    currency: str = ""
    paid_at: datetime | None = None
    method: str = ""
    debt: Debt | None = None
    unchanged: bool = False
    duplicate_of: "Row | None" = None
    errors: list = field(default_factory=list)

    def reject(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_paid_at(value: str, *, tz, now: datetime) -> datetime:
    try:
        # fromisoformat reads a bare date as midnight and accepts offsets and "Z".
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApplicationError(
            _("Not an ISO 8601 date or date and time."), field="paid_at"
        ) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, tz)
    if parsed > now:
        raise ApplicationError(_("Payment time cannot be in the future."), field="paid_at")
    return parsed


def _read_rows(batch: ImportBatch) -> list[Row]:
    """Rows of the CSV; ApplicationError when the file itself (encoding, header) is unusable."""
    with batch.file.open("rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(_("The file is not UTF-8 text."), field="file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ApplicationError(_("The file is empty."), field="file")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ApplicationError(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, field="file"
        )
    index = {c: names.index(c) for c in COLUMNS}
    rows = []
    line = reader.line_num + 1
    for record in reader:
        # A quoted field may span lines: report the line where the record starts.
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in record):
            continue
        raw = {c: (record[i].strip() if i < len(record) else "") for c, i in index.items()}
        rows.append(Row(line=start, raw=raw))
    return rows


def _validate_fields(rows: list[Row], *, now: datetime) -> None:
    tz = ZoneInfo(settings.TIME_ZONE)
    for row in rows:
        for column in COLUMNS:
            if not row.raw[column]:
                row.reject(column, _("Missing value."))
        if row.raw["amount"]:
            try:
                row.amount = payment_validate_amount(row.raw["amount"])
            except ApplicationError as exc:
                row.reject("amount", exc.message)
        row.currency = row.raw["currency"].upper()
        if row.raw["paid_at"]:
            try:
                row.paid_at = _parse_paid_at(row.raw["paid_at"], tz=tz, now=now)
            except ApplicationError as exc:
                row.reject("paid_at", exc.message)
        if row.raw["method"]:
            try:
                row.method = payment_validate_method(row.raw["method"])
            except ApplicationError as exc:
                row.reject("method", exc.message)
        if len(row.raw["reference"]) > 100:
            row.reject("reference", _("Reference must be at most 100 characters long."))


def _same_payment(a_debt_ref: str, a_amount, b_debt_ref: str, b_amount) -> bool:
    return a_debt_ref == b_debt_ref and a_amount == b_amount


def _match_debts_and_references(rows, *, debts: dict, recorded: dict) -> list[Row]:
    """Attach debts, sort out replays and conflicting references; returns the rows to record."""
    first_seen: dict[str, Row] = {}
    to_record = []
    for row in rows:
        ref, reference = row.raw["debt_ref"], row.raw["reference"]
        if ref:
            row.debt = debts.get(ref)
            if row.debt is None:
                row.reject("debt_ref", _("Unknown debt for this creditor."))
        if not reference:
            continue
        if reference in recorded:
            debt_id, amount = recorded[reference]
            if row.debt is not None and row.debt.pk == debt_id and row.amount == amount:
                row.unchanged = True
            else:
                row.reject("reference", _("Reference already used for another payment."))
            continue
        earlier = first_seen.setdefault(reference, row)
        if earlier is not row:
            if _same_payment(ref, row.amount, earlier.raw["debt_ref"], earlier.amount):
                row.unchanged = True
                row.duplicate_of = earlier
            else:
                row.reject(
                    "reference",
                    _("Reference repeated in this file (line %(line)s) with different data.")
                    % {"line": earlier.line},
                )
            continue
        if row.ok and row.debt is not None:
            if row.debt.stage not in OPEN_STAGES:
                row.reject("debt_ref", payment_debt_closed_message(row.debt))
            elif row.currency != row.debt.currency:
                row.reject(
                    "currency",
                    payment_currency_message(currency=row.currency, expected=row.debt.currency),
                )
        if row.ok:
            to_record.append(row)
    return to_record


def _allocate(rows: list[Row], *, batch: ImportBatch, now: datetime):
    """Apply rows per debt in paid_at order; returns (payments, changed debts, (paid, from))."""
    by_debt = defaultdict(list)
    for row in rows:
        by_debt[row.debt.pk].append(row)
    payments, changed, paid = [], [], []
    for debt_rows in by_debt.values():
        debt = debt_rows[0].debt
        applied = False
        for row in sorted(debt_rows, key=lambda r: (r.paid_at, r.line)):
            if row.amount > debt.balance:
                row.reject(
                    "amount",
                    payment_overpayment_message(
                        amount=row.amount, balance=debt.balance, currency=debt.currency
                    ),
                )
                continue
            split = payment_allocate(amount=row.amount, fees=debt.fees, interest=debt.interest)
            debt.fees -= split.fees
            debt.interest -= split.interest
            debt.principal -= split.principal
            debt.balance = debt.fees + debt.interest + debt.principal
            applied = True
            payments.append(
                Payment(
                    creditor_id=batch.creditor_id,
                    debt=debt,
                    amount=row.amount,
                    currency=row.currency,
                    paid_at=row.paid_at,
                    method=row.method,
                    source=Payment.Source.FILE,
                    reference=row.raw["reference"],
                    allocated_fees=split.fees,
                    allocated_interest=split.interest,
                    allocated_principal=split.principal,
                    recorded_by_id=batch.created_by_id,
                )
            )
        if applied:
            debt.updated_at = now
            # The state machine stays the judge of which stage changes are allowed.
            if debt.balance == 0 and Stage.PAID in {
                t.target for t in debt.get_available_stage_transitions()
            }:
                paid.append((debt, debt.stage))
                debt.mark_paid()
                debt.stage_entered_at = now
                debt.stage_entered_on = timezone.localdate(now)
            changed.append(debt)
    return payments, changed, paid


def _debts_write(debts: list[Debt], *, paid_ids: set[int], now: datetime) -> None:
    """Write the new balances (and stage) of many debts with one UPDATE ... FROM a staged table."""
    # bulk_update's CASE WHEN per row grows quadratically with the batch; a join does not.
    temp_table_load(
        name=STAGE_TABLE,
        columns=[
            ("id", "bigint"),
            ("fees", "numeric(18, 2)"),
            ("interest", "numeric(18, 2)"),
            ("principal", "numeric(18, 2)"),
            ("balance", "numeric(18, 2)"),
            ("stage", "varchar(20)"),
            ("paid", "integer"),
        ],
        rows=(
            (d.pk, str(d.fees), str(d.interest), str(d.principal), str(d.balance), d.stage,
             int(d.pk in paid_ids))
            for d in debts
        ),
    )  # fmt: skip
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE portfolio_debt AS d SET fees = t.fees, interest = t.interest,"
            f" principal = t.principal, balance = t.balance, stage = t.stage, updated_at = %s,"
            f" stage_entered_at = CASE WHEN t.paid = 1 THEN %s ELSE d.stage_entered_at END,"
            f" stage_entered_on = CASE WHEN t.paid = 1 THEN %s ELSE d.stage_entered_on END"
            f" FROM {STAGE_TABLE} AS t WHERE d.id = t.id",
            [stamp, stamp, ops.adapt_datefield_value(timezone.localdate(now))],
        )
    temp_table_drop(name=STAGE_TABLE)


def _finish(batch: ImportBatch, rows: list[Row], *, status: str, created: int) -> ImportBatch:
    rejected = [r for r in rows if r.errors]
    errors = [
        ImportRowError(
            batch=batch,
            row=r.line,
            column=column,
            reason=reason[:255],
            value=r.raw.get(column, "")[:255],
        )
        for r in rejected
        for column, reason in r.errors
    ]
    ImportRowError.objects.bulk_create(errors, batch_size=BATCH_SIZE)
    batch.rows_total = len(rows)
    batch.created_count = created
    batch.updated_count = 0
    batch.unchanged_count = sum(1 for r in rows if r.unchanged and r.ok)
    batch.rejected_count = len(rejected)
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
            "started_at",
            "finished_at",
            "updated_at",
        ]
    )
    return batch


@transaction.atomic
def run(*, batch: ImportBatch) -> ImportBatch:
    """Validate every row, then write all valid payments and debt balances in one transaction."""
    now = timezone.now()
    batch.started_at = batch.started_at or now
    try:
        rows = _read_rows(batch)
    except ApplicationError as exc:
        batch.error_message = exc.message
        ImportRowError.objects.create(batch=batch, row=1, column=exc.field, reason=exc.message)
        return _finish(batch, [], status=ImportBatch.Status.REJECTED, created=0)

    _validate_fields(rows, now=now)
    refs = {r.raw["debt_ref"] for r in rows if r.raw["debt_ref"]}
    # Locked in pk order so two imports (or an import and the API) never deadlock.
    debts = {
        d.debt_ref: d
        for d in Debt.objects.filter(creditor_id=batch.creditor_id, debt_ref__in=refs)
        .select_for_update()
        .order_by("pk")
    }
    # Read after taking the locks: payments committed meanwhile on these debts are visible.
    references = {r.raw["reference"] for r in rows if r.raw["reference"]}
    recorded = {
        reference: (debt_id, amount)
        for reference, debt_id, amount in Payment.objects.filter(
            creditor_id=batch.creditor_id, reference__in=references
        ).values_list("reference", "debt_id", "amount")
    }
    to_record = _match_debts_and_references(rows, debts=debts, recorded=recorded)
    payments, changed, paid = _allocate(to_record, batch=batch, now=now)
    for row in rows:
        # A repeat of a rejected row is not "already recorded": it shares the rejection.
        if row.duplicate_of is not None and row.duplicate_of.errors:
            row.reject(
                "reference",
                _("Same payment as line %(line)s, which was rejected.")
                % {"line": row.duplicate_of.line},
            )

    invalid = any(r.errors for r in rows)
    if batch.strict and invalid:
        batch.error_message = _("Strict mode: nothing was written because some rows are invalid.")
        return _finish(batch, rows, status=ImportBatch.Status.REJECTED, created=0)
    if not batch.dry_run and payments:
        reason = _("Payments file import #%(id)s") % {"id": batch.pk}
        bulk_create_with_history(
            payments,
            Payment,
            batch_size=BATCH_SIZE,
            default_user=batch.created_by,
            default_change_reason=reason,
        )
        _debts_write(changed, paid_ids={d.pk for d, _ in paid}, now=now)
        # The rows are already updated; this only writes their history, in bulk.
        bulk_update_with_history(
            changed,
            Debt,
            fields=[],
            batch_size=BATCH_SIZE,
            default_user=batch.created_by,
            default_change_reason=reason,
        )
        payment_stage_changes_record(debts=paid, actor=batch.created_by, reason=reason)
    return _finish(batch, rows, status=ImportBatch.Status.COMPLETED, created=len(payments))
