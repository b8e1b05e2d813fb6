"""Guard-rails: an arm above a ceiling is stopped by the nightly job, once, with the reason."""

import pytest

from analytics import hooks as analytics_hooks
from experiments.models import ArmSnapshot, ArmStatus, ExperimentChange
from experiments.services.guardrails import guardrails_check
from tests.experiments.portfolio import AS_OF, build

pytestmark = pytest.mark.django_db


def test_challenger_above_its_complaints_ceiling_is_stopped(manager, creditor):
    # Given the hand-built portfolio: the challenger has 1 complaint in 4 accounts (250 per
    # 1,000) and 1 opt-out (25%); the champion has neither.
    experiment, champion, challenger, _debtors = build(
        manager=manager,
        creditor=creditor,
        guardrails={"complaints_per_1000": 100, "opt_out_pct": 50, "contacts_per_payment": 0.1},
    )

    # When the guard-rails are checked.
    stopped = guardrails_check(as_of=AS_OF)

    # Then the challenger stops, naming the rail, its value and its ceiling; the champion (1.00
    # contacts per payment, above 0.1 too) never stops: its way is today's rule.
    assert stopped == [challenger]
    challenger.refresh_from_db()
    champion.refresh_from_db()
    assert challenger.status == ArmStatus.STOPPED
    assert champion.status == ArmStatus.ACTIVE
    assert "250.00" in challenger.stopped_reason and "100" in challenger.stopped_reason
    assert "0.50" in challenger.stopped_reason  # contacts per payment 2/4 above 0.1
    assert "25.00" not in challenger.stopped_reason  # opt-outs stayed under 50%
    change = ExperimentChange.objects.get(
        experiment=experiment, action=ExperimentChange.Action.ARM_STOPPED
    )
    assert change.changed_by is None and change.arm == challenger
    # Checked again: nothing more to stop.
    assert guardrails_check(as_of=AS_OF) == []


def test_under_every_ceiling_nothing_stops(manager, creditor):
    _experiment, _champion, challenger, _debtors = build(
        manager=manager,
        creditor=creditor,
        guardrails={"complaints_per_1000": 300, "suppressed_pct": 25},
    )
    assert guardrails_check(as_of=AS_OF) == []
    challenger.refresh_from_db()
    assert challenger.status == ArmStatus.ACTIVE


def test_nightly_hook_writes_snapshots_then_checks_guardrails(manager, creditor):
    _experiment, _champion, challenger, _debtors = build(
        manager=manager, creditor=creditor, guardrails={"opt_out_pct": 10}
    )

    analytics_hooks.segments_written.call_all(as_of=AS_OF)

    assert ArmSnapshot.objects.filter(as_of=AS_OF, arm=challenger).count() == 2
    challenger.refresh_from_db()
    assert challenger.status == ArmStatus.STOPPED
    assert "25.00" in challenger.stopped_reason
