"""One definition of a stage move: the cycle's bulk moves leave the records the single path does."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collections_app.models import CycleRun
from collections_app.services.cycle import cycle_run, cycle_run_date
from collections_app.services.policies import policy_ensure_defaults
from collections_app.services.transitions import debt_transition
from core.reasons import reason_decode
from portfolio.models import Debt, Stage, StageChange
from portfolio.services.stages import stage_change_record, stage_moves_apply
from tests.factories.portfolio import CreditorFactory, DebtFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)
CYCLE_REASON = "Daily cycle: days past due reached the policy threshold"
# The debt's own columns, copied into each history row.
DEBT_COLUMNS = [f.attname for f in Debt._meta.concrete_fields]


def moves_of(debt):
    """The debt's stage changes and its history rows of changes ('~'), oldest first."""
    changes = list(StageChange.objects.filter(debt=debt).order_by("id"))
    history = list(debt.history.filter(history_type="~").order_by("history_id"))
    return changes, history


def record(change, history) -> dict:
    """What a move's two records say, without which debt or when exactly."""
    return {
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "transition": change.transition,
        "actor": change.actor_id,
        "business_date": change.business_date,
        "reason": change.reason_display,
        "policy_version": change.policy_version_id,
        "cycle_run": change.cycle_run_id,
        "history_type": history.history_type,
        "history_user": history.history_user_id,
        "history_reason": reason_decode(history.history_change_reason),
        "history_stage": history.stage,
        "history_entered_on": history.stage_entered_on,
        # the history row is stamped with the move's own time
        "history_at_move": history.history_date == change.occurred_at,
    }


def assert_history_is_the_debt(history, debt):
    debt.refresh_from_db()
    assert {c: getattr(history, c) for c in DEBT_COLUMNS} == {
        c: getattr(debt, c) for c in DEBT_COLUMNS
    }


def test_the_cycle_writes_one_stage_change_and_one_history_row_per_moved_debt():
    # Given debts at different days past due, and one not yet due
    creditor = CreditorFactory()
    due = {5: Stage.FRIENDLY_REMINDER, 20: Stage.FIRM_NOTICE, 60: Stage.PRE_LEGAL, -3: None}
    debts = {
        dpd: DebtFactory(creditor=creditor, due_date=AS_OF - datetime.timedelta(days=dpd))
        for dpd in due
    }
    # When the cycle runs
    (run,) = cycle_run(as_of=AS_OF)
    # Then each moved debt has exactly one stage change and one history row, saying the same
    for dpd, target in due.items():
        changes, history = moves_of(debts[dpd])
        if target is None:
            assert (changes, history) == ([], [])
            continue
        assert len(changes) == 1 and len(history) == 1
        assert record(changes[0], history[0]) == {
            "from_stage": Stage.CURRENT,
            "to_stage": target,
            "transition": changes[0].transition,
            "actor": None,
            "business_date": AS_OF,
            "reason": CYCLE_REASON,
            "policy_version": changes[0].policy_version_id,
            "cycle_run": run.pk,
            "history_type": "~",
            "history_user": None,
            "history_reason": CYCLE_REASON,
            "history_stage": target,
            "history_entered_on": AS_OF,
            "history_at_move": True,
        }
        assert changes[0].policy_version_id is not None
        assert_history_is_the_debt(history[0], debts[dpd])
    assert run.debts_moved == 3


def test_a_bulk_move_records_what_the_single_path_records_for_the_same_move():
    # Given a debt five days past due that the cycle moves in bulk
    creditor = CreditorFactory()
    five_days = AS_OF - datetime.timedelta(days=5)
    bulk = DebtFactory(creditor=creditor, due_date=five_days)
    (run,) = cycle_run(as_of=AS_OF)
    (bulk_change,), (bulk_history,) = moves_of(bulk)
    # When the same transition runs on a twin through the single-object path
    single = Debt.objects.get(pk=DebtFactory(creditor=creditor, due_date=five_days).pk)
    single.start_friendly_reminders()
    stage_change_record(
        debt=single,
        from_stage=Stage.CURRENT,
        transition_name="start_friendly_reminders",
        actor=None,
        as_of=AS_OF,
        reason=CYCLE_REASON,
        policy_version_id=bulk_change.policy_version_id,
        cycle_run_id=run.pk,
    )
    # Then both paths wrote the same records
    (single_change,), (single_history,) = moves_of(single)
    assert record(bulk_change, bulk_history) == record(single_change, single_history)
    assert_history_is_the_debt(single_history, single)
    assert_history_is_the_debt(bulk_history, bulk)


def test_a_manual_transition_writes_one_stage_change_and_one_history_row(manager, creditor):
    debt = DebtFactory(creditor=creditor, due_date=AS_OF - datetime.timedelta(days=400))
    change = debt_transition(
        debt=debt,
        transition_name="write_off",
        user=manager,
        as_of=AS_OF,
        reason="Insolvent",
        write_off_reason="insolvency",
    )
    changes, history = moves_of(debt)
    assert changes == [change] and len(history) == 1
    assert record(change, history[0]) == {
        "from_stage": Stage.CURRENT,
        "to_stage": Stage.WRITTEN_OFF,
        "transition": "write_off",
        "actor": manager.pk,
        "business_date": AS_OF,
        "reason": "Insolvent",
        "policy_version": change.policy_version_id,
        "cycle_run": None,
        "history_type": "~",
        "history_user": manager.pk,
        "history_reason": "Insolvent",
        "history_stage": Stage.WRITTEN_OFF,
        "history_entered_on": AS_OF,
        "history_at_move": True,
    }
    assert_history_is_the_debt(history[0], debt)


def test_the_bulk_path_refuses_a_move_the_state_machine_does_not_allow():
    creditor = CreditorFactory()
    debts = [DebtFactory(creditor=creditor) for _ in range(4)]
    moved = stage_moves_apply(
        moves=[
            # legal only from pre-legal, and only by escalate_to_legal
            (debts[0].pk, Stage.CURRENT, Stage.LEGAL, "escalate_to_legal", None),
            # a real pair, but not the named transition's
            (debts[1].pk, Stage.CURRENT, Stage.PAID, "start_friendly_reminders", None),
            # allowed, but the debt is no longer in the stage the move starts from
            (debts[2].pk, Stage.FIRM_NOTICE, Stage.PRE_LEGAL, "move_to_pre_legal", None),
            # allowed
            (debts[3].pk, Stage.CURRENT, Stage.FIRM_NOTICE, "send_firm_notice", None),
        ],
        as_of=AS_OF,
        entered_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        reason="test",
    )
    assert moved == {debts[3].pk}
    stages = dict(Debt.objects.values_list("pk", "stage"))
    assert [stages[d.pk] for d in debts] == [Stage.CURRENT] * 3 + [Stage.FIRM_NOTICE]
    assert list(StageChange.objects.values_list("debt_id", flat=True)) == [debts[3].pk]
    assert [d.history.filter(history_type="~").count() for d in debts] == [0, 0, 0, 1]


def _cycle_queries(*, debts: int, day: datetime.date, creditor) -> tuple[int, int]:
    for i in range(debts):
        DebtFactory(creditor=creditor, due_date=day - datetime.timedelta(days=1 + 20 * (i % 3)))
    with CaptureQueriesContext(connection) as queries:
        result = cycle_run_date(business_date=day)
    return len(queries.captured_queries), result.run.debts_moved


def test_the_cycle_costs_the_same_queries_for_n_and_3n_debts():
    creditor = CreditorFactory()
    policy_ensure_defaults()
    cycle_run_date(business_date=AS_OF - datetime.timedelta(days=1))  # nothing to move yet
    few, moved_few = _cycle_queries(debts=3, day=AS_OF, creditor=creditor)
    many, moved_many = _cycle_queries(
        debts=9, day=AS_OF + datetime.timedelta(days=1), creditor=creditor
    )
    assert (moved_few, moved_many) == (3, 9)
    assert many == few
    assert CycleRun.objects.count() == 3
