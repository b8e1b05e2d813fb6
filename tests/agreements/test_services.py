"""Agreements end to end through the services: limits, approval, allocation, completion."""

import datetime
from decimal import Decimal

import pytest

from agreements.models import (
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Forgiveness,
    Instalment,
    PaymentAgreement,
)
from agreements.services.lifecycle import (
    agreement_approve,
    agreement_cancel,
    agreement_create,
    agreement_reject,
)
from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from messaging.models import ContactAction
from portfolio.models import Debt, Stage, StageChange
from tests.agreements.conftest import AS_OF, PAID_AT, terms
from tests.factories.portfolio import DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db


def pay(debt, amount, reference, paid_at=PAID_AT):
    return payment_record(
        creditor=debt.creditor,
        debt=debt,
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=paid_at,
        method="pse",
        reference=reference,
        source="api",
    )[0]


def test_within_limits_is_active_at_once_and_the_debt_is_restructured(debt, collector):
    # Given a collector offering 3 monthly instalments with 10% down, no discount
    agreement = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())

    # Then it is active, the schedule sums to the balance, the debt sits in `current`
    assert agreement.status == AgreementStatus.ACTIVE
    amounts = list(agreement.instalments.values_list("number", "amount"))
    assert amounts[0] == (0, Decimal("120000.00"))
    assert sum(a for _n, a in amounts) == agreement.agreed_total == Decimal("1200000.00")
    debt.refresh_from_db()
    assert debt.stage == Stage.CURRENT
    change = StageChange.objects.get(debt=debt)
    assert (change.from_stage, change.transition) == (Stage.FIRM_NOTICE, "start_agreement")
    assert AgreementDebt.objects.get(agreement=agreement).stage_at_start == Stage.FIRM_NOTICE
    assert list(agreement.changes.values_list("to_status", flat=True)) == ["draft", "active"]
    assert ContactAction.objects.filter(
        debt=debt, template_code="agreement_confirmation", channel="email", business_date=AS_OF
    ).exists()


def test_beyond_the_collector_limits_waits_for_a_manager(debt, collector, manager):
    # Given 20% off and 18 instalments with nothing down: three limits passed
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=AS_OF,
        **terms(discount_pct="20", instalment_count=18, down_payment="0"),
    )
    assert agreement.status == AgreementStatus.PENDING_APPROVAL
    assert len(agreement.approval_reasons) == 3
    debt.refresh_from_db()
    assert debt.stage == Stage.FIRM_NOTICE  # nothing changes until approved

    # When the collector tries to approve it themselves, they are refused
    with pytest.raises(ApplicationError):
        agreement_approve(agreement=agreement, user=collector, as_of=AS_OF)

    # A manager may not approve without saying why; nothing changes
    with pytest.raises(ApplicationError) as refused:
        agreement_approve(agreement=agreement, user=manager, as_of=AS_OF, reason="  ")
    assert refused.value.field == "reason"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PENDING_APPROVAL

    # When the creditor's manager approves
    agreement_approve(agreement=agreement, user=manager, as_of=AS_OF, reason="Buen historial")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.decided_by == manager
    last = agreement.changes.order_by("-id").first()
    assert (last.actor, last.reason, last.to_status) == (manager, "Buen historial", "active")


def test_a_manager_of_another_creditor_may_not_approve(debt, collector):
    outsider = ManagerFactory(username="otro")
    agreement = agreement_create(
        user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms(instalment_count=24)
    )
    with pytest.raises(ApplicationError):
        agreement_approve(agreement=agreement, user=outsider, as_of=AS_OF)


def test_reject_needs_a_reason_and_frees_the_debt(debt, collector, manager):
    agreement = agreement_create(
        user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms(instalment_count=24)
    )
    with pytest.raises(ApplicationError) as exc:
        agreement_reject(agreement=agreement, user=manager, as_of=AS_OF, reason=" ")
    assert exc.value.field == "reason"

    agreement_reject(agreement=agreement, user=manager, as_of=AS_OF, reason="Demasiado largo")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.REJECTED
    # the debt may get a new proposal
    second = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    assert second.status == AgreementStatus.ACTIVE


def test_cancelling_an_active_agreement_returns_the_debt_to_its_stage(debt, collector):
    agreement = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    agreement_cancel(agreement=agreement, user=collector, as_of=AS_OF, reason="Cambió de idea")

    debt.refresh_from_db()
    assert debt.stage == Stage.FIRM_NOTICE
    assert StageChange.objects.filter(debt=debt, transition="return_from_agreement").exists()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.CANCELLED
    assert not agreement.instalments.exclude(status=Instalment.Status.CANCELLED).exists()


# --- bad input: a clear error and nothing written ---------------------------------------------


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"agreed_total": "1200000.01"}, "agreed_total"),
        ({"first_due_date": AS_OF - datetime.timedelta(days=1)}, "first_due_date"),
        ({"instalment_count": 0}, "instalment_count"),
        ({"down_payment": "1200000.00"}, "down_payment"),
        ({"interest_waived": "150000.01"}, "interest_waived"),
        ({"discount_pct": "100"}, "discount_pct"),
        ({"frequency": "yearly"}, "frequency"),
        ({"agreed_total": "0"}, "agreed_total"),
    ],
)
def test_bad_terms_are_refused_with_the_field_and_write_nothing(debt, collector, overrides, field):
    with pytest.raises(ApplicationError) as exc:
        agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms(**overrides))
    assert exc.value.field == field
    assert PaymentAgreement.objects.count() == 0
    assert Instalment.objects.count() == 0


def test_a_second_open_agreement_on_the_same_debt_is_refused(debt, collector):
    first = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    with pytest.raises(ApplicationError) as exc:
        agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    assert exc.value.field == "debts"
    assert f"#{first.pk}" in exc.value.message
    assert PaymentAgreement.objects.count() == 1


def test_the_database_itself_refuses_a_second_open_line():
    from django.db import IntegrityError, transaction

    line = None
    debt = DebtFactory()
    from agreements.models import AgreementDebt as Line

    for _ in range(2):
        agreement = PaymentAgreement.objects.create(
            creditor=debt.creditor,
            debtor=debt.debtor,
            kind="instalment_plan",
            currency="COP",
            balance_at_start=debt.balance,
            discount_amount=0,
            discount_pct=0,
            agreed_total=debt.balance,
            instalment_count=1,
            frequency="monthly",
            first_due_date=AS_OF,
            channel="phone",
            proposed_on=AS_OF,
        )
        try:
            with transaction.atomic():
                line = Line.objects.create(
                    agreement=agreement,
                    debt=debt,
                    stage_at_start="current",
                    balance_at_start=debt.balance,
                    share=debt.balance,
                )
        except IntegrityError:
            line = None
    assert line is None
    assert Line.objects.count() == 1


def test_debts_of_different_debtors_or_currencies_are_refused(debt, collector):
    other_debtor = DebtFactory(creditor=debt.creditor, assigned_to=collector)
    dollars = DebtFactory(
        creditor=debt.creditor, debtor=debt.debtor, assigned_to=collector, currency="USD"
    )
    for pair in ([debt.pk, other_debtor.pk], [debt.pk, dollars.pk]):
        with pytest.raises(ApplicationError) as exc:
            agreement_create(user=collector, debt_ids=pair, as_of=AS_OF, **terms())
        assert exc.value.field == "debts"
    assert PaymentAgreement.objects.count() == 0


def test_a_collector_cannot_use_a_debt_not_assigned_to_them(debt, other_collector):
    with pytest.raises(ApplicationError) as exc:
        agreement_create(user=other_collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    assert exc.value.field == "debts"


# --- payments ---------------------------------------------------------------------------------


def test_payments_fill_instalments_in_order_and_a_paid_up_plan_completes(debt, collector):
    agreement = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    pay(debt, "200000.00", "P1")

    rows = list(agreement.instalments.values_list("number", "paid_amount", "status"))
    assert rows[0] == (0, Decimal("120000.00"), "paid")
    assert rows[1] == (1, Decimal("80000.00"), "partial")
    assert rows[2][2] == rows[3][2] == "pending"

    pay(debt, "1000000.00", "P2")
    agreement.refresh_from_db()
    debt.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert debt.stage == Stage.PAID and debt.balance == 0
    assert not Forgiveness.objects.exists()
    assert ContactAction.objects.filter(template_code="agreement_completed").exists()


def test_a_settlement_completes_at_the_discounted_total_and_records_the_forgiveness(
    debt, collector
):
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=AS_OF,
        **terms(kind="settlement", discount_pct="10", instalment_count=1, down_payment="0"),
    )
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.agreed_total == Decimal("1080000.00")

    # paid after the early-payment window: the full discounted total is due
    late = PAID_AT + datetime.timedelta(days=20)
    pay(debt, "1000000.00", "S1", paid_at=late)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    pay(debt, "80000.00", "S2", paid_at=late)

    agreement.refresh_from_db()
    debt.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert debt.stage == Stage.SETTLED and debt.balance == 0
    forgiven = Forgiveness.objects.get()
    assert (forgiven.debt, forgiven.amount, forgiven.approved_by) == (
        debt,
        Decimal("120000.00"),
        collector,
    )
    assert StageChange.objects.filter(debt=debt, transition="settle").exists()


def test_early_payment_incentive_settles_for_less_within_the_window(debt, collector):
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=AS_OF,
        **terms(kind="settlement", discount_pct="10", instalment_count=1, down_payment="0"),
    )
    # 5% off 1,080,000 when paid within 10 days
    assert agreement.early_total == Decimal("1026000.00")
    pay(debt, "1026000.00", "E1")

    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert Forgiveness.objects.get().amount == Decimal("174000.00")


def test_payments_while_pending_count_once_approved(debt, collector, manager):
    agreement = agreement_create(
        user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms(instalment_count=20)
    )
    pay(debt, "120000.00", "DOWN")
    agreement_approve(agreement=agreement, user=manager, as_of=AS_OF, reason="Buen pagador")

    down = agreement.instalments.get(number=0)
    assert (down.paid_amount, down.status) == (Decimal("120000.00"), "paid")


def test_recompute_is_idempotent(debt, collector):
    from agreements.services.allocation import agreement_apply_payments

    agreement = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    pay(debt, "150000.00", "P1")
    before = list(agreement.instalments.values_list("paid_amount", "paid_at", "status"))
    agreement_apply_payments(agreement_ids=[agreement.pk, agreement.pk])
    agreement_apply_payments(agreement_ids=[agreement.pk])
    assert list(agreement.instalments.values_list("paid_amount", "paid_at", "status")) == before


def test_a_multi_debt_agreement_spreads_over_the_debts(debt, collector):
    second = DebtFactory(
        creditor=debt.creditor,
        debtor=debt.debtor,
        assigned_to=collector,
        stage=Stage.FRIENDLY_REMINDER,
        principal=Decimal("300000.00"),
        interest=Decimal("0"),
        fees=Decimal("0"),
    )
    agreement = agreement_create(
        user=collector,
        debt_ids=[second.pk, debt.pk],
        as_of=AS_OF,
        **terms(down_payment="150000.00"),
    )
    lines = {line.debt_id: line for line in agreement.lines.all()}
    assert (
        sum(line.share for line in lines.values())
        == agreement.agreed_total
        == Decimal("1500000.00")
    )
    assert lines[second.pk].stage_at_start == Stage.FRIENDLY_REMINDER
    assert set(Debt.objects.filter(pk__in=lines).values_list("stage", flat=True)) == {"current"}
    pay(second, "300000.00", "M1")
    assert agreement.instalments.get(number=0).status == "paid"
    assert agreement.instalments.get(number=1).status == "partial"
    assert AgreementChange.objects.filter(agreement=agreement).count() == 2


def test_the_payments_file_import_updates_the_agreement_too(debt, collector, tmp_path, settings):
    from imports.models import ImportBatch
    from imports.services.payments_file import payments_import_run
    from imports.services.portfolio_file import import_batch_create

    settings.MEDIA_ROOT = tmp_path / "media"
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=AS_OF,
        **terms(kind="settlement", discount_pct="10", instalment_count=1, down_payment="0"),
    )
    path = tmp_path / "pagos.csv"
    path.write_text(
        "debt_ref,amount,currency,paid_at,method,reference\n"
        f"{debt.debt_ref},540000.00,COP,2026-11-20T10:00:00-05:00,pse,F-1\n"
        f"{debt.debt_ref},540000.00,COP,2026-11-25T10:00:00-05:00,pse,F-2\n"
    )
    batch = import_batch_create(kind=ImportBatch.Kind.PAYMENTS, creditor=debt.creditor, path=path)
    batch = payments_import_run(batch=batch)
    assert batch.status == "completed", batch.error_message

    agreement.refresh_from_db()
    debt.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert debt.stage == Stage.SETTLED
    assert Forgiveness.objects.get().amount == Decimal("120000.00")
    # importing the same file again is a no-op
    again = import_batch_create(kind=ImportBatch.Kind.PAYMENTS, creditor=debt.creditor, path=path)
    payments_import_run(batch=again)
    assert Forgiveness.objects.count() == 1
