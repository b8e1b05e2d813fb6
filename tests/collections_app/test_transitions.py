import datetime
from decimal import Decimal

import pytest

from collections_app.services.cycle import cycle_run
from collections_app.services.policies import policy_ensure_defaults, policy_update
from collections_app.services.transitions import available_transitions, debt_transition
from core.exceptions import ApplicationError
from messaging.models import Message
from messaging.services.dispatch import messages_dispatch_date
from portfolio.models import Debt, Hold, Stage, StageChange
from portfolio.services.holds import hold_close, hold_open
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)


def pre_legal_debt(*, creditor, dpd_at_as_of=100, **kwargs):
    """A debt that walked the ladder to pre-legal through the cycle (notice sent on entry)."""
    debt = DebtFactory(
        creditor=creditor, due_date=AS_OF - datetime.timedelta(days=dpd_at_as_of), **kwargs
    )
    ContactPointFactory(debtor=debt.debtor, channel="email")
    cycle_run(as_of=AS_OF - datetime.timedelta(days=20))
    messages_dispatch_date(business_date=AS_OF - datetime.timedelta(days=20))
    cycle_run(as_of=AS_OF)
    debt.refresh_from_db()
    assert debt.stage == Stage.PRE_LEGAL
    return debt


def test_manager_escalates_to_legal_when_the_policy_allows(manager, creditor):
    debt = pre_legal_debt(creditor=creditor)
    change = debt_transition(
        debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF, reason="Approved"
    )
    debt.refresh_from_db()
    assert debt.stage == Stage.LEGAL
    assert (change.actor, change.from_stage, change.to_stage) == (
        manager,
        Stage.PRE_LEGAL,
        Stage.LEGAL,
    )
    assert change.policy_version_id is not None and change.reason == "Approved"


def test_collector_cannot_escalate_to_legal(collector, creditor):
    debt = pre_legal_debt(creditor=creditor, assigned_to=collector)
    with pytest.raises(ApplicationError, match="Only a manager"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=collector, as_of=AS_OF, reason="x"
        )
    assert Debt.objects.get(pk=debt.pk).stage == Stage.PRE_LEGAL


def test_legal_needs_the_dpd_threshold(manager, creditor):
    # 60 days past due: pre-legal (46+) but not yet legal (91+)
    debt = pre_legal_debt(creditor=creditor, dpd_at_as_of=60)
    with pytest.raises(ApplicationError, match="requires 91"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF, reason="x"
        )


def test_legal_needs_the_minimum_balance(manager, creditor):
    policy_ensure_defaults()
    policy = creditor.escalation_policies.get()
    policy_update(policy=policy, values={"legal_min_balance": Decimal("5000000")}, user=manager)
    debt = pre_legal_debt(creditor=creditor)
    with pytest.raises(ApplicationError, match="below the policy minimum"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF, reason="x"
        )


def test_legal_needs_the_pre_legal_notice_long_enough_before(manager, creditor):
    debt = pre_legal_debt(creditor=creditor)
    # the notice went out, but only 3 days ago (policy: 10)
    Message.objects.filter(template="pre_legal_notice").update(
        business_date=AS_OF - datetime.timedelta(days=3)
    )
    with pytest.raises(ApplicationError, match="at least 10 days before"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF, reason="x"
        )
    checks = available_transitions(debt=debt, user=manager, as_of=AS_OF)
    legal = next(t for t in checks if t["transition"] == "escalate_to_legal")
    assert not legal["allowed"] and any("10 days" in r for r in legal["reasons"])


def test_legal_check_says_from_which_date_when_only_time_is_missing(creditor):
    from collections_app.services.transitions import legal_check

    # Given a pre-legal debt whose notice went out 3 days ago (policy: 10 days)
    debt = pre_legal_debt(creditor=creditor)
    Message.objects.filter(template="pre_legal_notice").update(
        business_date=AS_OF - datetime.timedelta(days=3)
    )
    check = legal_check(debt=debt, as_of=AS_OF)
    # Then it is not eligible today, but from the notice date + 10 days, and is on that date
    assert not check.allowed
    assert check.eligible_from == AS_OF + datetime.timedelta(days=7)
    assert legal_check(debt=debt, as_of=check.eligible_from).allowed
    day_before = check.eligible_from - datetime.timedelta(days=1)
    assert not legal_check(debt=debt, as_of=day_before).allowed


def test_legal_check_waits_for_the_later_of_dpd_and_notice(creditor):
    from collections_app.services.transitions import legal_check

    # 60 days past due: legal from 91, i.e. in 31 days; the notice went out 5 days ago
    debt = pre_legal_debt(creditor=creditor)
    Message.objects.filter(template="pre_legal_notice").update(
        business_date=AS_OF - datetime.timedelta(days=5)
    )
    Debt.objects.filter(pk=debt.pk).update(due_date=AS_OF - datetime.timedelta(days=60))
    debt.refresh_from_db()
    check = legal_check(debt=debt, as_of=AS_OF)
    assert check.eligible_from == AS_OF + datetime.timedelta(days=31)
    assert legal_check(debt=debt, as_of=check.eligible_from).allowed


def test_legal_check_gives_no_date_when_no_notice_was_sent(creditor):
    from collections_app.services.transitions import legal_check

    # Pre-legal since today, its notice planned but not sent yet
    debt = pre_legal_debt(creditor=creditor, dpd_at_as_of=60)
    check = legal_check(debt=debt, as_of=AS_OF)
    assert not check.allowed and check.eligible_from is None
    assert any("pre-legal notice" in r for r in check.reasons)


def test_write_off_needs_a_manager_and_a_reason(manager, collector):
    debt = DebtFactory(assigned_to=collector)
    with pytest.raises(ApplicationError, match="reason is required"):
        debt_transition(debt=debt, transition_name="write_off", user=manager, as_of=AS_OF)
    with pytest.raises(ApplicationError, match="Only a manager"):
        debt_transition(
            debt=debt,
            transition_name="write_off",
            user=collector,
            as_of=AS_OF,
            reason="x",
            write_off_reason="uncollectible",
        )
    debt_transition(
        debt=debt,
        transition_name="write_off",
        user=manager,
        as_of=AS_OF,
        reason="Uncollectable",
        write_off_reason="uncollectible",
    )
    debt = Debt.objects.get(pk=debt.pk)
    assert (debt.stage, debt.stage_entered_on) == (Stage.WRITTEN_OFF, AS_OF)
    assert StageChange.objects.get(debt=debt).reason == "Uncollectable"
    # the debt's own history names the manager and the reason too
    latest = debt.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (manager, "Uncollectable")


def test_closed_debt_cannot_be_written_off(manager):
    debt = DebtFactory(stage=Stage.PAID, principal=0, interest=0, fees=0)
    with pytest.raises(ApplicationError, match="cannot do that"):
        debt_transition(
            debt=debt,
            transition_name="write_off",
            user=manager,
            as_of=AS_OF,
            reason="x",
            write_off_reason="uncollectible",
        )


def test_unknown_transition_is_refused(manager):
    with pytest.raises(ApplicationError, match="Unknown transition"):
        debt_transition(debt=DebtFactory(), transition_name="cure", user=manager, as_of=AS_OF)


def test_dispute_is_resolved_only_by_a_manager(collector, manager):
    debt = DebtFactory(assigned_to=collector)
    hold = hold_open(
        debt=debt, kind=Hold.Kind.DISPUTE, reason="Already paid", source="collector", user=collector
    )
    assert (hold.opened_by, hold.debt, hold.closed_at) == (collector, debt, None)
    with pytest.raises(ApplicationError, match="already open"):
        hold_open(debt=debt, kind=Hold.Kind.DISPUTE, reason="again", source="collector")
    with pytest.raises(ApplicationError, match="Only a manager"):
        hold_close(hold=hold, user=collector, outcome=Hold.Outcome.UPHELD)
    with pytest.raises(ApplicationError, match="Choose an outcome"):
        hold_close(hold=hold, user=manager, outcome="maybe")
    closed = hold_close(hold=hold, user=manager, outcome=Hold.Outcome.UPHELD, note="Receipt found")
    assert closed.closed_by == manager and closed.outcome == "upheld" and closed.closed_at


def test_hold_needs_a_reason():
    with pytest.raises(ApplicationError, match="Say why"):
        hold_open(debt=DebtFactory(), kind=Hold.Kind.CEASE_CONTACT, reason="  ", source="api")


def test_held_debt_cannot_go_to_legal(manager, creditor):
    debt = pre_legal_debt(creditor=creditor)
    hold_open(debt=debt, kind=Hold.Kind.INSOLVENCY, reason="Ley 1564", source="collector")
    with pytest.raises(ApplicationError, match="on hold"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF, reason="x"
        )


def test_a_planned_but_unsent_pre_legal_notice_does_not_count(manager, creditor):
    debt = pre_legal_debt(creditor=creditor)
    assert Message.objects.filter(template="pre_legal_notice", status="sent").exists()
    Message.objects.filter(template="pre_legal_notice").update(status="planned", sent_at=None)
    with pytest.raises(ApplicationError, match="at least 10 days before"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF, reason="x"
        )


def test_a_certified_pre_legal_letter_counts_from_its_proof_of_receipt(creditor):
    from collections_app.services.transitions import legal_check
    from messaging.models import LetterProof

    # Given a pre-legal debt whose pre-legal notice went by letter 15 days ago (Colombia:
    # a certified notice, messaging.services.compliance.certified)
    debt = pre_legal_debt(creditor=creditor)
    notices = Message.objects.filter(
        covered__debt=debt, stage=Stage.PRE_LEGAL, status__in=("sent", "delivered")
    )
    assert notices.exists()
    notices.update(
        channel="letter",
        template="pre_legal_notice",
        business_date=AS_OF - datetime.timedelta(days=15),
    )
    # Then without its proof it is no notice: no date can be given
    check = legal_check(debt=debt, as_of=AS_OF)
    assert not check.allowed and check.eligible_from is None
    assert any("certified mail" in r for r in check.reasons)
    # When the proof says it was received 5 days ago, the 10 days run from the receipt
    for message in notices:
        LetterProof.objects.create(
            message=message,
            kind="manual",
            received_on=AS_OF - datetime.timedelta(days=5),
            event_key=f"manual:{message.pk}",
        )
    check = legal_check(debt=debt, as_of=AS_OF)
    assert not check.allowed
    assert check.eligible_from == AS_OF + datetime.timedelta(days=5)
    assert legal_check(debt=debt, as_of=check.eligible_from).allowed
