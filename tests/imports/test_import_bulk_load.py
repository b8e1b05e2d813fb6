"""A first load on fresh tables: constant columns as defaults, ids in blocks, statistics after.

The books themselves are compared with the ordinary path in test_import_fast_paths; these
check what the fresh-table load does on the side and must leave as it found it.
"""

import re

import pandas as pd
import pytest
from django.db import connection

from imports.models import ImportBatch
from imports.services.portfolio_file import bulk
from imports.services.portfolio_file.reading import EMAIL_RE, _emails_valid
from portfolio.models import ConsentEvent, ContactPoint, Debt, Debtor
from tests.imports.test_import_fast_paths import SAMPLE
from tests.imports.test_import_service import csv_bytes, row, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def first_loads_in_bulk(settings):
    settings.CARTERA_IMPORT_BULK_MIN_ROWS = 1


def _defaults():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, column_default, is_identity"
            " FROM information_schema.columns WHERE table_name = ANY(%s) ORDER BY 1, 2",
            [list(bulk.TABLES)],
        )
        return cursor.fetchall()


def _statistics(table: str, column: str):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_distinct, histogram_bounds::text, most_common_vals::text FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
            [table, column],
        )
        return cursor.fetchone()


def _five_debtors():
    return [
        row(debtor_ref=f"D{i}", debt_ref=f"OBL-{i}", document_number=f"10{i}") for i in range(5)
    ]


def test_a_fresh_first_load_leaves_planner_statistics_of_what_it_loaded(
    creditor, first_loads_in_bulk
):
    # Given empty tables (never analyzed with these rows in them)
    # When a first load runs in bulk
    batch = run(creditor, csv_bytes(*_five_debtors()))
    assert batch.status == ImportBatch.Status.COMPLETED and batch.created_count == 5
    # Then each table it wrote has statistics sampled from the rows it wrote
    debt_refs = _statistics(Debt._meta.db_table, "debt_ref")
    assert debt_refs is not None and debt_refs[0] == -1  # every debt_ref distinct
    assert all(f"OBL-{i}" in (debt_refs[1] or "") for i in range(5))
    debtor_refs = _statistics(Debtor._meta.db_table, "debtor_ref")
    assert debtor_refs is not None and "D4" in (debtor_refs[1] or "")
    channels = _statistics(ContactPoint._meta.db_table, "channel")
    assert channels is not None and "whatsapp" in (channels[2] or "")
    assert _statistics(ConsentEvent._meta.db_table, "contact_point_id") is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
            [list(bulk.TABLES)],
        )
        tuples = dict(cursor.fetchall())
    assert tuples[Debt._meta.db_table] == Debt.objects.count() == 5
    assert tuples[ContactPoint._meta.db_table] == ContactPoint.objects.count()


def test_a_fresh_first_load_puts_the_column_defaults_back(creditor, first_loads_in_bulk):
    before = _defaults()
    assert not [d for d in before if d[2] is not None and d[3] == "NO"]  # no default to keep
    # When a first load sets defaults for its constant columns
    run(creditor, (SAMPLE), name="sample.csv")
    # Then none of them is left behind
    assert _defaults() == before


def test_a_crash_in_a_fresh_first_load_puts_the_column_defaults_back(
    creditor, first_loads_in_bulk, monkeypatch
):
    before = _defaults()
    copy = bulk.copy_arrow

    def copy_then_fail(cursor, table, columns, **kwargs):
        copy(cursor, table, columns, **kwargs)
        if table == Debt._meta.db_table:
            raise RuntimeError("connection lost")

    # The debts were written, every default set, when the load fails.
    monkeypatch.setattr(bulk, "copy_arrow", copy_then_fail)
    batch = run(creditor, csv_bytes(row()))
    assert batch.status == ImportBatch.Status.FAILED
    assert not Debt.objects.exists() and not Debtor.objects.exists()
    assert _defaults() == before


def test_ids_taken_in_a_block_leave_the_sequences_past_them(creditor, first_loads_in_bulk):
    # Given a fresh first load (its debtor and contact point ids reserved in one block each)
    run(creditor, csv_bytes(*_five_debtors()))
    debtor_ids = sorted(Debtor.objects.values_list("id", flat=True))
    contact_ids = sorted(ContactPoint.objects.values_list("id", flat=True))
    assert debtor_ids == list(range(debtor_ids[0], debtor_ids[0] + 5))
    # Then every debt and contact point points at its own debtor, each event at its point
    for debt in Debt.objects.select_related("debtor"):
        assert debt.debt_ref.removeprefix("OBL-") == debt.debtor.debtor_ref.removeprefix("D")
    assert set(ContactPoint.objects.values_list("debtor_id", flat=True)) == set(debtor_ids)
    granted = set(ContactPoint.objects.filter(consent_granted=True).values_list("id", flat=True))
    assert set(ConsentEvent.objects.values_list("contact_point_id", flat=True)) == granted
    # and rows created afterwards take ids past the block
    debtor = Debtor.objects.create(
        creditor=creditor, debtor_ref="NEW", document_type="CC", document_number="999",
        full_name="Nuevo", country="CO",
    )  # fmt: skip
    point = ContactPoint.objects.create(debtor=debtor, channel="email", value="nuevo@example.com")
    assert debtor.id > debtor_ids[-1] and point.id > contact_ids[-1]


@pytest.mark.parametrize(
    "value",
    [
        "ana@example.com",
        "ANA.P@EXAMPLE.CO",
        "a b@example.com",
        "a\x0bb@example.com",  # a space to Python's re, not to RE2
        "a\xa0b@example.com",
        "a\u2003b@example.com",
        "a\x1cb@example.com",
        "ana@example.com\n",  # Python's $ allows a final line break
        "ñandú@correo.es",
        "ana@example.c",
        "ana@@example.com",
        "ana@example.com,",
        "",
    ],
)
def test_email_check_reads_the_pattern_as_pythons_re(value):
    got = _emails_valid(pd.Series([value, "ana@example.com"], dtype="str"))
    assert got.tolist() == [re.search(EMAIL_RE, value) is not None, True]


def test_a_copy_whose_data_stops_half_way_keeps_nothing(creditor, first_loads_in_bulk, monkeypatch):
    # The CSV reaches COPY through a pipe: a writer that fails after some rows ends the data
    # early, which COPY alone would take for the whole of it.
    write_csv = bulk.pa_csv.write_csv

    def half_then_fail(table, sink, options):
        write_csv(table.slice(0, table.num_rows // 2), sink, options)
        raise OSError("no space left on device")

    monkeypatch.setattr(bulk.pa_csv, "write_csv", half_then_fail)
    batch = run(creditor, csv_bytes(*_five_debtors()))
    monkeypatch.undo()
    assert batch.status == ImportBatch.Status.FAILED
    assert not Debtor.objects.exists() and not Debt.objects.exists()
    assert not ContactPoint.objects.exists()
