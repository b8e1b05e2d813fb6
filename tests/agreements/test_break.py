"""The cycle breaks agreements through `break_agreement`'s declaration, recording what it would."""

import copy
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import AgreementChange, AgreementStatus, PaymentAgreement
from agreements.services.lifecycle import agreement_create, change_record, lock_debts, return_debts
from collections_app.models import CycleRun
from collections_app.services.cycle import cycle_run_date
from core.reasons import Reason
from portfolio.models import Debt, Stage, StageChange
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

DAY0 = datetime.date(2026, 8, 1)


def day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


def agreement_on_new_debt(*, creditor, collector, due: datetime.date, **terms):
    """An active one-instalment agreement, no grace days, on a debt in firm notice."""
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        due_date=datetime.date(2026, 7, 1),
        stage=Stage.FIRM_NOTICE,
        stage_entered_on=datetime.date(2026, 7, 17),
        principal=Decimal("900000.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )
    values = {
        "kind": "instalment_plan",
        "instalment_count": 1,
        "frequency": "monthly",
        "first_due_date": due,
        "channel": "phone",
        "grace_days": 0,
    }
    values.update(terms)
    return agreement_create(user=collector, debt_ids=[debt.pk], as_of=day(0), **values), debt


def change_fields(change: AgreementChange) -> tuple:
    return (
        change.from_status,
        change.to_status,
        change.actor_id,
        (change.reason, change.reason_code, change.reason_params),
        change.business_date,
    )


def test_a_cycle_break_writes_the_agreement_change_break_agreement_writes(creditor, collector):
    # Given an active agreement whose only instalment fell due on day 1, without grace days
    by_cycle, _debt = agreement_on_new_debt(creditor=creditor, collector=collector, due=day(1))
    by_hand, _other = agreement_on_new_debt(creditor=creditor, collector=collector, due=day(5))
    # When the cycle of day 2 breaks it
    cycle_run_date(business_date=day(2))
    cycle_change = AgreementChange.objects.get(agreement=by_cycle, to_status=AgreementStatus.BROKEN)
    # and the other breaks through the single-object transition and its change record
    agreement = PaymentAgreement.objects.get(pk=by_hand.pk)
    agreement.break_agreement()
    agreement.ended_on = day(2)
    agreement.save(update_fields=["status", "ended_on", "updated_at"])
    change_record(
        agreement=agreement,
        from_status=AgreementStatus.ACTIVE,
        actor=None,
        reason=Reason(cycle_change.reason_code, cycle_change.reason_params),
        as_of=day(2),
    )
    # Then both agreements, and their change records, say the same
    hand_change = AgreementChange.objects.get(agreement=by_hand, to_status=AgreementStatus.BROKEN)
    assert change_fields(cycle_change) == change_fields(hand_change)
    assert change_fields(cycle_change) == (
        AgreementStatus.ACTIVE,
        AgreementStatus.BROKEN,
        None,
        ("", cycle_change.reason_code, cycle_change.reason_params),
        day(2),
    )
    assert cycle_change.reason_display
    broken = PaymentAgreement.objects.filter(pk__in=[by_cycle.pk, by_hand.pk])
    assert set(broken.values_list("status", "ended_on")) == {(AgreementStatus.BROKEN, day(2))}


def test_the_cycle_breaks_only_what_break_agreement_leaves_from(creditor, collector, monkeypatch):
    # Given an active agreement overdue past its grace days
    agreement, debt = agreement_on_new_debt(creditor=creditor, collector=collector, due=day(1))
    # When the state machine lets only a pending agreement break, not an active one
    field = PaymentAgreement._meta.get_field("status")
    meta = field.transitions[PaymentAgreement]["break_agreement"]._django_fsm
    declared = copy.copy(meta.transitions[AgreementStatus.ACTIVE])
    declared.source = AgreementStatus.PENDING_APPROVAL
    monkeypatch.setattr(meta, "transitions", {AgreementStatus.PENDING_APPROVAL: declared})
    cycle_run_date(business_date=day(2))
    # Then the cycle leaves it as it is
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert not AgreementChange.objects.filter(to_status=AgreementStatus.BROKEN).exists()
    assert Debt.objects.get(pk=debt.pk).stage == Stage.CURRENT


def test_the_cycle_returns_debts_with_the_records_return_debts_writes(creditor, collector):
    # Given two agreements: the cycle breaks the one due on day 1 on day 2
    by_cycle, cycle_debt = agreement_on_new_debt(creditor=creditor, collector=collector, due=day(1))
    by_hand, hand_debt = agreement_on_new_debt(creditor=creditor, collector=collector, due=day(5))
    cycle_run_date(business_date=day(2))
    run = CycleRun.objects.get(business_date=day(2))
    returns = StageChange.objects.filter(transition="return_from_agreement")
    (cycle_change,) = returns.filter(debt=cycle_debt)
    # When the single-object path returns the other agreement's debt with the same words
    return_debts(
        by_hand,
        debts=lock_debts([hand_debt.pk]),
        actor=None,
        as_of=day(2),
        reason=Reason(cycle_change.reason_code, cycle_change.reason_params),
        cycle_run=run,
    )
    # Then the two debts carry the same stage change and history row
    (hand_change,) = returns.filter(debt=hand_debt)

    def records(change):
        history = change.debt.history.filter(history_date=change.occurred_at).get()
        return (
            change.from_stage,
            change.to_stage,
            change.actor_id,
            (change.reason, change.reason_code, change.reason_params),
            change.business_date,
            change.policy_version_id,
            change.cycle_run_id,
            history.history_type,
            history.history_user_id,
            history.history_change_reason,
            history.stage,
            history.stage_entered_on,
        )

    assert records(cycle_change) == records(hand_change)
    assert records(cycle_change)[:2] == (Stage.CURRENT, Stage.FIRM_NOTICE)
    assert records(cycle_change)[7] == "~"


def _breaks_queries(*, breaking_day: datetime.date) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        cycle_run_date(business_date=breaking_day)
    broken = PaymentAgreement.objects.filter(
        status=AgreementStatus.BROKEN, ended_on=breaking_day
    ).count()
    return len(queries.captured_queries), broken


def test_breaking_3n_agreements_costs_the_queries_of_n(creditor, collector):
    # Given n agreements breaking on day 2 and 3n breaking on day 3 (and a debt with none,
    # so that the ladder has work on both days)
    DebtFactory(creditor=creditor, due_date=datetime.date(2026, 7, 1))
    for _ in range(2):
        agreement_on_new_debt(creditor=creditor, collector=collector, due=day(1))
    for _ in range(6):
        agreement_on_new_debt(creditor=creditor, collector=collector, due=day(2))
    cycle_run_date(business_date=day(0))
    cycle_run_date(business_date=day(1))
    # When the cycle breaks them
    few, broken_few = _breaks_queries(breaking_day=day(2))
    many, broken_many = _breaks_queries(breaking_day=day(3))
    # Then the number of queries does not grow with the number of agreements
    assert (broken_few, broken_many) == (2, 6)
    assert StageChange.objects.filter(transition="return_from_agreement").count() == 8
    assert many == few
