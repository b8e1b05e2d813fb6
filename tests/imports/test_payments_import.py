import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from imports.models import ImportBatch
from imports.services import payments_file as payments_import
from imports.services.payments_file import payments_import_run
from imports.services.portfolio_file import import_batch_create
from ledger.models import SuspenseItem
from portfolio.models import Debt, Payment, Stage, StageChange
from tests.factories.portfolio import DebtFactory, PaymentFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

HEADER = "debt_ref,amount,currency,paid_at,method,reference"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def debts(creditor):
    def make(ref, **kw):
        values = {
            "principal": Decimal("1000.00"),
            "interest": Decimal("100.00"),
            "fees": Decimal("20.00"),
            "currency": "COP",
            "stage": Stage.FRIENDLY_REMINDER,
        }
        values.update(kw)
        return DebtFactory(creditor=creditor, debt_ref=ref, **values)

    return {
        "a": make("OBL-A"),
        "b": make("OBL-B", principal=Decimal("500.00"), interest=Decimal("0"), fees=Decimal("0")),
        "paid": make(
            "OBL-PAID",
            principal=Decimal("0"),
            interest=Decimal("0"),
            fees=Decimal("0"),
            stage=Stage.PAID,
        ),
        "usd": make("OBL-USD", currency="USD"),
    }


def run_file(tmp_path, creditor, text, *, strict=False, dry_run=False, user=None, bom=False):
    path = tmp_path / "pagos.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    batch = import_batch_create(
        kind=ImportBatch.Kind.PAYMENTS,
        creditor=creditor,
        path=path,
        strict=strict,
        dry_run=dry_run,
        user=user,
    )
    return payments_import_run(batch=batch)


def csv_text(*lines, crlf=False):
    return ("\r\n" if crlf else "\n").join([HEADER, *lines]) + ("\r\n" if crlf else "\n")


def balances(*debts):
    out = []
    for debt in debts:
        debt.refresh_from_db()
        out.append((debt.fees, debt.interest, debt.principal, debt.balance, debt.stage))
    return out


def errors(batch):
    return sorted((e.row, e.column) for e in batch.row_errors.all())


def test_happy_path_records_allocates_and_closes(tmp_path, creditor, debts):
    # Given a manager and a BOM + CRLF file with quoted fields
    manager = ManagerFactory(username="gloria", creditors=[creditor])
    text = csv_text(
        'OBL-A,"150.01",COP,2026-11-02T09:30:00-05:00,pse,"PAY-1"',
        '"OBL-B","500.00","cop","2026-11-03T10:00:00Z","Bank_Transfer","PAY-2"',
        "OBL-A,100.00,COP,2026-11-04,cash,PAY-3",
        crlf=True,
    )

    # When it is imported
    batch = run_file(tmp_path, creditor, text, user=manager, bom=True)

    # Then every row is a payment, allocated in paid_at order in Colombia's order (the
    # debtors are Colombian): interest -> principal -> fees
    assert (batch.status, batch.rows_total) == (ImportBatch.Status.COMPLETED, 3)
    assert (batch.created_count, batch.updated_count) == (3, 0)
    assert (batch.unchanged_count, batch.rejected_count) == (0, 0)
    first = Payment.objects.get(reference="PAY-1")
    assert (first.allocated_fees, first.allocated_interest, first.allocated_principal) == (
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("50.01"),
    )
    assert first.source == Payment.Source.FILE
    assert first.recorded_by == manager
    third = Payment.objects.get(reference="PAY-3")
    assert third.allocated_principal == Decimal("100.00")
    assert balances(debts["a"], debts["b"]) == [
        (
            Decimal("20.00"),
            Decimal("0"),
            Decimal("849.99"),
            Decimal("869.99"),
            Stage.FRIENDLY_REMINDER,
        ),
        (Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0"), Stage.PAID),
    ]
    # And the paid debt has its stage change and history rows naming the importing manager
    change = StageChange.objects.get(debt=debts["b"])
    assert (change.from_stage, change.to_stage, change.actor) == (
        Stage.FRIENDLY_REMINDER,
        Stage.PAID,
        manager,
    )
    assert debts["b"].history.first().history_user == manager
    assert debts["b"].history.first().stage == Stage.PAID
    assert Payment.history.filter(history_user=manager).count() == 3


def test_every_error_kind_is_reported_with_its_line(tmp_path, creditor, debts):
    text = csv_text(
        "OBL-A,10.00,COP,2026-11-02T09:00:00Z,pse,OK-1",  # line 2: valid
        "OBL-A,,COP,2026-11-02T09:00:00Z,pse,E-3",  # 3: missing amount
        "OBL-NOPE,10.00,COP,2026-11-02T09:00:00Z,pse,E-4",  # 4: unknown debt: suspense
        "OBL-A,10.005,COP,2026-11-02T09:00:00Z,pse,E-5",  # 5: bad amount
        "OBL-A,10.00,USD,2026-11-02T09:00:00Z,pse,E-6",  # 6: currency mismatch
        "OBL-A,10.00,COP,02/11/2026,pse,E-7",  # 7: bad paid_at
        "OBL-A,10.00,COP,2999-01-01T00:00:00Z,pse,E-8",  # 8: future paid_at
        "OBL-A,10.00,COP,2026-11-02T09:00:00Z,bitcoin,E-9",  # 9: unknown method
        "OBL-B,10.00,COP,2026-11-02T09:00:00Z,pse,OK-1",  # 10: reference reused, other data
        "OBL-B,500.01,COP,2026-11-02T09:00:00Z,pse,E-11",  # 11: overpayment: split
        "OBL-PAID,10.00,COP,2026-11-02T09:00:00Z,pse,E-12",  # 12: closed debt: suspense
        "OBL-A,-3,COP,2026-11-02T09:00:00Z,pse,E-13",  # 13: not positive
        "OBL-B,20.00,COP,2026-11-01T09:00:00Z,pse,OK-14",  # 14: valid, paid before line 11
    )

    batch = run_file(tmp_path, creditor, text)

    # Money that no debt can take is no error: an unknown debt, a closed one and what an
    # overpayment leaves over are held in suspense (tests/imports/test_payments_suspense.py)
    assert errors(batch) == [
        (3, "amount"),
        (5, "amount"),
        (6, "currency"),
        (7, "paid_at"),
        (8, "paid_at"),
        (9, "method"),
        (10, "reference"),
        (13, "amount"),
    ]
    reasons = {e.row: e.reason for e in batch.row_errors.all()}
    assert "Missing value" in reasons[3]
    assert "does not match the debt's currency COP" in reasons[6]
    assert "future" in reasons[8]
    assert "repeated in this file (line 2)" in reasons[10]
    assert (batch.status, batch.created_count, batch.rejected_count) == ("completed", 3, 8)
    assert set(Payment.objects.values_list("reference", flat=True)) == {"OK-1", "OK-14", "E-11"}
    # Line 11 paid the 480.00 left after line 14's 20.00; its 20.01 over is held
    assert Payment.objects.get(reference="E-11").amount == Decimal("480.00")
    assert balances(debts["b"])[0][3] == Decimal("0.00")
    held = dict(SuspenseItem.objects.values_list("reference", "reason"))
    assert held == {"E-4": "unknown_reference", "E-11": "overpayment", "E-12": "debt_closed"}
    assert SuspenseItem.objects.get(reference="E-4").quoted_reference == "OBL-NOPE"
    assert SuspenseItem.objects.get(reference="E-11").amount == Decimal("20.01")
    assert batch.suspense_summary == {"count": 3, "amounts": {"COP": Decimal("40.01")}}


def test_reimporting_the_same_file_changes_nothing(tmp_path, creditor, debts):
    text = csv_text(
        "OBL-A,1120.00,COP,2026-11-02T09:00:00Z,pse,R-1",
        "OBL-B,100.00,COP,2026-11-02T09:00:00Z,pse,R-2",
    )
    run_file(tmp_path, creditor, text)
    after_first = balances(debts["a"], debts["b"])
    history_rows = Debt.history.count()

    again = run_file(tmp_path, creditor, text)

    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 2, 0)
    assert Payment.objects.count() == 2
    assert balances(debts["a"], debts["b"]) == after_first
    assert after_first[0][4] == Stage.PAID
    assert Debt.history.count() == history_rows


def test_reference_recorded_earlier_with_other_data_is_rejected(tmp_path, creditor, debts):
    PaymentFactory(debt=debts["a"], reference="R-1", amount=Decimal("5.00"))

    batch = run_file(tmp_path, creditor, csv_text("OBL-A,6.00,COP,2026-11-02,pse,R-1"))

    assert errors(batch) == [(2, "reference")]
    assert "already used" in batch.row_errors.get().reason


def test_same_payment_twice_in_one_file_is_recorded_once(tmp_path, creditor, debts):
    line = "OBL-B,100.00,COP,2026-11-02T09:00:00Z,pse,R-1"

    batch = run_file(tmp_path, creditor, csv_text(line, line))

    assert (batch.created_count, batch.unchanged_count, batch.rejected_count) == (1, 1, 0)
    assert balances(debts["b"])[0][3] == Decimal("400.00")


def test_repeat_of_a_rejected_row_is_rejected_too(tmp_path, creditor, debts):
    line = "OBL-B,900.00,USD,2026-11-02T09:00:00Z,pse,R-1"  # not the debt's currency

    batch = run_file(tmp_path, creditor, csv_text(line, line))

    assert errors(batch) == [(2, "currency"), (3, "reference")]
    assert "line 2, which was rejected" in batch.row_errors.get(row=3).reason
    assert (batch.created_count, batch.unchanged_count, batch.rejected_count) == (0, 0, 2)


def test_overpayment_counts_earlier_rows_in_paid_at_order(tmp_path, creditor, debts):
    # Given two rows of 700 on a debt of 1120; the second line was paid first
    text = csv_text(
        "OBL-A,700.00,COP,2026-11-05T09:00:00Z,pse,LATE",
        "OBL-A,700.00,COP,2026-11-01T09:00:00Z,pse,EARLY",
    )

    # When imported
    batch = run_file(tmp_path, creditor, text)

    # Then the earlier payment is applied whole, the later one pays the 420.00 left and
    # its 280.00 over is held in suspense, naming the debt and its debtor
    assert errors(batch) == []
    paid = dict(Payment.objects.values_list("reference", "amount"))
    assert paid == {"EARLY": Decimal("700.00"), "LATE": Decimal("420.00")}
    item = SuspenseItem.objects.get()
    assert (item.reference, item.amount, item.reason) == ("LATE", Decimal("280.00"), "overpayment")
    assert (item.debt, item.debtor) == (debts["a"], debts["a"].debtor)
    assert balances(debts["a"])[0][3:] == (Decimal("0.00"), Stage.PAID)


def test_a_time_without_offset_is_a_row_error_and_a_bare_date_is_that_local_day(
    tmp_path, creditor, debts
):
    text = csv_text(
        "OBL-B,1.00,COP,2026-11-02T10:00:00,pse,NAIVE",
        "OBL-B,1.00,COP,2026-11-02 10:00,pse,NAIVE-SPACE",
        "OBL-B,1.00,COP,2026-11-02,pse,DATE",
    )

    batch = run_file(tmp_path, creditor, text)

    # A time of day could be any payer's: never guessed as Bogotá time.
    assert errors(batch) == [(2, "paid_at"), (3, "paid_at")]
    assert "time zone offset" in batch.row_errors.filter(row=2).get().reason
    # A bare date is that business day, midnight in America/Bogota (UTC-5 all year).
    assert list(Payment.objects.values_list("reference", "paid_at")) == [
        ("DATE", datetime.datetime(2026, 11, 2, 5, 0, tzinfo=datetime.UTC))
    ]


def test_a_payment_older_than_ten_years_is_a_row_error_naming_its_line(tmp_path, creditor, debts):
    text = csv_text(
        "OBL-B,1.00,COP,1900-01-01T10:00:00Z,pse,OLD",
        "OBL-B,1.00,COP,2026-11-02T10:00:00-05:00,pse,OK",
    )

    batch = run_file(tmp_path, creditor, text)

    assert errors(batch) == [(2, "paid_at")]
    assert "Enter a date between" in batch.row_errors.get().reason
    assert list(Payment.objects.values_list("reference", flat=True)) == ["OK"]


def test_strict_writes_nothing_when_a_row_is_invalid(tmp_path, creditor, debts):
    text = csv_text(
        "OBL-B,100.00,COP,2026-11-02,pse,R-1",
        "OBL-B,100.00,USD,2026-11-02,pse,R-2",
        "OBL-NOPE,100.00,COP,2026-11-02,pse,R-3",
    )

    batch = run_file(tmp_path, creditor, text, strict=True)

    assert batch.status == ImportBatch.Status.REJECTED
    assert (batch.created_count, batch.rejected_count) == (0, 1)
    assert errors(batch) == [(3, "currency")]
    assert Payment.objects.count() == 0
    assert not SuspenseItem.objects.exists()
    assert balances(debts["b"])[0][3] == Decimal("500.00")


def test_strict_holds_unknown_references_in_suspense_as_no_error(tmp_path, creditor, debts):
    # Given a strict import whose only oddity is a reference that names no debt
    text = csv_text(
        "OBL-B,100.00,COP,2026-11-02,pse,R-1",
        "OBL-NOPE,100.00,COP,2026-11-02,pse,R-2",
    )

    # When imported
    batch = run_file(tmp_path, creditor, text, strict=True)

    # Then the file is written: the payment, and the unknown one held in suspense
    assert (batch.status, batch.created_count, batch.rejected_count) == ("completed", 1, 0)
    assert SuspenseItem.objects.get().quoted_reference == "OBL-NOPE"
    assert balances(debts["b"])[0][3] == Decimal("400.00")


def test_strict_with_a_clean_file_writes(tmp_path, creditor, debts):
    batch = run_file(tmp_path, creditor, csv_text("OBL-B,100,COP,2026-11-02,pse,R-1"), strict=True)

    assert (batch.status, batch.created_count) == (ImportBatch.Status.COMPLETED, 1)
    assert balances(debts["b"])[0][3] == Decimal("400.00")


def test_dry_run_reports_but_writes_nothing(tmp_path, creditor, debts):
    text = csv_text(
        "OBL-B,500.00,COP,2026-11-02,pse,R-1",
        "OBL-NOPE,100.00,COP,2026-11-02,pse,R-2",
    )

    batch = run_file(tmp_path, creditor, text, dry_run=True)

    assert (batch.status, batch.created_count, batch.rejected_count) == ("completed", 1, 0)
    assert batch.suspense_summary == {"count": 1, "amounts": {"COP": Decimal("100.00")}}
    assert Payment.objects.count() == 0
    assert not SuspenseItem.objects.exists()
    assert balances(debts["b"]) == [
        (Decimal("0"), Decimal("0"), Decimal("500.00"), Decimal("500.00"), Stage.FRIENDLY_REMINDER)
    ]
    assert StageChange.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "debt_ref,amount,currency\nOBL-A,1,COP\n",
            "Required columns are missing: paid_at, method, reference",
        ),
        ("", "empty"),
    ],
)
def test_unusable_header_rejects_the_file(tmp_path, creditor, debts, content, reason):
    batch = run_file(tmp_path, creditor, content)

    assert batch.status == ImportBatch.Status.REJECTED
    assert errors(batch) == [(1, "file")]
    assert reason in batch.row_errors.get().reason


def test_not_utf8_rejects_the_file(tmp_path, creditor, debts):
    path = tmp_path / "latin1.csv"
    path.write_bytes(csv_text("OBL-A,1.00,COP,2026-11-02,pse,Año").encode("latin-1"))
    batch = import_batch_create(kind="payments", creditor=creditor, path=path)

    batch = payments_import_run(batch=batch)

    assert batch.status == ImportBatch.Status.REJECTED
    assert "UTF-8" in batch.error_message


def test_a_crash_half_way_leaves_nothing_written(tmp_path, creditor, debts, monkeypatch):
    # Given the debt update fails after the payments were inserted
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(payments_import, "bulk_update_with_history", boom)

    batch = run_file(tmp_path, creditor, csv_text("OBL-B,100.00,COP,2026-11-02,pse,R-1"))

    # Then the batch failed and neither payments nor balances changed
    assert batch.status == ImportBatch.Status.FAILED
    assert Payment.objects.count() == 0
    assert Payment.history.count() == 0
    assert balances(debts["b"])[0][3] == Decimal("500.00")


def test_command_prints_counts_and_errors(tmp_path, creditor, debts, capsys):
    path = tmp_path / "pagos.csv"
    path.write_text(
        csv_text(
            "OBL-B,100.00,COP,2026-11-02,pse,R-1",
            "OBL-NOPE,1.00,COP,2026-11-02,pse,R-2",
            "OBL-B,1.00,USD,2026-11-02,pse,R-3",
        )
    )

    call_command("import_payments", str(path), "--creditor", creditor.code)

    out = capsys.readouterr().out
    assert "created=1 unchanged=0 rejected=1" in out
    assert "sent to suspense: 1 (1.00 COP)" in out
    assert "line 4 currency:" in out
    assert Payment.objects.filter(reference="R-1", source="file").exists()


def test_command_exits_non_zero_on_a_refused_file(tmp_path, creditor, debts):
    path = tmp_path / "pagos.csv"
    path.write_text(csv_text("OBL-B,1.00,USD,2026-11-02,pse,R-2"))

    with pytest.raises(CommandError, match="Strict mode"):
        call_command("import_payments", str(path), "--creditor", creditor.code, "--strict")
    with pytest.raises(CommandError, match="Unknown creditor"):
        call_command("import_payments", str(path), "--creditor", "nadie")
    assert Payment.objects.count() == 0


def test_command_dry_run(tmp_path, creditor, debts, capsys):
    path = tmp_path / "pagos.csv"
    path.write_text(csv_text("OBL-B,100.00,COP,2026-11-02,pse,R-1"))

    call_command("import_payments", str(path), "--creditor", creditor.code, "--dry-run")

    assert "[dry run]" in capsys.readouterr().out
    assert Payment.objects.count() == 0


def test_a_file_that_pays_a_debt_off_records_the_move_as_a_single_payment_does(
    tmp_path, creditor, debts
):
    # Given: debt B and its twin, each with 500.00 left, and their creditor's manager
    from collections_app.services.payments import payment_record
    from tests.collections_app.test_stage_moves import assert_history_is_the_debt, moves_of

    manager = ManagerFactory()
    creditor.managers.add(manager)
    twin = DebtFactory(
        creditor=creditor, debt_ref="OBL-TWIN", principal=Decimal("500.00"),
        interest=Decimal("0"), fees=Decimal("0"), currency="COP", stage=Stage.FRIENDLY_REMINDER,
    )  # fmt: skip

    # When: the twin is paid off through the single path and B through a payments file
    payment_record(
        creditor=creditor, debt=twin, amount=Decimal("500.00"), currency="COP",
        paid_at=datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC), method="cash",
        reference="SINGLE-1", source=Payment.Source.MANUAL, user=manager,
    )  # fmt: skip
    batch = run_file(
        tmp_path, creditor, csv_text("OBL-B,500.00,COP,2026-11-02T10:00:00-05:00,cash,FILE-1"),
        user=manager,
    )  # fmt: skip
    assert batch.status == ImportBatch.Status.COMPLETED

    # Then: each move left one StageChange and one history row ('~') of the debt as it stands,
    # stamped with the move's time, and the two paths' records say the same thing
    def said(debt):
        (change,), (history,) = moves_of(debt)
        assert history.history_date == change.occurred_at
        assert_history_is_the_debt(history, debt)
        return {
            "move": (change.from_stage, change.to_stage, change.transition),
            "actor": change.actor_id,
            "history": (history.history_type, history.history_user_id, history.stage),
        }

    assert (
        said(debts["b"])
        == said(twin)
        == {
            "move": (Stage.FRIENDLY_REMINDER, Stage.PAID, "mark_paid"),
            "actor": manager.pk,
            "history": ("~", manager.pk, Stage.PAID),
        }
    )
    # The file's move says why as a code, read in the viewer's language
    change = StageChange.objects.get(debt=debts["b"])
    assert (change.reason_code, change.reason_params) == ("import.payments_file", {"id": batch.pk})
    with translation.override("es"):
        assert change.reason_display == f"Importación de archivo de pagos #{batch.pk}"
    # A debt the file only paid down keeps one history row and no stage change.
    run_file(tmp_path, creditor, csv_text("OBL-A,100.00,COP,2026-11-03T10:00:00-05:00,cash,F-2"))
    assert StageChange.objects.filter(debt=debts["a"]).count() == 0
    assert debts["a"].history.filter(history_type="~").count() == 1


@pytest.mark.parametrize("column", ["debt_ref", "reference"])
def test_nul_character_rejects_its_row_naming_line_and_column(tmp_path, creditor, debts, column):
    # Given a file whose first row has a NUL byte in one value
    bad = {"debt_ref": "OBL-A", "reference": "R-1"}
    bad[column] += "\x00"
    text = csv_text(
        f"{bad['debt_ref']},10.00,COP,2026-11-02T09:00:00Z,pse,{bad['reference']}",
        "OBL-B,20.00,COP,2026-11-02T09:00:00Z,pse,R-2",
    )
    # When it is imported
    batch = run_file(tmp_path, creditor, text)
    # Then that row is rejected once, on its line and column, and the other row is recorded
    assert batch.status == ImportBatch.Status.COMPLETED, batch.error_message
    assert errors(batch) == [(2, column)]
    error = batch.row_errors.get()
    assert "NUL" in error.reason and error.value == bad[column].replace("\x00", "\u2400")
    assert list(Payment.objects.values_list("reference", flat=True)) == ["R-2"]


def test_repeated_header_column_rejects_the_file_naming_it(tmp_path, creditor, debts):
    text = HEADER + ",Amount\nOBL-A,10.00,COP,2026-11-02T09:00:00Z,pse,R-1,9999.00\n"

    batch = run_file(tmp_path, creditor, text)

    assert batch.status == ImportBatch.Status.REJECTED
    assert errors(batch) == [(1, "amount")]
    assert "amount" in batch.error_message and "2, 7" in batch.error_message
    assert not Payment.objects.exists()


def test_header_with_100000_extra_columns_rejects_the_file(tmp_path, creditor, debts):
    extra = ",".join(f"extra_{i:06d}" for i in range(100_000))
    text = f"{HEADER},{extra}\nOBL-A,10.00,COP,2026-11-02T09:00:00Z,pse,R-1\n"

    batch = run_file(tmp_path, creditor, text)

    assert batch.status == ImportBatch.Status.REJECTED
    assert "Line 1" in batch.error_message and "100006 columns" in batch.error_message
    assert not Payment.objects.exists()
