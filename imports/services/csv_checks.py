"""Checks both import files share: the header row, records wider than it, NUL characters."""

import csv
import io
from collections.abc import Iterable, Sequence

from core.exceptions import ApplicationError
from core.reasons import Reason
from imports import reasons

# The contracts have 26 (portfolio) and 6 (payments) columns; unknown extra columns are
# ignored, but a header far wider than any real export is a wrong or malicious file, and
# every extra column costs memory for every row.
MAX_COLUMNS = 200
NUL = "\x00"
# How a NUL is shown in a row error's value: PostgreSQL text cannot hold the character itself.
NUL_SHOWN = "\u2400"


def header_read(fileobj) -> list[str]:
    """The names on line 1 of a binary file (BOM dropped); the file is rewound afterwards."""
    fileobj.seek(0)
    first = fileobj.readline()
    fileobj.seek(0)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError(Reason(reasons.FILE_NOT_UTF8), field="file") from None
    return header_parse(text)


def header_parse(text: str) -> list[str]:
    """The fields of the first record of `text`, [] when there is none."""
    try:
        return next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise header_not_csv(exc) from None


def header_check(header: Sequence[str], *, columns: Iterable[str]) -> list[str]:
    """The header's names (stripped, lower case); ApplicationError for an unusable header."""
    names = [name.strip().lower() for name in header]
    if not names:
        raise ApplicationError(Reason(reasons.FILE_EMPTY), field="file")
    if not any(names):
        raise ApplicationError(Reason(reasons.HEADER_NO_COLUMNS), field="file")
    if len(names) > MAX_COLUMNS:
        raise ApplicationError(
            Reason(reasons.HEADER_TOO_WIDE, {"count": len(names), "limit": MAX_COLUMNS}),
            field="file",
        )
    for column in columns:
        positions = [str(i) for i, name in enumerate(names, start=1) if name == column]
        if len(positions) > 1:
            # Which copy holds the data is anyone's guess: refuse rather than drop one.
            raise ApplicationError(
                Reason(
                    reasons.COLUMN_REPEATED, {"column": column, "positions": ", ".join(positions)}
                ),
                field=column,
            )
    return names


def first_wide_record(text: str, *, width: int) -> tuple[int, int] | None:
    """(line, fields) of the first record with more than `width` fields, None if none."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        next(reader, None)
        line = reader.line_num + 1
        for record in reader:
            # A quoted field may span lines: name the line where the record starts.
            start, line = line, reader.line_num + 1
            if len(record) > width:
                return start, len(record)
    except csv.Error:
        pass  # the caller reports the parser's own error
    return None


def wide_record_error(line: int, fields: int, width: int) -> ApplicationError:
    return ApplicationError(
        Reason(reasons.RECORD_TOO_WIDE, {"line": line, "fields": fields, "width": width}),
        field="file",
    )


def header_not_csv(exc: Exception) -> ApplicationError:
    return ApplicationError(Reason(reasons.HEADER_NOT_CSV, {"error": str(exc)}), field="file")
