"""`manage.py demo_setup`: make run's set-up in one process (migrate, static files, the demo when
the database is empty, today's cycle, the portal's demo login line)."""

import io
from unittest import mock

import pytest
from django.core.management import call_command

from collections_app.models import CycleRun
from portfolio.models import Creditor, Debt

pytestmark = pytest.mark.django_db


def _setup(tmp_path, settings, **options):
    settings.STATIC_ROOT = tmp_path / "static"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "demo_setup", debtors=12, portal_login_to=tmp_path / "portal.txt", stdout=out,
        stderr=err, **options,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def test_an_empty_database_gets_the_demo_its_cycle_and_the_portal_line(tmp_path, settings):
    # Given an empty (migrated) database
    assert not Debt.objects.exists()

    # When make run's set-up runs
    _out, err = _setup(tmp_path, settings)

    # Then the static files are collected, the demo is seeded and today's cycle ran on it
    assert (tmp_path / "static" / "admin").is_dir()
    assert Creditor.objects.filter(name="Banco Andino").exists()
    seeded = Debt.objects.count()
    assert seeded > 0
    assert CycleRun.objects.filter(status=CycleRun.Status.COMPLETED).exists()
    # And the portal's demo login is written for the banner
    line = (tmp_path / "portal.txt").read_text(encoding="utf-8")
    assert line.startswith("Portal: ") and "/portal/" in line
    assert err == ""

    # When it runs again (a second make run): nothing is seeded again
    runs = CycleRun.objects.count()
    _setup(tmp_path, settings)
    assert Debt.objects.count() == seeded
    assert CycleRun.objects.count() == runs


def test_without_the_portal_line_the_set_up_still_succeeds_and_says_why(tmp_path, settings):
    # Given a stale line from an earlier start, and the portal's demo login failing
    (tmp_path / "portal.txt").write_text("Portal: stale", encoding="utf-8")
    with mock.patch(
        "portal.management.commands.demo_portal_login.Command.handle",
        side_effect=RuntimeError("no portal today"),
    ):
        # When the set-up runs
        _out, err = _setup(tmp_path, settings)

    # Then the demo is set up, no line is left for the banner, and the reason is on stderr
    assert Debt.objects.exists()
    assert not (tmp_path / "portal.txt").exists()
    assert "The portal's demo login is not shown: no portal today" in err
