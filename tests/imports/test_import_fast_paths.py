"""The portfolio import's fast paths: an identical file, a changed file, a creditor's first load.

Each one must leave the books exactly as the ordinary path does; only the work differs.
"""

from decimal import Decimal

import pytest
from django.db import connection

from imports.models import ImportBatch
from imports.services.portfolio_file import bulk, import_batch_run, writing
from portfolio.models import ConsentEvent, ContactPoint, Debt, Debtor
from tests.factories.users import ManagerFactory
from tests.imports.test_import_service import DATA, csv_bytes, errors_of, row, run
from tests.table_schema import table_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


SAMPLE = (DATA / "portfolio-sample.csv").read_bytes()


def _no_parsing(monkeypatch):
    import imports.services.portfolio_file as service

    def refuse(handle):
        raise AssertionError("the identical file was read again")

    monkeypatch.setattr(service, "parse_portfolio_file", refuse)


def _books():
    """Everything an import writes, comparable between two databases states."""
    return (
        sorted(
            Debt.objects.values_list(
                "debt_ref", "debtor__debtor_ref", "principal", "interest", "fees", "balance",
                "due_date", "opened_date", "stage", "portfolio__name",
            )
        ),
        sorted(Debtor.objects.values_list("debtor_ref", "full_name", "timezone", "language")),
        sorted(
            ContactPoint.objects.values_list(
                "debtor__debtor_ref", "channel", "value", "is_primary", "consent_granted",
                "consent_source",
            )
        ),
        sorted(
            ConsentEvent.objects.values_list(
                "contact_point__debtor__debtor_ref", "contact_point__channel", "granted", "source"
            )
        ),
    )  # fmt: skip


def test_identical_file_is_recognised_without_reading_it(creditor, monkeypatch):
    # Given the sample imported once
    first = run(creditor, SAMPLE, name="sample.csv")
    history = (Debt.history.count(), Debtor.history.count(), ContactPoint.history.count())
    stamps = sorted(Debt.objects.values_list("id", "updated_at"))
    # When the very same bytes come again (under another name), with no way to parse them
    _no_parsing(monkeypatch)
    again = run(creditor, SAMPLE, name="otra-vez.csv")
    # Then it is a completed batch that changed nothing and reports what the first one did
    assert again.status == ImportBatch.Status.COMPLETED
    assert again.file_sha256 == first.file_sha256
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 29)
    assert (again.rows_total, again.rejected_count) == (first.rows_total, first.rejected_count)
    assert (again.debtors_created, again.debtors_updated) == (0, 0)
    assert errors_of(again) == errors_of(first) and len(errors_of(again)) == 12
    assert list(again.row_errors.values_list("reason_code", flat=True)) == list(
        first.row_errors.values_list("reason_code", flat=True)
    )
    assert again.portfolio == first.portfolio
    assert (Debt.history.count(), Debtor.history.count(), ContactPoint.history.count()) == history
    assert sorted(Debt.objects.values_list("id", "updated_at")) == stamps


def test_identical_file_is_compared_with_the_last_completed_batch_only(creditor):
    # Given file A, then file B that changes a debt, then file A again
    run(creditor, csv_bytes(row()))
    run(creditor, csv_bytes(row(principal="700.00")))
    batch = run(creditor, csv_bytes(row()))
    # Then A is applied again (B came in between), as the ordinary path would
    assert (batch.created_count, batch.updated_count) == (0, 1)
    assert Debt.objects.get().principal == Decimal("800.00")


def test_identical_file_of_another_creditor_or_a_dry_run_is_not_a_match(creditor, monkeypatch):
    from tests.factories.portfolio import CreditorFactory

    other = CreditorFactory(code="otro")
    run(other, csv_bytes(row()))
    run(creditor, csv_bytes(row()), dry_run=True, name="dry.csv")
    # The other creditor's file and a dry run wrote nothing for this creditor: a real import
    batch = run(creditor, csv_bytes(row()))
    assert batch.created_count == 1 and Debt.objects.filter(creditor=creditor).count() == 1


def test_identical_file_in_strict_mode_with_invalid_rows_is_still_rejected(creditor):
    run(creditor, SAMPLE, name="sample.csv")
    batch = run(creditor, SAMPLE, name="sample.csv", strict=True)
    assert batch.status == ImportBatch.Status.REJECTED and batch.rejected_count == 12


def test_changed_file_updates_only_changed_rows_with_history(creditor):
    user = ManagerFactory(username="importer", creditors=[creditor])
    rows = [
        row(debtor_ref=f"D{i}", debt_ref=f"OBL-{i}", document_number=f"10{i}") for i in range(5)
    ]
    run(creditor, csv_bytes(*rows), user=user)
    before = {d.debt_ref: d.updated_at for d in Debt.objects.all()}
    debtor_history = Debtor.history.count()
    # When a file changes one debt's fees and another debtor's name, the rest as they were
    rows[1] = row(debtor_ref="D1", debt_ref="OBL-1", document_number="101", fees="0.10")
    rows[3] = row(debtor_ref="D3", debt_ref="OBL-3", document_number="103", full_name="Ana B")
    batch = run(creditor, csv_bytes(*rows), user=user)
    # Then exactly those rows change, each with a history row naming the import
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 4)
    assert (batch.debtors_created, batch.debtors_updated) == (0, 1)
    changed = Debt.objects.get(debt_ref="OBL-1")
    assert (changed.fees, changed.balance) == (Decimal("0.10"), Decimal("850.35"))
    assert [h.history_type for h in changed.history.order_by("history_date")] == ["+", "~"]
    assert changed.history.latest().history_change_reason == f"import #{batch.id}"
    after = {d.debt_ref: d.updated_at for d in Debt.objects.all()}
    assert {ref for ref in after if after[ref] != before[ref]} == {"OBL-1"}
    assert Debtor.history.count() == debtor_history + 1
    assert Debtor.objects.get(debtor_ref="D3").history.latest().full_name == "Ana B"


@pytest.fixture
def first_loads_in_bulk(settings):
    settings.CARTERA_IMPORT_BULK_MIN_ROWS = 1


def test_first_load_in_bulk_writes_the_same_books_without_creation_history(
    creditor, settings, first_loads_in_bulk
):
    user = ManagerFactory(username="importer", creditors=[creditor])
    schema = table_schema(bulk.TABLES)
    # Given the sample loaded the ordinary way, and then the whole database emptied again
    settings.CARTERA_IMPORT_BULK_MIN_ROWS = 10**9
    run(creditor, SAMPLE, name="sample.csv", user=user)
    ordinary = _books()
    assert Debt.history.count() == 29
    counts = ImportBatch.objects.values_list("created_count", "debtors_created").get()
    for model in (ConsentEvent, ContactPoint, Debt, Debtor):
        model.objects.all().delete()
    for model in (ContactPoint, Debt, Debtor):
        model.history.all().delete()
    ImportBatch.objects.all().delete()
    # When the same file is a first load in bulk
    settings.CARTERA_IMPORT_BULK_MIN_ROWS = 1
    batch = run(creditor, SAMPLE, name="sample.csv", user=user)
    # Then the books are the same, the batch is the audit (no history row per created row),
    # and every index and constraint is back, valid
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.created_count, batch.debtors_created) == counts == (29, counts[1])
    assert _books() == ordinary
    assert (Debt.history.count(), Debtor.history.count(), ContactPoint.history.count()) == (0, 0, 0)
    assert set(ConsentEvent.objects.values_list("actor_id", flat=True)) == {user.id}
    assert table_schema(bulk.TABLES) == schema
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def test_after_a_bulk_first_load_changes_write_history(creditor, first_loads_in_bulk):
    run(creditor, csv_bytes(row(), row(debt_ref="OBL-2", debtor_ref="D2")))
    assert Debt.history.count() == 0
    batch = run(
        creditor, csv_bytes(row(principal="700.00"), row(debt_ref="OBL-2", debtor_ref="D2"))
    )
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 1)
    debt = Debt.objects.get(debt_ref="OBL-1")
    assert [(h.history_type, h.principal) for h in debt.history.all()] == [("~", Decimal("700.00"))]


def test_bulk_first_load_keeps_the_indexes_of_tables_in_use(creditor, settings):
    from tests.factories.portfolio import CreditorFactory

    # Given another creditor's books in the tables (written the ordinary way: a bulk load
    # would hold its locks until the end of this test's one transaction)
    run(CreditorFactory(code="otro"), csv_bytes(row()))
    settings.CARTERA_IMPORT_BULK_MIN_ROWS = 1
    schema = table_schema(bulk.TABLES)
    # When this creditor's first load runs in bulk, nothing is dropped, the rows are right
    batch = run(creditor, csv_bytes(row(), row(debt_ref="OBL-2")))
    assert batch.created_count == 2 and batch.debtors_created == 1
    assert not Debt.history.filter(creditor_id=creditor.id).exists()  # it was a bulk load
    assert table_schema(bulk.TABLES) == schema
    # and the tables are not kept locked against everyone else for the rest of the import
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()"
            " AND mode = 'AccessExclusiveLock' AND relation = ANY(%s::regclass[])",
            [list(bulk.TABLES)],
        )
        assert cursor.fetchone()[0] == 0
    debts = Debt.objects.filter(creditor=creditor).select_related("debtor")
    assert {d.debtor.creditor_id for d in debts} == {creditor.id}


def test_a_crash_in_a_bulk_first_load_leaves_tables_and_indexes_as_they_were(
    creditor, first_loads_in_bulk, monkeypatch
):
    schema = table_schema(bulk.TABLES)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # The rows are written and the indexes dropped when the rebuild fails.
    monkeypatch.setattr(writing, "indexes_rebuild", boom)
    batch = run(creditor, csv_bytes(row()))
    assert batch.status == ImportBatch.Status.FAILED
    assert not Debtor.objects.exists() and not ContactPoint.objects.exists()
    assert table_schema(bulk.TABLES) == schema


def test_running_a_bulk_batch_again_does_nothing(creditor, first_loads_in_bulk):
    batch = run(creditor, csv_bytes(row()))
    again = import_batch_run(batch_id=batch.id)
    assert again.status == ImportBatch.Status.COMPLETED and Debt.objects.count() == 1


def test_bulk_first_load_without_the_right_to_skip_fk_triggers(creditor, first_loads_in_bulk):
    from unittest import mock

    # A role that may not set session_replication_role: the foreign keys are checked per row.
    with mock.patch.object(bulk, "foreign_key_triggers_off", return_value=False) as off:
        batch = run(creditor, csv_bytes(row(), row(debt_ref="OBL-2", debtor_ref="D2")))
    assert off.called and batch.status == ImportBatch.Status.COMPLETED
    assert batch.created_count == 2 and ContactPoint.objects.count() == 8
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


def _five_rows():
    return [
        row(debtor_ref=f"D{i}", debt_ref=f"OBL-{i}", document_number=f"10{i}") for i in range(5)
    ]


def test_changed_file_leaves_debtors_whose_lines_did_not_change_as_they_are(creditor):
    rows = _five_rows()
    run(creditor, csv_bytes(*rows))
    # Given OBL-3 moved in the books since (e.g. a payment), its line in the file the same
    Debt.objects.filter(debt_ref="OBL-3").update(principal=Decimal("100.00"), balance="160.35")
    # When the next file changes OBL-1 only
    rows[1] = row(debtor_ref="D1", debt_ref="OBL-1", document_number="101", principal="1.00")
    batch = run(creditor, csv_bytes(*rows))
    # Then OBL-1 is updated and OBL-3, whose line did not change, is not touched
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 4)
    assert Debt.objects.get(debt_ref="OBL-1").principal == Decimal("1.00")
    assert Debt.objects.get(debt_ref="OBL-3").principal == Decimal("100.00")


def test_changed_file_reordering_a_debtors_lines_is_a_change(creditor):
    first = row(debt_ref="OBL-1", full_name="Ana First")
    second = row(debt_ref="OBL-2", full_name="Ana Second", phone="+573109998877")
    run(creditor, csv_bytes(first, second))
    # The same lines, the other way round: the debtor's identity comes from its first row
    batch = run(creditor, csv_bytes(second, first))
    assert (batch.debtors_updated, batch.updated_count) == (1, 0)
    assert Debtor.objects.get().full_name == "Ana Second"


def test_changed_file_with_a_new_invalid_line_and_a_removed_line(creditor):
    rows = _five_rows()
    run(creditor, csv_bytes(*rows))
    # When a line is dropped, a bad one added and D2's debt changed
    rows[2] = row(debtor_ref="D2", debt_ref="OBL-2", document_number="102", fees="1.00")
    batch = run(creditor, csv_bytes(*rows[:4], row(debt_ref="OBL-9", due_date="2026-02-30")))
    assert (batch.created_count, batch.updated_count, batch.rejected_count) == (0, 1, 1)
    assert errors_of(batch) == [(6, "due_date")]
    assert Debt.objects.count() == 5  # removing a line from the file deletes nothing


def test_changed_file_with_a_line_break_inside_a_value_is_compared_in_full(creditor):
    rows = _five_rows()
    rows[0] = row(debtor_ref="D0", debt_ref="OBL-0", document_number="100").replace(
        "Calle 1", '"Calle 1\nApto 2"'
    )
    run(creditor, csv_bytes(*rows))
    Debt.objects.filter(debt_ref="OBL-3").update(principal=Decimal("100.00"), balance="160.35")
    rows[1] = row(debtor_ref="D1", debt_ref="OBL-1", document_number="101", principal="1.00")
    batch = run(creditor, csv_bytes(*rows))
    # Lines and rows do not line up: every row is compared, so OBL-3 is set back to the file
    assert (batch.updated_count, batch.unchanged_count) == (2, 3)
    assert Debt.objects.get(debt_ref="OBL-3").principal == Decimal("800.00")
    assert Debtor.objects.get(debtor_ref="D0").address_line == "Calle 1\nApto 2"


def test_changed_file_where_only_an_invalid_line_changed_writes_nothing(creditor):
    rows = _five_rows()
    run(creditor, csv_bytes(*rows, row(debt_ref="OBL-9", due_date="2026-02-30")))
    history = Debt.history.count()
    batch = run(creditor, csv_bytes(*rows, row(debt_ref="OBL-9", due_date="2026-02-31")))
    assert batch.status == ImportBatch.Status.COMPLETED
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 0, 5)
    assert batch.rejected_count == 1 and Debt.history.count() == history


def test_changed_file_after_a_file_with_no_valid_row(creditor):
    run(creditor, csv_bytes(row(due_date="2026-02-30")))
    batch = run(creditor, csv_bytes(row()))
    assert (batch.created_count, batch.debtors_created) == (1, 1)
