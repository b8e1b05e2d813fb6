import datetime
from decimal import Decimal

import pytest

from collections_app.models import CycleRun
from collections_app.services.cycle import automatic_transitions, cycle_run
from core.exceptions import ApplicationError
from messaging.models import ContactAction, MessageDebt
from portfolio.models import Debt, Hold, Stage, StageChange
from portfolio.services.holds import hold_close, hold_open
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

DAY0 = datetime.date(2026, 3, 1)


def day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


def expected_stage(dpd: int) -> str:
    """The default ladder of PRODUCT.md, written out by hand."""
    if dpd >= 46:
        return Stage.PRE_LEGAL
    if dpd >= 16:
        return Stage.FIRM_NOTICE
    if dpd >= 1:
        return Stage.FRIENDLY_REMINDER
    return Stage.CURRENT


def stage_of(debt) -> str:
    return Debt.objects.values_list("stage", flat=True).get(pk=debt.pk)


def test_allowed_pairs_come_from_the_state_machine():
    pairs = automatic_transitions()
    assert pairs[(Stage.CURRENT, Stage.FRIENDLY_REMINDER)] == "start_friendly_reminders"
    assert pairs[(Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE)] == "send_firm_notice"
    assert pairs[(Stage.FIRM_NOTICE, Stage.PRE_LEGAL)] == "move_to_pre_legal"
    assert pairs[(Stage.PRE_LEGAL, Stage.CURRENT)] == "cure"
    # legal is never automatic: it needs a manager
    assert not any(target == Stage.LEGAL for _, target in pairs)


def test_120_day_simulation_follows_the_default_policy_every_day():
    # given debts falling due on different days around day 0
    creditor = CreditorFactory()
    offsets = [-10, 0, 3, 15, 40]  # due date = day0 + offset
    debts = [
        DebtFactory(creditor=creditor, due_date=day(offset), debt_ref=f"SIM-{i}")
        for i, offset in enumerate(offsets)
    ]
    # when the cycle runs every day from day 0 to day 120
    for n in range(0, 121):
        cycle_run(as_of=day(n))
        # then on each day each debt sits on the stage its days past due call for
        for debt, offset in zip(debts, offsets, strict=True):
            dpd = max(0, n - offset)
            assert stage_of(debt) == expected_stage(dpd), (n, debt.debt_ref, dpd)
    # and every change is recorded once, by the system, with the policy version
    changes = StageChange.objects.filter(debt=debts[0]).order_by("business_date")
    assert [(c.from_stage, c.to_stage) for c in changes] == [
        (Stage.CURRENT, Stage.FRIENDLY_REMINDER),
        (Stage.FRIENDLY_REMINDER, Stage.FIRM_NOTICE),
        (Stage.FIRM_NOTICE, Stage.PRE_LEGAL),
    ]
    # (due 10 days before day 0, so already friendly on the first run)
    assert [c.business_date for c in changes] == [day(0), day(-10 + 16), day(-10 + 46)]
    assert all(c.actor_id is None and c.policy_version_id for c in changes)


def test_replaying_missed_dates_equals_running_live():
    creditor = CreditorFactory()
    live = [DebtFactory(creditor=creditor, due_date=day(o)) for o in (-5, 0, 10)]
    for n in range(0, 61):
        cycle_run(as_of=day(n))
    live_stages = [stage_of(d) for d in live]
    live_changes = list(
        StageChange.objects.order_by("debt_id", "business_date").values_list(
            "debt__due_date", "from_stage", "to_stage", "business_date"
        )
    )
    live_actions = ContactAction.objects.count()

    # same portfolio, but the beat was down: day 0, then nothing until day 60
    StageChange.objects.all().delete()
    ContactAction.objects.all().delete()
    CycleRun.objects.all().delete()
    Debt.objects.update(stage=Stage.CURRENT, stage_entered_on=None)
    cycle_run(as_of=day(0))
    runs = cycle_run(as_of=day(60))
    assert [r.business_date for r in runs] == [day(n) for n in range(1, 61)]
    assert [stage_of(d) for d in live] == live_stages
    replay_changes = list(
        StageChange.objects.order_by("debt_id", "business_date").values_list(
            "debt__due_date", "from_stage", "to_stage", "business_date"
        )
    )
    assert replay_changes == live_changes
    assert ContactAction.objects.count() == live_actions


def test_running_twice_for_the_same_date_changes_nothing():
    debt = DebtFactory(due_date=day(-20))
    cycle_run(as_of=day(0))
    changes, actions = StageChange.objects.count(), ContactAction.objects.count()
    assert stage_of(debt) == Stage.FIRM_NOTICE
    assert changes == 1 and actions > 0

    cycle_run(as_of=day(0))
    assert StageChange.objects.count() == changes
    assert ContactAction.objects.count() == actions
    assert CycleRun.objects.get(business_date=day(0)).status == CycleRun.Status.COMPLETED


def test_an_earlier_date_is_refused():
    DebtFactory(due_date=day(-3))
    cycle_run(as_of=day(5))
    with pytest.raises(ApplicationError, match="already ran for 2026-03-06"):
        cycle_run(as_of=day(4))


def test_held_debts_do_not_move_and_get_no_actions(collector, manager):
    disputed = DebtFactory(due_date=day(-30))
    hold = hold_open(
        debt=disputed, kind=Hold.Kind.DISPUTE, reason="Never received", source="collector"
    )
    cycle_run(as_of=day(0))
    assert stage_of(disputed) == Stage.CURRENT
    assert not ContactAction.objects.filter(debt=disputed).exists()
    assert CycleRun.objects.get(business_date=day(0)).debts_held == 1

    # when a manager resolves the dispute, the next run moves the debt
    hold_close(hold=hold, user=manager, outcome=Hold.Outcome.REJECTED, note="Signed contract")
    cycle_run(as_of=day(1))
    assert stage_of(disputed) == Stage.FIRM_NOTICE


def test_debtor_wide_hold_covers_every_debt_of_the_debtor():
    first = DebtFactory(due_date=day(-30))
    second = DebtFactory(creditor=first.creditor, debtor=first.debtor, due_date=day(-50))
    hold_open(debt=first, kind=Hold.Kind.DECEASED, reason="Death certificate", source="collector")
    cycle_run(as_of=day(0))
    assert stage_of(first) == stage_of(second) == Stage.CURRENT


def test_cure_returns_a_debt_to_current():
    debt = DebtFactory(due_date=day(-20))
    cycle_run(as_of=day(0))
    assert stage_of(debt) == Stage.FIRM_NOTICE
    # the creditor's file says the arrears were paid: the oldest unpaid amount is due later
    Debt.objects.filter(pk=debt.pk).update(due_date=day(25))
    cycle_run(as_of=day(1))
    assert stage_of(debt) == Stage.CURRENT
    last = StageChange.objects.filter(debt=debt).latest("occurred_at")
    assert (last.transition, last.to_stage) == ("cure", Stage.CURRENT)


def test_zero_balance_debt_is_marked_paid():
    debt = DebtFactory(
        due_date=day(-20), principal=Decimal("0"), interest=Decimal("0"), fees=Decimal("0")
    )
    cycle_run(as_of=day(0))
    assert stage_of(debt) == Stage.PAID


def test_contact_actions_follow_the_cadence():
    debt = DebtFactory(due_date=day(3))
    cycle_run(as_of=day(0))  # 3 days before due: pre-due reminder
    assert set(ContactAction.objects.filter(debt=debt).values_list("template_code", "channel")) == {
        ("pre_due_reminder", "email"),
        ("pre_due_reminder", "sms"),
    }
    for n in range(1, 15):
        cycle_run(as_of=day(n))
    friendly_days = sorted(
        set(
            ContactAction.objects.filter(debt=debt, template_code="friendly").values_list(
                "business_date", flat=True
            )
        )
    )
    # DPD 1, 5 and 10 → due day 3 + those days
    assert friendly_days == [day(4), day(8), day(13)]


def test_a_crash_halfway_leaves_nothing_and_a_rerun_finishes(monkeypatch):
    from collections_app.services import cycle as cycle_module

    debt = DebtFactory(due_date=day(-20))

    def boom(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(cycle_module, "_store_actions", boom)
    with pytest.raises(RuntimeError):
        cycle_run(as_of=day(0))
    # the moves made before the crash were rolled back with it
    assert stage_of(debt) == Stage.CURRENT
    assert not StageChange.objects.exists()
    failed = CycleRun.objects.get(business_date=day(0))
    assert failed.status == CycleRun.Status.FAILED and "worker killed" in failed.error

    monkeypatch.undo()
    cycle_run(as_of=day(0))
    assert stage_of(debt) == Stage.FIRM_NOTICE
    assert CycleRun.objects.get(business_date=day(0)).status == CycleRun.Status.COMPLETED
    assert StageChange.objects.count() == 1


def test_the_beat_task_runs_the_cycle_for_today(monkeypatch):
    from collections_app import tasks

    monkeypatch.setattr(tasks, "business_today", lambda: day(3))
    DebtFactory(due_date=day(0))
    assert tasks.cycle_run_task.delay().get() == [str(day(3))]
    assert CycleRun.objects.get().business_date == day(3)


def test_run_cycle_command(capsys):
    from django.core.management import CommandError, call_command

    DebtFactory(due_date=day(-2))
    call_command("run_cycle", "--as-of", day(0).isoformat())
    assert "1 moved" in capsys.readouterr().out
    with pytest.raises(CommandError, match="earlier date"):
        call_command("run_cycle", "--as-of", day(-1).isoformat())


def test_the_moved_debts_and_the_actions_are_analyzed_before_the_messages_are_planned(
    monkeypatch,
):
    # Given a cycle that watches what it analyzes and when planning starts
    import collections_app.services.cycle as cycle_module
    from messaging.services import planning

    seen = []
    analyze = cycle_module.tables_analyze_after_bulk
    plan = planning.messages_plan
    notices = cycle_module.validation_notices_plan

    def watched_analyze(written, **kwargs):
        seen.append(("analyze", sorted(t for t, rows in written.items() if rows)))
        return analyze(written, **kwargs)

    def watched(name, func):
        def call(**kwargs):
            seen.append((name, []))
            return func(**kwargs)

        return call

    monkeypatch.setattr(cycle_module, "tables_analyze_after_bulk", watched_analyze)
    monkeypatch.setattr(cycle_module, "validation_notices_plan", watched("notices", notices))
    monkeypatch.setattr(planning, "messages_plan", watched("plan", plan))
    DebtFactory(due_date=day(-20))

    # When the day runs and moves the debt
    cycle_run(as_of=day(0))

    # Then the debt table's statistics are refreshed first (planned from the new stages), the
    # actions' once they are stored, the outbox's and the links' after planning
    steps = [name for name, _tables in seen]
    assert steps == ["analyze", "notices", "analyze", "plan", "analyze"]
    assert seen[0][1] == [Debt._meta.db_table]
    assert seen[2][1] == [ContactAction._meta.db_table]
    assert MessageDebt._meta.db_table in seen[4][1]
    assert ContactAction._meta.db_table not in seen[4][1]  # not analyzed twice


ACTION_TABLES = [ContactAction._meta.db_table]


def test_a_first_cycle_stores_its_actions_before_the_tables_key_and_indexes(settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.table_schema import table_schema

    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    before = table_schema(ACTION_TABLES)
    indexes = [name for _table, name, _definition in before[0]]
    assert len(indexes) == 4  # the key, the idempotency key, (date, channel), the arm's
    debts = [DebtFactory(due_date=day(offset)) for offset in (3, -20)]
    american = DebtFactory(
        due_date=day(-5),
        debtor=DebtorFactory(country="US", timezone="America/New_York"),
        currency="USD",
    )

    # When the first cycle stores its actions (the validation notices first) into the
    # empty table
    with CaptureQueriesContext(connection) as queries:
        cycle_run(as_of=day(0))

    # Then every index was dropped for the insert and built after it, as it was
    statements = "\n".join(q["sql"] for q in queries.captured_queries)
    assert sum(f'"{name}"' in statements for name in indexes) == len(indexes)
    assert f"LOCK TABLE {ACTION_TABLES[0]} IN ACCESS EXCLUSIVE MODE" in statements
    assert table_schema(ACTION_TABLES) == before
    # with the actions the cadence plans (as test_contact_actions_follow_the_cadence reads them)
    stored = set(ContactAction.objects.values_list("debt_id", "template_code", "channel"))
    assert {(d, t, c) for d, t, c in stored if d == debts[0].pk} == {
        (debts[0].pk, "pre_due_reminder", "email"),
        (debts[0].pk, "pre_due_reminder", "sms"),
    }
    assert any(d == debts[1].pk for d, _t, _c in stored)
    # and the American debt's validation notice, the first action of the day
    first = ContactAction.objects.order_by("id").first()
    assert (first.debt_id, first.template_code) == (american.pk, "validation_notice")
    actions = ContactAction.objects.count()

    # And a rerun, into a table that holds them, drops nothing and adds nothing (the key holds)
    with CaptureQueriesContext(connection) as queries:
        cycle_run(as_of=day(0))
    assert not any("DROP INDEX" in q["sql"] for q in queries.captured_queries)
    assert ContactAction.objects.count() == actions


def test_a_failed_key_build_undoes_the_bulk_actions_and_they_go_in_with_the_key(
    settings, monkeypatch
):
    from django.db import IntegrityError

    from core import bulk
    from tests.table_schema import table_schema

    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    before = table_schema(ACTION_TABLES)
    debt = DebtFactory(due_date=day(3))
    american = DebtFactory(
        due_date=day(-5),
        debtor=DebtorFactory(country="US", timezone="America/New_York"),
        currency="USD",
    )
    built = []

    def duplicate_found(cursor, statements):
        built.append(statements)
        raise IntegrityError("could not create unique index")

    monkeypatch.setattr(bulk, "indexes_rebuild", duplicate_found)
    cycle_run(as_of=day(0))

    # The drops were undone with the rows, and the actions went in with the indexes in place
    assert built and table_schema(ACTION_TABLES) == before
    assert set(ContactAction.objects.filter(debt=debt).values_list("template_code", "channel")) == {
        ("pre_due_reminder", "email"),
        ("pre_due_reminder", "sms"),
    }
    first = ContactAction.objects.order_by("id").first()
    assert (first.debt_id, first.template_code) == (american.pk, "validation_notice")
    assert ContactAction.objects.filter(template_code="validation_notice").count() == 1
