"""The daily cycle applies experiment arms: a challenger's policy, the hold-out, the arm on records.

Every arm still goes through the same holds and compliance rules; a stopped arm or experiment
goes back to the champion at the next cycle; without a running experiment nothing changes.
"""

import datetime
from decimal import Decimal

import pytest

from agreements.services.lifecycle import agreement_create
from collections_app.models import EscalationPolicy
from collections_app.selectors import policy_version_for_debt
from collections_app.services.cycle import cycle_run_date
from collections_app.services.policies import policy_ensure_defaults, policy_version_draft
from core.exceptions import ApplicationError
from experiments.models import ArmRole, Assignment
from experiments.services.lifecycle import ArmSpec, arm_stop, experiment_stop
from messaging.models import ContactAction, Message
from portfolio.models import Channel, Debt, Stage, StageChange
from portfolio.services.holds import hold_open
from tests.factories.experiments import make_experiment
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
# The challenger: firm notice from 7 days past due (the champion, the default policy: 16; its
# friendly reminders go on days 1, 5 and 10, so nothing of the champion's happens on day 7).
FASTER = {"friendly_dpd": 1, "firm_dpd": 7, "pre_legal_dpd": 30}


def day(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def default_policy(creditor) -> EscalationPolicy:
    policy_ensure_defaults(creditors=[creditor])
    return EscalationPolicy.objects.get(creditor=creditor, product="", segment="", is_active=True)


def book(creditor, *, n: int, due: datetime.date, **debtor_fields) -> list[Debt]:
    """`n` debtors of the creditor with one debt each, in a collection stage already (so the
    experiment assigns them), due on `due`."""
    debts = []
    for _ in range(n):
        debtor = DebtorFactory(creditor=creditor, **debtor_fields)
        debts.append(
            DebtFactory(
                creditor=creditor, debtor=debtor, due_date=due, stage=Stage.FRIENDLY_REMINDER
            )
        )
    return debts


def idle_book(n: int) -> None:
    """Open debts of another creditor that do nothing for weeks, so the cycle's candidate
    selection (not its full load) decides the experiment's debts."""
    other = CreditorFactory()
    for _ in range(n):
        DebtFactory(creditor=other, due_date=day(60))


def experiment_with(manager, creditor, challenger_version, *, holdout: int = 0):
    champion = default_policy(creditor).current_version
    arms = [
        ArmSpec("a", "Champion", ArmRole.CHAMPION, 50 - holdout, policy_version=champion),
        ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 50, policy_version=challenger_version),
    ]
    if holdout:
        arms.append(ArmSpec("h", "Hold-out", ArmRole.HOLDOUT, holdout))
    experiment = make_experiment(user=manager, creditor=creditor, arms=arms, start_on=DAY)
    return experiment, {arm.code: arm for arm in experiment.arms.all()}


def by_arm(debts, arms) -> dict[str, list[Debt]]:
    """The debts per arm code, as the experiment assigned their debtors."""
    arm_of = dict(
        Assignment.objects.filter(debtor__in=[d.debtor_id for d in debts]).values_list(
            "debtor_id", "arm_id"
        )
    )
    code = {arm.pk: arm.code for arm in arms.values()}
    grouped: dict[str, list[Debt]] = {c: [] for c in arms}
    for debt in debts:
        grouped[code[arm_of[debt.debtor_id]]].append(debt)
    assert all(grouped.values()), "every arm has debtors"
    return grouped


def stage_of(debt) -> str:
    return Debt.objects.values_list("stage", flat=True).get(pk=debt.pk)


@pytest.fixture
def faster(creditor, manager):
    return policy_version_draft(
        policy=default_policy(creditor), values=FASTER, user=manager, note="Firm sooner"
    )


def test_policy_version_draft_does_not_become_current(creditor, manager):
    policy = default_policy(creditor)
    current = policy.current_version
    draft = policy_version_draft(policy=policy, values=FASTER, user=manager, note="Firm sooner")
    policy.refresh_from_db()
    assert policy.current_version_id == current.pk
    assert (draft.number, draft.firm_dpd, draft.grace_days) == (
        current.number + 1,
        7,
        current.grace_days,
    )
    with pytest.raises(ApplicationError):
        policy_version_draft(policy=policy, values={"firm_dpd": 0}, user=manager, note="bad")


@pytest.mark.parametrize("evaluate_all", [False, True])
def test_challenger_debtors_move_at_the_challenger_thresholds(
    creditor, manager, faster, evaluate_all
):
    # Given 30 debtors one day past due and an experiment: champion today's policy (firm at
    # 16 days), challenger a version that is not current (firm at 7 days)
    idle_book(150)
    debts = book(creditor, n=30, due=day(-1))
    champion_version = default_policy(creditor).current_version
    _experiment, arms = experiment_with(manager, creditor, faster)
    groups = by_arm(debts, arms)
    # When the cycle runs day by day to 7 days past due
    for n in range(7):
        result = cycle_run_date(business_date=day(n), evaluate_all=evaluate_all)
    if not evaluate_all:
        assert result.decided < Debt.objects.count() // 2  # the candidate selection decided
    # Then the challenger's debtors are in firm notice under its version, the champion's are
    # still in friendly reminder, and each arm is on its moves
    assert {stage_of(d) for d in groups["b"]} == {Stage.FIRM_NOTICE}
    assert {stage_of(d) for d in groups["a"]} == {Stage.FRIENDLY_REMINDER}
    moves = StageChange.objects.filter(debt__creditor=creditor)
    assert {(c.debt_id, c.policy_version_id, c.experiment_arm_id) for c in moves} == {
        (d.pk, faster.pk, arms["b"].pk) for d in groups["b"]
    }
    # And every contact action records its debtor's arm and the version that planned it
    actions = ContactAction.objects.filter(debt__creditor=creditor, policy_version_id__isnull=False)
    for code, version in (("a", champion_version), ("b", faster)):
        mine = actions.filter(debt__in=groups[code])
        assert mine.exists()
        assert set(mine.values_list("experiment_arm_id", "policy_version_id")) == {
            (arms[code].pk, version.pk)
        }
    assert actions.filter(debt__in=groups["b"], template_code="firm_notice").exists()
    assert not actions.filter(debt__in=groups["a"], template_code="firm_notice").exists()


def test_both_arms_record_their_arm_on_stage_changes(creditor, manager, faster):
    # Given debtors current, falling due; when they become 1 day past due both arms move
    debts = []
    for _ in range(20):
        debtor = DebtorFactory(creditor=creditor)
        debts.append(DebtFactory(creditor=creditor, debtor=debtor, due_date=day(-1)))
        # (a second debt past due keeps the debtor in the experiment's book)
        DebtFactory(
            creditor=creditor, debtor=debtor, due_date=day(40), stage=Stage.FRIENDLY_REMINDER
        )
    _experiment, arms = experiment_with(manager, creditor, faster)
    groups = by_arm(debts, arms)
    cycle_run_date(business_date=DAY)
    for code in ("a", "b"):
        changes = StageChange.objects.filter(debt__in=groups[code], to_stage="friendly_reminder")
        assert changes.count() == len(groups[code])
        assert set(changes.values_list("experiment_arm_id", flat=True)) == {arms[code].pk}


def test_single_debt_paths_name_the_challengers_version(creditor, manager, faster):
    debts = book(creditor, n=20, due=day(-1))
    _experiment, arms = experiment_with(manager, creditor, faster)
    groups = by_arm(debts, arms)
    champion = default_policy(creditor).current_version
    assert policy_version_for_debt(debt=groups["b"][0]) == faster
    assert policy_version_for_debt(debt=groups["a"][0]) == champion


def test_holdout_gets_no_reminders_but_moves_and_gets_the_notices_the_law_requires(
    creditor, manager, faster
):
    # Given US debtors (a validation notice is due when a debt enters collection) current, one
    # day past due today, in an experiment with a 30% hold-out
    debts = []
    for _ in range(40):
        debtor = DebtorFactory(creditor=creditor, country="US", timezone="America/New_York")
        debts.append(DebtFactory(creditor=creditor, debtor=debtor, due_date=day(-1)))
        DebtFactory(
            creditor=creditor, debtor=debtor, due_date=day(40), stage=Stage.FRIENDLY_REMINDER
        )
    _experiment, arms = experiment_with(manager, creditor, faster, holdout=30)
    groups = by_arm(debts, arms)
    # When the cycle runs
    result = cycle_run_date(business_date=DAY)
    # Then the hold-out's debts moved with the champion's policy, recorded under the hold-out
    champion = default_policy(creditor).current_version
    held_out = groups["h"]
    assert {stage_of(d) for d in held_out} == {Stage.FRIENDLY_REMINDER}
    changes = StageChange.objects.filter(debt__in=held_out)
    assert set(changes.values_list("policy_version_id", "experiment_arm_id")) == {
        (champion.pk, arms["h"].pk)
    }
    # and got no cadence reminder, while the champion's got theirs; the skip is counted
    reminders = ContactAction.objects.filter(template_code="friendly")
    assert not reminders.filter(debt__in=held_out).exists()
    assert reminders.filter(debt__in=groups["a"]).exists()
    assert result.holdout_skipped == reminders.filter(debt__in=groups["a"]).count() // len(
        groups["a"]
    ) * len(held_out)
    # but the validation notice the law requires is planned for them too, with their arm
    notices = ContactAction.objects.filter(debt__in=held_out, template_code="validation_notice")
    assert notices.count() == len(held_out)
    assert set(notices.values_list("experiment_arm_id", flat=True)) == {arms["h"].pk}


def test_a_stopped_arm_goes_back_to_the_champion_at_the_next_cycle(creditor, manager, faster):
    idle_book(150)
    debts = book(creditor, n=30, due=day(-1))
    champion = default_policy(creditor).current_version
    _experiment, arms = experiment_with(manager, creditor, faster)
    groups = by_arm(debts, arms)
    cycle_run_date(business_date=DAY)
    # When a guard-rail stops the challenger
    arm_stop(user=None, arm=arms["b"], reason="Complaints above the guard-rail")
    for n in range(1, 16):
        cycle_run_date(business_date=day(n))
    # Then its debtors did not move at 7 days past due: at 16 they move with the champion
    assert {stage_of(d) for d in groups["b"]} == {Stage.FIRM_NOTICE}
    changes = StageChange.objects.filter(debt__in=groups["b"])
    assert {c.business_date for c in changes} == {day(15)}
    # still counted in the arm they were assigned to
    assert set(changes.values_list("policy_version_id", "experiment_arm_id")) == {
        (champion.pk, arms["b"].pk)
    }
    assert not ContactAction.objects.filter(policy_version_id=faster.pk, business_date__gt=DAY)


def test_a_stopped_experiment_goes_back_to_the_champion_and_records_no_arm(
    creditor, manager, faster
):
    idle_book(150)
    debts = book(creditor, n=30, due=day(-1))
    champion = default_policy(creditor).current_version
    experiment, arms = experiment_with(manager, creditor, faster)
    groups = by_arm(debts, arms)
    cycle_run_date(business_date=DAY)
    experiment_stop(user=manager, experiment=experiment, reason="Ended early", as_of=day(1))
    for n in range(1, 5):
        cycle_run_date(business_date=day(n))
    assert {stage_of(d) for d in debts} == {Stage.FRIENDLY_REMINDER}
    later = ContactAction.objects.filter(debt__in=groups["b"], business_date__gt=DAY)
    assert later.exists()
    assert set(later.values_list("policy_version_id", "experiment_arm_id")) == {(champion.pk, None)}
    assert not StageChange.objects.filter(debt__creditor=creditor).exists()


def test_without_a_running_experiment_nothing_records_an_arm(creditor, manager, faster):
    # A draft experiment (not started) changes nothing
    debts = book(creditor, n=10, due=day(-5))
    champion = default_policy(creditor).current_version
    make_experiment(
        user=manager,
        creditor=creditor,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 50, policy_version=champion),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 50, policy_version=faster),
        ],
        started=False,
    )
    cycle_run_date(business_date=DAY)
    assert {stage_of(d) for d in debts} == {Stage.FRIENDLY_REMINDER}
    actions = ContactAction.objects.filter(debt__in=debts)
    assert actions.exists()
    assert set(actions.values_list("policy_version_id", "experiment_arm_id")) == {
        (champion.pk, None)
    }


def test_an_aggressive_challenger_stays_inside_the_law(creditor, manager):
    # Given a challenger that writes by e-mail and SMS every day past due, and CO debtors who
    # may be reached at both (Ley 2300: one contact a day, one channel a week)
    every_day = {
        str(Stage.FRIENDLY_REMINDER): [
            {"dpd": list(range(1, 16)), "channels": ["email", "sms"], "template": "friendly"}
        ]
    }
    policy = default_policy(creditor)
    aggressive = policy_version_draft(
        policy=policy, values={"cadence": every_day}, user=None, note="Every day"
    )
    debts = []
    for _ in range(24):
        debtor = DebtorFactory(creditor=creditor)
        ContactPointFactory(debtor=debtor, channel=Channel.EMAIL)
        ContactPointFactory(debtor=debtor, channel=Channel.SMS, value="+573001234567")
        debts.append(
            DebtFactory(
                creditor=creditor,
                debtor=debtor,
                due_date=day(-2),
                stage=Stage.FRIENDLY_REMINDER,
            )
        )
    _experiment, arms = experiment_with(manager, creditor, aggressive)
    groups = by_arm(debts, arms)
    # and a hold on one challenger debt
    held = groups["b"][0]
    hold_open(debt=held, kind="dispute", reason="Disputed", source="phone", user=manager)
    # When the cycle runs on a few days
    for n in range(4):
        cycle_run_date(business_date=day(n))
    # Then the challenger's cadence asked for two contacts a day, but the same rules as the
    # champion's let at most one a day through, and the rest are suppressed by them
    challenger = [d for d in groups["b"] if d.pk != held.pk]
    asked = ContactAction.objects.filter(debt__in=challenger, policy_version_id=aggressive.pk)
    assert asked.count() == 2 * 4 * len(challenger)
    messages = Message.objects.filter(debtor__in=[d.debtor_id for d in challenger])
    assert messages.count() >= asked.count() // 2
    live = messages.exclude(status=Message.Status.SUPPRESSED)
    per_day = {}
    for message in live:
        key = (message.debtor_id, message.business_date)
        per_day[key] = per_day.get(key, 0) + 1
    assert per_day and max(per_day.values()) == 1
    suppressed = messages.filter(status=Message.Status.SUPPRESSED)
    assert suppressed.count() >= asked.count() // 2
    # (a second contact pushed past the day's one is out of the contact hours by then)
    rules = set(suppressed.values_list("suppression_rule", flat=True))
    assert rules and rules <= {"CO-DAY", "CO-WEEK", "CO-WINDOW"}
    # and the held debt neither moved nor got a contact action
    assert stage_of(held) == Stage.FRIENDLY_REMINDER
    assert not ContactAction.objects.filter(debt=held).exists()
    assert not StageChange.objects.filter(debt=held).exists()


def test_the_agreements_steps_stage_moves_record_the_arm_too(creditor, manager, collector):
    # Given a debt in firm notice under an active agreement (so in `current`) due on day 1,
    # whose debtor is in an experiment
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        due_date=DAY - datetime.timedelta(days=30),
        stage=Stage.FIRM_NOTICE,
        stage_entered_on=DAY - datetime.timedelta(days=14),
        principal=Decimal("900000.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )
    agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=DAY,
        kind="instalment_plan",
        instalment_count=1,
        frequency="monthly",
        first_due_date=day(1),
        channel="phone",
        grace_days=0,
    )
    assert stage_of(debt) == Stage.CURRENT
    experiment = make_experiment(user=manager, creditor=creditor, start_on=DAY)
    arm_id = Assignment.objects.get(experiment=experiment, debtor_id=debt.debtor_id).arm_id
    # When the cycle breaks the agreement on day 2
    cycle_run_date(business_date=day(2))
    # Then the debt's return to its stage is recorded under the debtor's arm
    returned = StageChange.objects.get(debt=debt, transition="return_from_agreement")
    assert returned.experiment_arm_id == arm_id


@pytest.mark.parametrize("evaluate_all", [False, True])
def test_debtors_outside_the_experiment_move_and_are_contacted_with_no_arm(
    creditor, manager, faster, evaluate_all
):
    # Given the experiment's debtors and, in the same run, another creditor's debtors who are
    # in no arm, all falling 1 day past due with a consented e-mail
    inside = book(creditor, n=10, due=day(-1))
    outside = book(CreditorFactory(), n=10, due=day(-1))
    for debt in inside + outside:
        Debt.objects.filter(pk=debt.pk).update(stage=Stage.CURRENT)
        ContactPointFactory(debtor=debt.debtor, channel=Channel.EMAIL)
    for debt in inside[:1]:
        Debt.objects.filter(pk=debt.pk).update(stage=Stage.FRIENDLY_REMINDER)
    _experiment, arms = experiment_with(manager, creditor, faster)
    Debt.objects.filter(pk=inside[0].pk).update(stage=Stage.CURRENT)
    # When the cycle runs (the arm ids of the one run mix numbers and none)
    cycle_run_date(business_date=DAY, evaluate_all=evaluate_all)
    # Then everyone moved and got the day's reminder, each with its arm or none
    for debt in inside + outside:
        assert stage_of(debt) == Stage.FRIENDLY_REMINDER
    actions = ContactAction.objects.filter(business_date=DAY)
    assert set(actions.filter(debt__in=outside).values_list("experiment_arm_id", flat=True)) == {
        None
    }
    assert actions.filter(debt__in=outside).count() >= len(outside)
    arm_ids = {arm.pk for arm in arms.values()}
    assert (
        set(StageChange.objects.filter(debt__in=inside).values_list("experiment_arm_id", flat=True))
        <= arm_ids
    )
    assert set(
        StageChange.objects.filter(debt__in=outside).values_list("experiment_arm_id", flat=True)
    ) == {None}
