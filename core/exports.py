"""Every file a user downloads (CSV, Excel) is written here, and every download is recorded.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return ahead of one) as a formula. A segment, portfolio or collector name, or a raw value of
an uploaded file, could then open links or run commands on the reader's machine when the export
is opened ("CSV injection", OWASP). So every text cell that starts with one of those characters
gets a leading apostrophe, which spreadsheets show as plain text. Typed values (Decimal, int,
dates) are written as they are: a negative amount is a number, not a formula. Text that is
only a number ("-100.00", the raw value of a rejected amount) cannot run anything and is kept
as it is; any other text starting with a formula character ("-1+1") is neutralised.

Views build (headers, rows) and hand them to `export_response` / `export_csv_stream_response`:
no view writes CSV or Excel itself (tests/core/test_exports.py fails if one does).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.http import client_ip
from core.models import ExportRecord

# OWASP's list: the characters a spreadsheet reads as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A signed number and nothing else: a spreadsheet reads it as that number.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value as a spreadsheet may show it: text that would start a formula is quoted."""
    if isinstance(value, Promise):  # a lazy translation is text
        value = str(value)
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def _csv_value(value):
    return "" if value is None else safe_cell(value)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_lines(headers: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The header line, then one line per row, each cell neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow([_csv_value(v) for v in headers])
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row])


def csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    # A BOM so Excel opens the UTF-8 accents correctly.
    return ("\ufeff" + "".join(csv_lines(headers, rows))).encode("utf-8")


def _xlsx_cell(sheet, value):
    value = safe_cell(value)
    if isinstance(value, Decimal):
        # Excel has no exact decimal type: amounts go in as numbers (the CSV keeps exact text).
        return float(value)
    if isinstance(value, str):
        # Control characters are not allowed in the file format (openpyxl would raise); and the
        # cell is typed as text, so nothing in it is ever stored as a formula.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
        cell.data_type = "s"
        return cell
    return value


def xlsx_bytes(title: str, headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "export")
    sheet.append([_xlsx_cell(sheet, v) for v in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def query_filters(query: QueryDict) -> dict:
    """The query string as a plain dict for the record: one value as a string, several as a list."""
    return {
        key: values[0] if len(values) == 1 else values
        for key in sorted(query)
        if (values := query.getlist(key))
    }


def export_record(
    *,
    user,
    export: str,
    file_name: str,
    filters: dict,
    row_count: int,
    ip_address: str | None,
    path: str = "",
) -> ExportRecord:
    """Record who downloaded which export, with which filter and how many rows."""
    return ExportRecord.objects.create(
        user=user,
        export=export[:100],
        file_name=file_name[:255],
        filters=filters,
        row_count=row_count,
        ip_address=ip_address or None,
        path=path[:255],
    )


def _record(request, *, export, file_name, row_count, filters):
    export_record(
        user=request.user,
        export=export,
        file_name=file_name,
        filters=query_filters(request.GET) if filters is None else filters,
        row_count=row_count,
        ip_address=client_ip(request),
        path=request.path,
    )


def _attachment(response, file_name: str):
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def export_response(
    *,
    request,
    export: str,
    file_name: str,
    fmt: str,
    headers: Sequence,
    rows: Sequence[Sequence],
    title: str = "",
    filters: dict | None = None,
) -> HttpResponse:
    """The rows as a CSV or Excel download (`fmt` "csv" or "xlsx"), recorded as an export.

    `filters` defaults to the request's query string.
    """
    rows = list(rows)
    if fmt == "csv":
        response = HttpResponse(csv_bytes(headers, rows), content_type=CSV_CONTENT_TYPE)
    elif fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes(title or export, headers, rows), content_type=XLSX_CONTENT_TYPE
        )
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    _record(request, export=export, file_name=file_name, row_count=len(rows), filters=filters)
    return _attachment(response, file_name)


def export_csv_stream_response(
    *,
    request,
    export: str,
    file_name: str,
    headers: Sequence,
    rows: Iterable[Sequence],
    row_count: int,
    filters: dict | None = None,
) -> StreamingHttpResponse:
    """Like `export_response` for a CSV too big to build in memory: streamed line by line."""
    _record(request, export=export, file_name=file_name, row_count=row_count, filters=filters)
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type=CSV_CONTENT_TYPE)
    return _attachment(response, file_name)
