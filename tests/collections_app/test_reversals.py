"""Reversing a payment: balances, the ledger, the stage, agreements, promises, the thank-you."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from agreements.models import (
    AgreementChange,
    AgreementDebt,
    AgreementStatus,
    Forgiveness,
    Instalment,
    PromiseToPay,
)
from agreements.services.cycle import promises_judge
from agreements.services.lifecycle import agreement_create
from agreements.services.promises import promise_create
from collections_app.services.payments import payment_record
from collections_app.services.policies import policy_ensure_defaults
from collections_app.services.reversals import payment_reverse
from core.exceptions import ApplicationError
from ledger.models import EntryKind, LedgerEntry, PaymentReversal
from legal.models import CaseOutcome, CaseState
from messaging.models import ContactAction, Message, MessageDebt
from portfolio.models import Debt, Payment, Stage, StageChange, Task
from tests.agreements.conftest import terms
from tests.factories.legal import make_case
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 2)
PAID_AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
LATER = datetime.date(2026, 11, 6)


@pytest.fixture
def debt(creditor, collector):
    policy_ensure_defaults(creditors=[creditor])
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        principal=Decimal("1000000.00"),
        interest=Decimal("150000.00"),
        fees=Decimal("50000.00"),
        due_date=datetime.date(2026, 10, 1),
    )
    ContactPointFactory(debtor=debt.debtor)
    return debt


def pay(debt, amount, reference, paid_at=PAID_AT, user=None):
    return payment_record(
        creditor=debt.creditor,
        debt=debt,
        amount=Decimal(amount),
        currency=debt.currency,
        paid_at=paid_at,
        method="pse",
        reference=reference,
        source="api",
        user=user,
    )[0]


def reverse(payment, *, user=None, reason="bounced", as_of=LATER, **kwargs):
    return payment_reverse(
        payment_id=payment.pk,
        reason=reason,
        note=kwargs.pop("note", "Devuelta por el banco"),
        source=kwargs.pop("source", "staff"),
        user=user,
        business_date=as_of,
        **kwargs,
    )


def components(debt):
    debt.refresh_from_db()
    return (debt.principal, debt.interest, debt.fees, debt.balance)


def test_reversing_a_part_payment_puts_its_allocation_back(debt, manager):
    # Given a part payment applied in the creditor's order
    before = components(debt)
    payment = pay(debt, "300000.00", "P1")
    assert components(debt) != before

    # When a manager reverses it (the transfer bounced)
    reversal, created = reverse(payment, user=manager)

    # Then every component is back, the payment is marked, and the ledger shows the reversal
    assert created and reversal.reason == "bounced" and reversal.reversed_by == manager
    assert components(debt) == before
    payment.refresh_from_db()
    assert payment.reversed_at is not None
    entry = LedgerEntry.objects.get(payment=payment, kind=EntryKind.REVERSAL)
    assert (entry.principal, entry.interest, entry.fees) == (
        payment.allocated_principal,
        payment.allocated_interest,
        payment.allocated_fees,
    )
    assert (entry.posted_on, entry.source_id, entry.amount) == (LATER, reversal.pk, payment.amount)
    # the debt's components are its entries' sum from where it started
    total = sum(e.amount for e in LedgerEntry.objects.filter(debt=debt))
    assert total == 0
    debt.refresh_from_db()
    assert debt.stage == Stage.FIRM_NOTICE  # an open debt keeps its stage


def test_a_paid_debt_goes_back_to_where_the_ladder_puts_it(debt, manager):
    # Given a debt paid in full on day 32 past due
    payment = pay(debt, "1200000.00", "FULL")
    debt.refresh_from_db()
    assert debt.stage == Stage.PAID and debt.balance == 0

    # When the payment is reversed 20 days later (52 days past due: pre-legal by the policy)
    as_of = datetime.date(2026, 11, 22)
    reverse(payment, user=manager, as_of=as_of, reason="chargeback")

    # Then the debt owes it all again, at the ladder's stage for that day, and the move says why
    debt.refresh_from_db()
    assert debt.balance == Decimal("1200000.00")
    assert (debt.stage, debt.stage_entered_on) == (Stage.PRE_LEGAL, as_of)
    change = StageChange.objects.filter(debt=debt).latest("id")
    assert (change.from_stage, change.to_stage, change.transition) == (
        Stage.PAID,
        Stage.PRE_LEGAL,
        "reopen_after_reversal",
    )
    assert change.actor == manager
    assert "FULL" in change.reason_display and "Card chargeback" in change.reason_display


def test_a_paid_debt_not_yet_past_due_goes_back_to_current(creditor, manager):
    policy_ensure_defaults(creditors=[creditor])
    debt = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 12, 1))
    payment = pay(debt, str(debt.balance), "EARLY")
    reverse(payment, user=manager)
    debt.refresh_from_db()
    assert debt.stage == Stage.CURRENT and debt.balance == payment.amount


def test_replaying_a_reversal_changes_nothing(debt, manager):
    payment = pay(debt, "1200000.00", "FULL")
    first, created = reverse(payment, user=manager)
    state = components(debt)
    debt.refresh_from_db()
    stage = debt.stage

    # When the same reversal comes again (a double click, a replayed webhook)
    again, created_again = reverse(payment, user=manager, reason="mistake")

    # Then the first reversal is returned and nothing moved twice
    assert created and not created_again and again.pk == first.pk and again.reason == "bounced"
    assert components(debt) == state
    debt.refresh_from_db()
    assert debt.stage == stage
    assert LedgerEntry.objects.filter(payment=payment, kind=EntryKind.REVERSAL).count() == 1
    assert StageChange.objects.filter(transition="reopen_after_reversal").count() == 1


def test_who_may_reverse_and_what_is_refused(debt, manager, collector):
    payment = pay(debt, "100000.00", "P1")
    other_manager = ManagerFactory(username="other-manager", creditors=[])
    for user in (collector, other_manager):
        with pytest.raises(PermissionDenied):
            reverse(payment, user=user)
    with pytest.raises(ApplicationError) as bad:
        reverse(payment, user=manager, reason="changed_my_mind")
    assert bad.value.field == "reason"
    with pytest.raises(ApplicationError) as unknown:
        payment_reverse(
            payment_id=10**9, reason="bounced", source="staff", user=manager, business_date=LATER
        )
    assert unknown.value.field == "payment"
    # nothing was written by the refused requests
    assert not PaymentReversal.objects.exists()
    assert Payment.objects.get(pk=payment.pk).reversed_at is None


def test_reversing_the_payment_that_completed_a_settlement(debt, collector, manager):
    # Given a settlement (10% off) completed by its second payment: the rest was forgiven
    agreement = agreement_create(
        user=collector,
        debt_ids=[debt.pk],
        as_of=AS_OF,
        **terms(kind="settlement", discount_pct="10", instalment_count=1, down_payment="0"),
    )
    late = PAID_AT + datetime.timedelta(days=20)
    pay(debt, "1000000.00", "S1", paid_at=late)
    last = pay(debt, "80000.00", "S2", paid_at=late)
    agreement.refresh_from_db()
    debt.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED and debt.stage == Stage.SETTLED
    forgiven = LedgerEntry.objects.get(debt=debt, kind=EntryKind.FORGIVENESS)
    assert Forgiveness.objects.filter(agreement=agreement).exists()

    # When the payment that completed it bounces
    as_of = datetime.date(2026, 11, 25)
    reverse(last, user=manager, as_of=as_of)

    # Then the agreement is active again, with what it has really been paid
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and agreement.ended_on is None
    assert agreement.paid_amount == Decimal("1000000.00")
    assert agreement.remaining == Decimal("80000.00")
    (instalment,) = agreement.instalments.all()
    assert (instalment.status, instalment.paid_amount) == (
        Instalment.Status.PARTIAL,
        Decimal("1000000.00"),
    )
    assert AgreementDebt.objects.get(agreement=agreement).is_open
    change = AgreementChange.objects.filter(agreement=agreement).latest("id")
    assert (change.from_status, change.to_status, change.actor) == ("completed", "active", manager)
    assert "S2" in change.reason_display
    # the forgiveness is undone: an adjustment puts the forgiven components back, no record left
    assert not Forgiveness.objects.filter(agreement=agreement).exists()
    adjustment = LedgerEntry.objects.get(debt=debt, kind=EntryKind.ADJUSTMENT)
    assert (adjustment.principal, adjustment.interest, adjustment.fees) == (
        -forgiven.principal,
        -forgiven.interest,
        -forgiven.fees,
    )
    assert adjustment.source_id == agreement.pk
    # the debt is under the agreement again, owing the forgiven rest and the bounced payment
    debt.refresh_from_db()
    assert debt.stage == Stage.CURRENT
    assert debt.balance == Decimal("200000.00")
    assert sum(e.amount for e in LedgerEntry.objects.filter(debt=debt)) == Decimal("-1000000.00")
    change = StageChange.objects.filter(debt=debt).latest("id")
    assert (change.from_stage, change.to_stage) == (Stage.SETTLED, Stage.CURRENT)

    # And paying the 80,000 again completes it once more, forgiving the rest again
    pay(debt, "80000.00", "S3", paid_at=PAID_AT + datetime.timedelta(days=23))
    agreement.refresh_from_db()
    debt.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED and debt.stage == Stage.SETTLED
    assert Forgiveness.objects.get(agreement=agreement).amount == Decimal("120000.00")


def test_reversing_the_payment_that_paid_off_an_instalment_plan(debt, collector, manager):
    # Given an instalment plan paid up by a payment that also paid the debt off
    agreement = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    pay(debt, "200000.00", "P1")
    last = pay(debt, "1000000.00", "P2")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert set(agreement.instalments.values_list("status", flat=True)) == {"paid"}

    # When the last payment is reversed
    reverse(last, user=manager)

    # Then the plan is active again and the debt is under it (current), not on the ladder
    agreement.refresh_from_db()
    debt.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    assert agreement.paid_amount == Decimal("200000.00")
    assert debt.stage == Stage.CURRENT and debt.balance == Decimal("1000000.00")
    rows = list(agreement.instalments.values_list("number", "paid_amount", "status"))
    assert rows[0] == (0, Decimal("120000.00"), "paid")
    assert rows[1] == (1, Decimal("80000.00"), "partial")
    assert [status for _n, _p, status in rows[2:]] == ["pending", "pending"]


def test_reversing_a_payment_toward_an_active_agreement_lowers_what_it_was_paid(
    debt, collector, manager
):
    agreement = agreement_create(user=collector, debt_ids=[debt.pk], as_of=AS_OF, **terms())
    first = pay(debt, "120000.00", "DOWN")
    agreement.refresh_from_db()
    assert agreement.paid_amount == Decimal("120000.00")
    reverse(first, user=manager)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE and agreement.paid_amount == 0
    assert agreement.instalments.get(number=0).status == Instalment.Status.PENDING


def _kept_promise(debt, collector, *, promised_date):
    promise = promise_create(
        user=collector,
        debt=debt,
        amount=Decimal("100000.00"),
        promised_date=promised_date,
        channel="phone",
        as_of=AS_OF,
    )
    payment = pay(debt, "100000.00", "PROMISED")
    # The daily cycle judges it the next day: kept.
    promises_judge(business_date=AS_OF + datetime.timedelta(days=1))
    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.KEPT
    return promise, payment


def test_a_promise_the_payment_kept_is_pending_again_before_its_date(debt, collector, manager):
    promise, payment = _kept_promise(debt, collector, promised_date=datetime.date(2026, 11, 10))

    reverse(payment, user=manager, as_of=LATER)

    promise.refresh_from_db()
    assert (promise.status, promise.paid_amount, promise.resolved_on) == ("pending", 0, None)
    # and the cycle no longer counts the reversed payment for it
    promises_judge(business_date=datetime.date(2026, 11, 7))
    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.PENDING


def test_a_promise_whose_date_has_passed_is_broken_with_a_task(debt, collector, manager):
    promise, payment = _kept_promise(debt, collector, promised_date=datetime.date(2026, 11, 3))

    # promised for the 3rd with 2 grace days: on the 10th it can no longer be kept
    reverse(payment, user=manager, as_of=datetime.date(2026, 11, 10))

    promise.refresh_from_db()
    assert (promise.status, promise.resolved_on) == ("broken", datetime.date(2026, 11, 10))
    assert Task.objects.filter(
        debt=debt, kind=Task.Kind.BROKEN_PROMISE, source_key=f"promise:{promise.pk}:broken"
    ).exists()


def test_a_thank_you_already_sent_is_not_sent_twice(debt, manager):
    # Given a debt paid off whose thank-you went out, and whose payment then bounced
    payment = pay(debt, "1200000.00", "FULL")
    (action,) = ContactAction.objects.filter(debt=debt, template_code="payment_thanks")
    sent = make_message(debt=debt, template="payment_thanks", status=Message.Status.SENT)
    MessageDebt.objects.filter(message=sent).update(contact_action=action)
    reverse(payment, user=manager)
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT  # what went out stays on record

    # When the debtor pays it again, on another day
    pay(debt, "1200000.00", "FULL-AGAIN", paid_at=PAID_AT + datetime.timedelta(days=5))

    # Then the debt is paid, and no second thank-you is planned
    debt.refresh_from_db()
    assert debt.stage == Stage.PAID
    assert list(
        ContactAction.objects.filter(debt=debt, template_code="payment_thanks").values_list(
            "pk", flat=True
        )
    ) == [action.pk]


def test_a_thank_you_not_sent_yet_is_withdrawn_and_the_real_payment_thanked(debt, manager):
    # Given a debt paid off whose thank-you is planned but not sent when the payment bounces
    payment = pay(debt, "1200000.00", "FULL")
    (action,) = ContactAction.objects.filter(debt=debt, template_code="payment_thanks")
    planned = make_message(debt=debt, template="payment_thanks")
    MessageDebt.objects.filter(message=planned).update(contact_action=action)

    reverse(payment, user=manager)

    # Then it is withdrawn: nobody is thanked for money that never arrived
    planned.refresh_from_db()
    action.refresh_from_db()
    assert (planned.status, planned.suppression_rule) == ("cancelled", "PAYMENT-REVERSED")
    assert action.status == ContactAction.Status.CANCELLED

    # And the payment that really pays the debt is thanked, once
    pay(debt, "1200000.00", "FULL-AGAIN", paid_at=PAID_AT + datetime.timedelta(days=5))
    live = ContactAction.objects.filter(debt=debt, template_code="payment_thanks").exclude(
        status=ContactAction.Status.CANCELLED
    )
    assert live.count() == 1
    pay_again = DebtFactory(creditor=debt.creditor)  # an unrelated debt is thanked as before
    ContactPointFactory(debtor=pay_again.debtor)
    pay(pay_again, str(pay_again.balance), "OTHER")
    assert ContactAction.objects.filter(debt=pay_again, template_code="payment_thanks").exists()


def test_a_court_case_closed_as_paid_reopens(creditor, manager):
    # Given a debt in legal whose case closed by itself when it was paid in full
    policy_ensure_defaults(creditors=[creditor])
    case = make_case(creditor=creditor, state=CaseState.FILED)
    debt = case.debt
    payment = pay(debt, str(debt.balance), "COURT")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.CLOSED, CaseOutcome.PAID)

    # When the payment is reversed
    reverse(payment, user=manager)

    # Then the debt is back in legal (a person put it there) and the case goes on where it was
    debt.refresh_from_db()
    case.refresh_from_db()
    assert debt.stage == Stage.LEGAL
    assert (case.state, case.outcome, case.closed_on) == (CaseState.FILED, "", None)
    assert case.changes.latest("changed_at").transition == "reopen"


def test_a_recovery_reversed_leaves_the_debt_written_off(creditor, manager):
    debt = DebtFactory(creditor=creditor, stage=Stage.WRITTEN_OFF)
    before = components(debt)
    payment = pay(debt, "50000.00", "REC")
    assert LedgerEntry.objects.get(payment=payment).kind == EntryKind.RECOVERY
    reverse(payment, user=manager)
    assert components(debt) == before
    debt.refresh_from_db()
    assert debt.stage == Stage.WRITTEN_OFF


def test_a_system_reversal_needs_no_user(debt):
    # A provider's chargeback webhook: no person, the event id kept for replays.
    payment = pay(debt, "100000.00", "CARD-1")
    reversal, created = reverse(
        payment, user=None, reason="chargeback", source="provider", provider_event_id="evt_1"
    )
    assert created and reversal.provider_event_id == "evt_1" and reversal.reversed_by is None
    assert Debt.objects.get(pk=debt.pk).balance == Decimal("1200000.00")
