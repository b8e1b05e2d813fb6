"""Promotion: the winner becomes a new policy or template version (or the offer grid), the
experiment ends promoted and its debtors leave it; a hold-out, a stopped arm or an experiment
not running is refused."""

import datetime
from decimal import Decimal

import pytest

from agreements.models import NegotiationPolicy
from collections_app.models import EscalationPolicy, EscalationPolicyVersion
from collections_app.services.policies import policy_ensure_defaults
from core.exceptions import ApplicationError
from experiments.models import (
    Arm,
    ArmRole,
    Assignment,
    ExperimentChange,
    ExperimentStatus,
    Subject,
)
from experiments.services.lifecycle import ArmSpec, arm_stop
from experiments.services.promotion import experiment_promote
from messaging.models import MessageTemplate, MessageTemplateVersion
from messaging.services.templates import (
    active_versions,
    template_version_create,
    templates_ensure_defaults,
    version_resolve,
)
from tests.factories.experiments import make_experiment
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def creditor():
    return CreditorFactory()


@pytest.fixture
def manager(creditor):
    return ManagerFactory(creditors=[creditor])


def _policy_arms(creditor, *, holdout=False):
    policy_ensure_defaults(creditors=[creditor])
    policy = EscalationPolicy.objects.get(creditor=creditor, product="", segment="")
    champion = policy.current_version
    challenger = EscalationPolicyVersion.objects.create(
        policy=policy, number=2, firm_dpd=12, pre_legal_dpd=40, change_note="faster"
    )
    arms = [
        ArmSpec("a", "Champion", ArmRole.CHAMPION, 45 if holdout else 50, policy_version=champion),
        ArmSpec(
            "b", "Faster", ArmRole.CHALLENGER, 45 if holdout else 50, policy_version=challenger
        ),
    ]
    if holdout:
        arms.append(ArmSpec("h", "Hold-out", ArmRole.HOLDOUT, 10))
    return policy, arms


def test_promoting_a_policy_challenger_makes_a_new_current_version(creditor, manager):
    # Given a running policy experiment with debtors in it
    policy, arms = _policy_arms(creditor)
    for _ in range(4):
        DebtFactory(creditor=creditor, stage="friendly_reminder")
    experiment = make_experiment(user=manager, creditor=creditor, arms=arms, start_on=DAY)
    assert Assignment.objects.filter(experiment=experiment, left_on__isnull=True).count() == 4
    winner = experiment.arms.get(code="b")
    # When the manager promotes the challenger
    experiment = experiment_promote(
        user=manager, experiment=experiment, arm=winner, note="cures more", as_of=DAY
    )
    # Then a third version, with the challenger's thresholds, is the policy's current one
    policy.refresh_from_db()
    current = policy.current_version
    assert current.number == 3
    assert (current.firm_dpd, current.pre_legal_dpd) == (12, 40)
    assert experiment.status == ExperimentStatus.PROMOTED
    assert experiment.winner == winner
    assert experiment.promoted_version_id == current.pk
    # and everyone left the experiment (the next cycle gives them the policy's current version)
    assert not Assignment.objects.filter(experiment=experiment, left_on__isnull=True).exists()
    change = experiment.changes.get(action=ExperimentChange.Action.PROMOTED)
    assert (change.arm, change.note, change.changed_by) == (winner, "cures more", manager)


def test_promoting_a_template_challenger_makes_the_text_the_one_sent(creditor, manager):
    templates_ensure_defaults()
    default = MessageTemplate.objects.get(
        creditor=None, code="friendly", channel="sms", language="es"
    )
    champion = default.versions.get()
    challenger = template_version_create(
        template=default,
        user=manager,
        creditor=creditor,
        subject="",
        body=champion.body + " Te esperamos.",
    )
    # The challenger is kept out of the regular sending until it wins.
    MessageTemplateVersion.objects.filter(pk=challenger.pk).update(is_active=False)
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.TEMPLATE,
        arms=[
            ArmSpec("a", "Today", ArmRole.CHAMPION, 50, template_version=champion),
            ArmSpec("b", "Warmer", ArmRole.CHALLENGER, 50, template_version=challenger),
        ],
        start_on=DAY,
    )
    experiment = experiment_promote(
        user=manager,
        experiment=experiment,
        arm=experiment.arms.get(code="b"),
        note="more payments",
        as_of=DAY,
    )
    sent = version_resolve(
        active_versions(), creditor_id=creditor.pk, code="friendly", channel="sms", language="es"
    )
    assert sent.pk == experiment.promoted_version_id
    assert sent.pk not in (champion.pk, challenger.pk)
    assert sent.body == challenger.body
    assert sent.template.creditor_id == creditor.pk


def test_promoting_an_offer_sets_the_self_service_limits(creditor, manager):
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.OFFER,
        arms=[
            ArmSpec("a", "Today", ArmRole.CHAMPION, 50, offer={}),
            ArmSpec(
                "b",
                "Longer",
                ArmRole.CHALLENGER,
                50,
                offer={"max_instalments": 9, "min_down_pct": "15"},
            ),
        ],
        start_on=DAY,
    )
    experiment_promote(
        user=manager, experiment=experiment, arm=experiment.arms.get(code="b"), note="ok", as_of=DAY
    )
    limits = NegotiationPolicy.objects.get(creditor=creditor)
    assert limits.self_service_max_instalments == 9
    assert limits.self_service_min_down_pct == Decimal("15")


def test_a_holdout_cannot_be_promoted(creditor, manager):
    _policy, arms = _policy_arms(creditor, holdout=True)
    experiment = make_experiment(user=manager, creditor=creditor, arms=arms, start_on=DAY)
    with pytest.raises(ApplicationError) as exc:
        experiment_promote(
            user=manager,
            experiment=experiment,
            arm=experiment.arms.get(role=ArmRole.HOLDOUT),
            note="none",
            as_of=DAY,
        )
    assert exc.value.field == "arm"
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    assert experiment.winner is None


def test_a_stopped_arm_or_a_draft_cannot_be_promoted(creditor, manager):
    policy, arms = _policy_arms(creditor)
    experiment = make_experiment(user=manager, creditor=creditor, arms=arms, start_on=DAY)
    arm = arm_stop(user=manager, arm=experiment.arms.get(code="b"), reason="complaints")
    with pytest.raises(ApplicationError) as exc:
        experiment_promote(user=manager, experiment=experiment, arm=arm, note="x", as_of=DAY)
    assert exc.value.field == "arm"
    draft = make_experiment(user=manager, creditor=creditor, arms=arms, started=False, name="D")
    with pytest.raises(ApplicationError) as exc:
        experiment_promote(
            user=manager,
            experiment=draft,
            arm=Arm.objects.filter(experiment=draft).last(),
            note="x",
            as_of=DAY,
        )
    assert exc.value.field == "status"
    policy.refresh_from_db()
    assert policy.current_version.number == 1


def test_another_creditors_manager_is_refused(creditor, manager):
    _policy, arms = _policy_arms(creditor)
    experiment = make_experiment(user=manager, creditor=creditor, arms=arms, start_on=DAY)
    stranger = ManagerFactory(creditors=[CreditorFactory()])
    with pytest.raises(ApplicationError) as exc:
        experiment_promote(
            user=stranger,
            experiment=experiment,
            arm=experiment.arms.get(code="b"),
            note="x",
            as_of=DAY,
        )
    assert exc.value.extra.get("status") == 403
