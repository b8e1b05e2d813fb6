"""Offer experiments: the portal's self-service plans follow the debtor's arm, always inside the
creditor's limits, and every agreement records the arm it was made in."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import NegotiationPolicy, PaymentAgreement
from agreements.services.lifecycle import agreement_create
from agreements.services.terms import OFFER_FIELDS, offer_for
from core.exceptions import ApplicationError
from experiments.models import ArmRole, Assignment, Subject
from experiments.services.lifecycle import ArmSpec
from portal.services import plans
from tests.factories.experiments import make_experiment
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 1)
# 9 instalments and 15% down where the creditor's self-service allows 6 and asks 20%; a 7%
# early-payment incentive for 15 days instead of 5% for 10.
TESTED = {
    "max_instalments": 9,
    "min_down_pct": "15",
    "early_payment_discount_pct": "7",
    "early_payment_days": 15,
}


def _book(creditor, count=12):
    debts = []
    for n in range(count):
        debtor = DebtorFactory(creditor=creditor, document_number=f"10203040{n:02d}")
        ContactPointFactory(debtor=debtor, channel="sms", value=f"+5730011122{n:02d}")
        debts.append(DebtFactory(creditor=creditor, debtor=debtor, stage="firm_notice"))
    return debts


def _offer_experiment(manager, creditor, offer=TESTED, weights=(50, 50)):
    return make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.OFFER,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, weights[0]),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, weights[1], offer=dict(offer)),
        ],
    )


def _split(experiment, debts, *, both=True):
    """(champion debts, challenger debts, {debtor: arm id})."""
    arms = dict(Assignment.objects.filter(experiment=experiment).values_list("debtor_id", "arm_id"))
    challenger = experiment.arms.get(code="b").pk
    champions = [d for d in debts if arms[d.debtor_id] != challenger]
    challengers = [d for d in debts if arms[d.debtor_id] == challenger]
    assert challengers and (champions or not both)
    return champions, challengers, arms


def test_the_challengers_offer_replaces_the_policys_and_the_champion_keeps_it(manager, creditor):
    debts = _book(creditor)
    experiment = _offer_experiment(manager, creditor)
    champions, challengers, arms = _split(experiment, debts)
    policy, _made = NegotiationPolicy.objects.get_or_create(creditor=creditor)

    mine = offer_for(debtor_id=challengers[0].debtor_id, creditor_id=creditor.pk)
    assert mine["self_service_max_instalments"] == 9
    assert mine["self_service_min_down_pct"] == Decimal("15.00")
    assert mine["early_payment_discount_pct"] == Decimal("7.00")
    assert mine["early_payment_days"] == 15
    assert mine["arm_id"] == arms[challengers[0].debtor_id]

    theirs = offer_for(debtor_id=champions[0].debtor_id, creditor_id=creditor.pk)
    assert {name: theirs[name] for name in OFFER_FIELDS} == {
        name: getattr(policy, name) for name in OFFER_FIELDS
    }
    assert theirs["arm_id"] == arms[champions[0].debtor_id]


def test_an_offer_is_never_looser_than_the_creditors_limits(manager, creditor):
    # given a creditor whose collectors may give 8 instalments, must ask 18% down and may
    # forgive 6%, and a challenger asking for far more
    debts = _book(creditor)
    NegotiationPolicy.objects.create(
        creditor=creditor,
        collector_max_instalments=8,
        collector_min_down_pct=Decimal("18"),
        collector_max_discount_pct=Decimal("6"),
        max_instalments=24,
    )
    greedy = {
        "max_instalments": 48,
        "min_down_pct": "0",
        "early_payment_discount_pct": "40",
        "early_payment_days": 400,
    }
    experiment = _offer_experiment(manager, creditor, offer=greedy, weights=(1, 99))
    _champions, challengers, _arms = _split(experiment, debts, both=False)
    offer = offer_for(debtor_id=challengers[0].debtor_id, creditor_id=creditor.pk)
    assert offer["self_service_max_instalments"] == 8
    assert offer["self_service_min_down_pct"] == Decimal("18.00")
    assert offer["early_payment_discount_pct"] == Decimal("6.00")
    assert offer["early_payment_days"] == 60
    # and the portal offers no more than that: 9 instalments is beyond the limits
    debt = challengers[0]
    assert plans.plan_limits(debt)["max_instalments"] == 8
    with pytest.raises(ApplicationError) as refused:
        plans.plan_preview(debt=debt, option="9", down_payment=debt.balance / 4, as_of=AS_OF)
    assert refused.value.extra["beyond_limits"]


def test_the_portal_lets_a_challenger_choose_the_tested_plan_and_records_the_arm(
    manager, creditor, client
):
    debts = _book(creditor)
    experiment = _offer_experiment(manager, creditor)
    champions, challengers, arms = _split(experiment, debts)
    down = Decimal("180000.00")  # 15.4% of 1,170,000: enough for the challenger, not the policy

    # the champion may not have 9 instalments nor put down 15%
    champion = champions[0]
    assert plans.plan_limits(champion)["max_instalments"] == 6
    with pytest.raises(ApplicationError):
        plans.plan_preview(debt=champion, option="9", down_payment=down, as_of=AS_OF)
    with pytest.raises(ApplicationError):
        plans.plan_preview(debt=champion, option="4", down_payment=down, as_of=AS_OF)

    # the challenger signs in, sees 9 instalments offered and takes them with 15% down
    debt = challengers[0]
    sign_in(client, debt.debtor)
    page = client.get(reverse("portal:plan", args=[debt.pk]))
    options = dict(page.context["form"].fields["option"].choices)
    assert "9" in options and "10" not in options
    response = client.post(
        reverse("portal:plan", args=[debt.pk]),
        {"option": "9", "down_payment": str(down), "accept": "on", "confirm": "1"},
    )
    assert response.status_code == 302
    agreement = PaymentAgreement.objects.get(debts=debt)
    assert agreement.status == "active" and agreement.instalment_count == 9
    assert agreement.experiment_arm_id == arms[debt.debtor_id]


def test_a_challengers_settlement_gets_the_tested_early_payment_incentive(manager, creditor):
    debts = _book(creditor)
    experiment = _offer_experiment(manager, creditor)
    champions, challengers, arms = _split(experiment, debts)
    mine = plans.plan_preview(debt=challengers[0], option="settle", down_payment=None, as_of=AS_OF)
    theirs = plans.plan_preview(debt=champions[0], option="settle", down_payment=None, as_of=AS_OF)
    assert mine.early_total == Decimal("1088100.00")  # 7% off 1,170,000
    assert theirs.early_total == Decimal("1111500.00")  # the policy's 5%
    assert mine.early_deadline == AS_OF + datetime.timedelta(days=15)
    agreement = plans.plan_accept(
        debt=challengers[0], option="settle", down_payment=None, as_of=AS_OF
    )
    assert agreement.early_deadline == AS_OF + datetime.timedelta(days=15)
    assert agreement.experiment_arm_id == arms[challengers[0].debtor_id]


def test_a_collectors_agreement_records_the_arm_of_any_role(manager, creditor):
    debts = _book(creditor)
    experiment = _offer_experiment(manager, creditor)
    champions, _challengers, arms = _split(experiment, debts)
    agreement = agreement_create(
        user=manager,
        debt_ids=[champions[0].pk],
        as_of=AS_OF,
        kind=PaymentAgreement.Kind.INSTALMENT_PLAN,
        instalment_count=3,
        frequency=PaymentAgreement.Frequency.MONTHLY,
        first_due_date=AS_OF + datetime.timedelta(days=5),
        down_payment=Decimal("300000.00"),
    )
    assert agreement.experiment_arm_id == arms[champions[0].debtor_id]


def test_without_an_experiment_offers_and_agreements_are_unchanged(creditor):
    debt = _book(creditor, count=1)[0]
    policy = NegotiationPolicy.objects.create(creditor=creditor)
    offer = offer_for(debtor_id=debt.debtor_id, creditor_id=creditor.pk)
    assert offer == {**{name: getattr(policy, name) for name in OFFER_FIELDS}, "arm_id": None}
    assert plans.plan_limits(debt)["max_instalments"] == policy.self_service_max_instalments
    agreement = plans.plan_accept(
        debt=debt, option="4", down_payment=Decimal("300000.00"), as_of=AS_OF
    )
    assert agreement.experiment_arm_id is None


def test_an_offer_arm_names_only_known_terms(manager, creditor):
    # The arm's terms are those the experiment form writes and offer_for reads (OFFER_TERMS);
    # anything else is refused when the experiment is created, before any debtor sees it.
    _book(creditor, count=2)
    with pytest.raises(ApplicationError) as refused:
        _offer_experiment(manager, creditor, offer={"self_service_max_instalments": 9})
    assert refused.value.field == "offer"
    with pytest.raises(ApplicationError):
        _offer_experiment(manager, creditor, offer={"max_instalments": "many"})
