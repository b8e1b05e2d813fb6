"""`manage.py import_portfolio`: synchronous import with printed counts and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portfolio.models import Debt, ImportBatch, Portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded import files go to a throw-away folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "portfolio-sample.csv"
ROOT = Path(__file__).resolve().parent.parent.parent


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


# Run in one child process on a fresh SQLite file: migrate, a creditor, the sample imported twice,
# then a changed file, then what the ledger holds. One process rather than one per step: each
# `manage.py` start imports the project and runs the system checks again.
SQLITE_SCRIPT = """
import io, json, sys
from django.core.management import call_command
from portfolio.models import ConsentEvent, Creditor, Debt

call_command("migrate", verbosity=0)
Creditor.objects.create(code="c1", name="C1")
outputs = []
for path in sys.argv[1:]:
    out = io.StringIO()
    call_command("import_portfolio", path, "--creditor", "c1", stdout=out)
    outputs.append(out.getvalue())
d = Debt.objects.get(debt_ref="OBL-00000001")
ledger = [str(d.principal), str(d.balance), d.history.count(), Debt.objects.count(),
          ConsentEvent.objects.exists()]
print(json.dumps({"outputs": outputs, "ledger": ledger}))
"""


def test_import_runs_on_sqlite(tmp_path):
    # Given a fresh SQLite database (the zero-config `make run` setup)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CARTERA_MEDIA_ROOT": str(tmp_path / "media"),
    }
    changed = tmp_path / "changed.csv"
    changed.write_bytes(SAMPLE.read_bytes().replace(b"5451.99", b"5000.01"))

    # When the sample is imported twice and then a changed file once
    child = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{SQLITE_SCRIPT}",
         str(SAMPLE), str(SAMPLE), str(changed)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    # Then SQLite gives the same counts as PostgreSQL
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout.strip().splitlines()[-1])
    first, second, third = result["outputs"]
    assert "created 29, updated 0, unchanged 0, rejected 12" in first
    assert "created 0, updated 0, unchanged 29, rejected 12" in second
    assert "created 0, updated 1, unchanged 28, rejected 12" in third
    assert result["ledger"] == ["5000.01", "5491.47", 2, 29, True]
