"""`manage.py bureau_run`: the counts and the file."""

import io

import pytest
from django.core.management import CommandError, call_command

from bureau.models import FurnishingRun
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db


def test_bureau_run_generates_and_submits():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 9, 1))
    out = io.StringIO()
    call_command(
        "bureau_run",
        "--creditor", debt.creditor.code, "--bureau", "datacredito",
        "--cut-off", "2026-10-31", "--generate", "--submit",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    run = FurnishingRun.objects.get()
    assert run.status == "submitted" and run.created_by is None
    assert "1 accounts" in text and "1 report" in text and "80: 1" in text
    assert run.file.path in text and run.checksum in text


def test_bureau_run_refuses_a_second_run_and_an_unknown_creditor():
    debt = DebtFactory()
    args = ["--bureau", "datacredito", "--cut-off", "2026-10-31"]
    call_command("bureau_run", "--creditor", debt.creditor.code, *args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="already a run"):
        call_command("bureau_run", "--creditor", debt.creditor.code, *args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No creditor"):
        call_command("bureau_run", "--creditor", "nobody", *args, stdout=io.StringIO())
