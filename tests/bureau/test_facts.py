"""The facts a run carries: state by stage and agreement, profile, what goes in the run."""

from decimal import Decimal

import pytest

from bureau.services.facts import account_facts, debt_state, profile, profile_char
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D, set_debt
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stage", "balance", "days_late", "agreement", "state"),
    [
        ("pre_legal", "10", 40, False, "late"),
        ("current", "10", 0, False, "current"),
        ("firm_notice", "0", 40, False, "paid"),
        ("paid", "0", 0, False, "paid"),
        ("settled", "0", 0, False, "settled"),
        ("written_off", "10", 0, False, "written_off"),
        ("current", "10", 0, True, "agreement"),
    ],
)
def test_state_by_stage(stage, balance, days_late, agreement, state):
    assert debt_state(stage, Decimal(balance), days_late, agreement) == state


@pytest.mark.parametrize(
    ("state", "days", "char"),
    [("late", 29, "0"), ("late", 30, "1"), ("late", 179, "5"), ("late", 400, "6"),
     ("paid", 0, "0"), ("written_off", 0, "L")],
)  # fmt: skip
def test_profile_character_by_days_late(state, days, char):
    assert profile_char(state, days) == char


def test_profile_keeps_24_months_newest_first():
    assert profile("2", "") == "2" + "B" * 23
    assert profile("3", "2" * 24) == "3" + "2" * 23


def test_account_facts_of_an_eligible_debt():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    set_debt(debt, stage="pre_legal")
    sent_notice(debt, D(2026, 9, 1))
    DebtFactory(creditor=debt.creditor, due_date=D(2026, 8, 1))  # no notice: not in the run
    [facts] = account_facts(creditor=debt.creditor, bureau="datacredito", cut_off=D(2026, 10, 31))
    assert facts.debt_id == debt.pk and facts.account_number == debt.debt_ref
    assert (facts.state, facts.days_late, facts.action) == ("late", 91, "report")
    assert facts.amount_past_due == debt.balance and facts.balance == debt.balance
    assert facts.first_delinquency_on == D(2026, 8, 1)
    assert facts.document_number == debt.debtor.document_number
    assert facts.original_creditor == debt.creditor.name and facts.disputed == ""


def test_a_debtor_of_another_country_goes_to_that_country_s_bureau():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 9, 1))
    assert account_facts(creditor=debt.creditor, bureau="metro2", cut_off=D(2026, 10, 31)) == []


def test_amounts_stay_exact():
    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance="9876543210987.65")
    sent_notice(debt, D(2026, 9, 1))
    [facts] = account_facts(creditor=debt.creditor, bureau="datacredito", cut_off=D(2026, 10, 31))
    assert facts.balance == Decimal("9876543210987.65") == facts.amount_past_due
