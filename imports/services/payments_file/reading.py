"""Reading and field validation of a payments file (pyarrow, a csv fallback, per-value checks)."""

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.conf import settings
from django.utils import timezone

from core.bulk import phase_timer
from core.exceptions import ApplicationError
from core.reasons import Reason, reason_split
from imports import reasons as row_reasons
from imports.models import ImportBatch
from imports.services.csv_checks import NUL, NUL_SHOWN, header_check, header_not_csv
from ledger.services.payments import (
    payment_validate_amount,
    payment_validate_method,
    payment_validate_paid_at,
)

COLUMNS = ("debt_ref", "amount", "currency", "paid_at", "method", "reference")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Cents sums that could pass this are done with Python ints instead of int64.
INT64_SAFE = 2**62

# Seconds per phase of the last import in this process; the benchmark prints them.
TIMINGS, phase = phase_timer()


class _Errors:
    """Row errors as parallel lists; `order` keeps each row's errors in the order found."""

    def __init__(self, lines: np.ndarray, raw: dict[str, np.ndarray]):
        self.lines, self.raw = lines, raw
        self.parts: list[tuple] = []
        self.order = 0

    def add(self, idx: np.ndarray, column: str, reasons) -> None:
        """Reject rows at positions `idx` on `column`; reasons is one reason or one per row
        (a Reason, or text from a parser that only has text)."""
        if len(idx) == 0:
            return
        if isinstance(reasons, str | Reason):
            reasons = [reasons] * len(idx)
        self.order += 1
        self.parts.append((idx, self.order, column, list(reasons)))

    def rejected(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for idx, *_rest in self.parts:
            mask[idx] = True
        return mask

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(
                {
                    "row": [],
                    "order": [],
                    "column": [],
                    "reason": [],
                    "code": [],
                    "params": [],
                    "value": [],
                }
            )
        frames = [
            pd.DataFrame(
                {
                    "row": self.lines[idx],
                    "order": order,
                    "column": column,
                    "reason": [str(r)[:255] for r in reasons],
                    "code": [reason_split(r)[0] for r in reasons],
                    "params": [reason_split(r)[1] for r in reasons],
                    "value": self.raw[column][idx] if column in self.raw else "",
                }
            )
            for idx, order, column, reasons in self.parts
        ]
        result = pd.concat(frames, ignore_index=True)
        result["value"] = result["value"].astype(str).str.slice(0, 255)
        result = result.sort_values(["row", "order"], kind="stable")
        # A value is reported once, for the first thing found wrong with it (a NUL makes
        # the same value an unknown debt, a bad amount, ...).
        return result.drop_duplicates(["row", "column"], keep="first")


def _parse_paid_at(value: str, *, tz, now: datetime) -> datetime:
    try:
        # fromisoformat reads a bare date as midnight and accepts offsets and "Z".
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApplicationError(Reason(row_reasons.PAID_AT_NOT_ISO), field="paid_at") from None
    if timezone.is_naive(parsed):
        if "T" in value or " " in value.strip():
            # A time of day without its offset could be any of the payers' time zones.
            raise ApplicationError(Reason(row_reasons.PAID_AT_NO_OFFSET), field="paid_at")
        # A bare date is that business day in the operation's time zone.
        parsed = timezone.make_aware(parsed, tz)
    # Time zone, not in the future, not older than the window: the ledger's own rules.
    return payment_validate_paid_at(parsed, now=now)


def _read_frame(batch: ImportBatch) -> pd.DataFrame:
    """The data rows as stripped strings plus `line`; ApplicationError for an unusable file."""
    with batch.file.open("rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(Reason(row_reasons.FILE_NOT_UTF8), field="file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise header_not_csv(exc) from None
    names = header_check(header, columns=COLUMNS)
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ApplicationError(
            Reason(row_reasons.COLUMNS_MISSING, {"columns": ", ".join(missing)}), field="file"
        )
    index = {c: names.index(c) for c in COLUMNS}
    frame = None
    if reader.line_num == 1:
        frame = _read_fast(data.removeprefix(b"\xef\xbb\xbf"), text, len(header), index)
    if frame is None:
        try:
            frame = _read_slow(reader, index)
        except csv.Error as exc:
            raise ApplicationError(
                Reason(row_reasons.LINE_NOT_CSV, {"line": reader.line_num, "error": str(exc)}),
                field="file",
            ) from None
    return frame.reset_index(drop=True)


def _nul_cells(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Positions of the values holding a NUL, per column; those values are made storable.

    PostgreSQL text cannot hold a NUL, and the file's values are staged before the rows are
    sorted out: the NUL is shown as a symbol so the row can be matched, reported and skipped.
    """
    cells = {}
    for column in COLUMNS:
        values = frame[column].astype(object)
        has_nul = values.str.contains(NUL, regex=False).to_numpy(dtype=bool)
        if has_nul.any():
            cells[column] = np.flatnonzero(has_nul)
            frame[column] = values.str.replace(NUL, NUL_SHOWN, regex=False)
    return cells


def _read_fast(data: bytes, text: str, width: int, index: dict) -> pd.DataFrame | None:
    """Arrow's parser, when every record sits on its own line (so line = position + 2)."""
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # short or long rows: the csv module pads and ignores like before
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if "\r" in text.replace("\r\n", "") or table.num_rows + 1 != lines:
        return None  # a record spans lines (or bare CR endings): count lines the slow way
    stripped = [pc.utf8_trim_whitespace(table.column(n)) for n in names]
    blank = np.ones(table.num_rows, dtype=bool)
    for column in stripped:
        blank &= pc.equal(column, "").to_numpy(zero_copy_only=False)
    frame = pd.DataFrame({c: stripped[i].to_numpy(zero_copy_only=False) for c, i in index.items()})
    frame["line"] = np.arange(2, table.num_rows + 2)
    return frame[~blank]


def _read_slow(reader, index: dict) -> pd.DataFrame:
    records, lines = [], []
    line = reader.line_num + 1
    for record in reader:
        # A quoted field may span lines: report the line where the record starts.
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in record):
            continue
        records.append([(record[i].strip() if i < len(record) else "") for i in index.values()])
        lines.append(start)
    frame = pd.DataFrame(records, columns=list(index), dtype=object)
    if not records:
        frame = pd.DataFrame({c: np.array([], dtype=object) for c in index})
    frame["line"] = np.array(lines, dtype=np.int64)
    return frame


def _per_value(values: np.ndarray, convert) -> tuple[np.ndarray, tuple[list, list]]:
    """convert(value) -> (result, error or None) once per distinct value, spread to rows."""
    codes, uniques = pd.factorize(values)
    results, errors = [], []
    for value in uniques:
        result, error = convert(value)
        results.append(result)
        errors.append(error)
    return codes, (results, errors)


def _validate_fields(frame: pd.DataFrame, errors: _Errors, *, now: datetime) -> dict:
    """Check each field; returns per-row arrays (cents, paid_at, method, currency)."""
    n = len(frame)
    raw = errors.raw
    present = {c: raw[c] != "" for c in COLUMNS}
    for column in COLUMNS:
        errors.add(np.flatnonzero(~present[column]), column, Reason(row_reasons.MISSING_VALUE))

    def amount(value):
        try:
            return int(payment_validate_amount(value) * 100), None
        except ApplicationError as exc:
            return -1, exc.reason or exc.message

    codes, (cents_u, errs_u) = _per_value(raw["amount"], amount)
    cents = np.array(cents_u, dtype=object)[codes] if cents_u else np.zeros(0, dtype=object)
    err = np.array(errs_u, dtype=object)[codes] if errs_u else np.zeros(0, dtype=object)
    bad = np.flatnonzero(present["amount"] & pd.notna(err))
    errors.add(bad, "amount", err[bad].tolist())
    cents[~present["amount"]] = -1

    tz = ZoneInfo(settings.TIME_ZONE)

    def paid_at(value):
        try:
            parsed = _parse_paid_at(value, tz=tz, now=now)
        except ApplicationError as exc:
            return None, exc.reason or exc.message
        return (parsed - EPOCH) // _MICROSECOND, None

    codes, (us_u, errs_u) = _per_value(raw["paid_at"], paid_at)
    us = np.array([-(2**62) if u is None else u for u in us_u], dtype=np.int64)[codes]
    err = np.array(errs_u, dtype=object)[codes] if errs_u else np.zeros(0, dtype=object)
    bad = np.flatnonzero(present["paid_at"] & pd.notna(err))
    errors.add(bad, "paid_at", err[bad].tolist())

    def method(value):
        try:
            return payment_validate_method(value), None
        except ApplicationError as exc:
            return "", exc.reason or exc.message

    codes, (methods_u, errs_u) = _per_value(raw["method"], method)
    methods = np.array(methods_u, dtype=object)[codes] if methods_u else np.zeros(0, object)
    err = np.array(errs_u, dtype=object)[codes] if errs_u else np.zeros(0, dtype=object)
    bad = np.flatnonzero(present["method"] & pd.notna(err))
    errors.add(bad, "method", err[bad].tolist())

    too_long = pd.Series(raw["reference"]).str.len().to_numpy() > 100
    errors.add(np.flatnonzero(too_long), "reference", Reason(row_reasons.REFERENCE_TOO_LONG))
    currency = pd.Series(raw["currency"], dtype=object).str.upper().to_numpy()
    return {"cents": cents, "us": us, "method": methods, "currency": currency, "n": n}
