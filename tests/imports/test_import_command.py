"""`manage.py import_portfolio`: synchronous import with printed counts and exit codes."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from imports.models import ImportBatch
from portfolio.models import ConsentEvent, Debt, Portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded import files go to a throw-away folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "portfolio-sample.csv"


def test_command_prints_counts_and_first_errors(creditor, capsys):
    call_command("import_portfolio", str(SAMPLE), creditor=creditor.code, portfolio="Lote 1")
    out = capsys.readouterr().out
    assert "created 29" in out and "rejected 12" in out
    assert "row 8, principal" in out
    assert Debt.objects.filter(portfolio__name="Lote 1").count() == 29
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.file_name) == ("cli", "portfolio-sample.csv")


def test_second_run_reports_everything_unchanged(creditor, capsys):
    call_command("import_portfolio", str(SAMPLE), creditor=creditor.code)
    call_command("import_portfolio", str(SAMPLE), creditor=creditor.code)
    out = capsys.readouterr().out.splitlines()
    assert any("created 0, updated 0, unchanged 29, rejected 12" in line for line in out)


def test_strict_run_exits_non_zero_and_writes_nothing(creditor):
    with pytest.raises(CommandError, match="strict"):
        call_command("import_portfolio", str(SAMPLE), creditor=creditor.code, strict=True)
    assert not Debt.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.REJECTED


def test_dry_run_writes_nothing(creditor, capsys):
    call_command("import_portfolio", str(SAMPLE), creditor=creditor.code, dry_run=True)
    assert "[dry run]" in capsys.readouterr().out
    assert not Debt.objects.exists() and not Portfolio.objects.exists()


def test_unknown_creditor_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Unknown creditor: nope"):
        call_command("import_portfolio", str(SAMPLE), creditor="nope")


def test_refused_file_exits_non_zero(creditor, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("debtor_ref,full_name\nD1,Ana\n")
    with pytest.raises(CommandError, match="Required columns are missing"):
        call_command("import_portfolio", str(bad), creditor=creditor.code)
    with pytest.raises(CommandError, match="not found"):
        call_command("import_portfolio", str(tmp_path / "missing.csv"), creditor=creditor.code)


def test_a_changed_file_updates_only_the_changed_debt(creditor, tmp_path, capsys):
    # Given the sample imported once
    call_command("import_portfolio", str(SAMPLE), creditor=creditor.code)
    # When a file that changes one debt's principal is imported
    changed = tmp_path / "changed.csv"
    changed.write_bytes(SAMPLE.read_bytes().replace(b"5451.99", b"5000.01"))
    call_command("import_portfolio", str(changed), creditor=creditor.code)
    # Then that debt alone is updated, its balance follows and its history has the change
    out = capsys.readouterr().out
    assert "created 0, updated 1, unchanged 28, rejected 12" in out
    debt = Debt.objects.get(debt_ref="OBL-00000001")
    assert (debt.principal, debt.balance) == (Decimal("5000.01"), Decimal("5491.47"))
    assert debt.history.count() == 2
    assert Debt.objects.count() == 29
    assert ConsentEvent.objects.exists()
