"""Who may be reported at a cut-off and why not: the notice rules at their edges."""

import datetime
import itertools
from decimal import Decimal

import pandas as pd
import pytest

from bureau.selectors import eligibility, eligibility_summary
from bureau.selectors.eligibility import notice_verdicts
from messaging.services.compliance.bureau import bureau_report_allowed
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D, hold, set_debt
from tests.factories.portfolio import DebtFactory, DebtorFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

SMALL = Decimal("200000.00")  # under 15% of the 2026 minimum wage (262,635.75)
BIG = Decimal("1170000.00")


def row(debt, cut_off):
    frame = eligibility(creditor=debt.creditor, cut_off=cut_off)
    return frame.set_index("debt_id").loc[debt.pk].to_dict()


@pytest.mark.parametrize(("days", "eligible"), [(19, False), (20, True)])
def test_co_report_20_calendar_days_after_the_notice(days, eligible):
    debt = DebtFactory(due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 10, 1))
    verdict = row(debt, D(2026, 10, 1) + datetime.timedelta(days=days))
    assert verdict["eligible"] is eligible
    if not eligible:
        assert verdict["reason_code"] == "notice_too_recent"
        assert verdict["eligible_on"] == D(2026, 10, 21)
        assert "2026-10-21" in verdict["reason"]


def test_no_notice_and_failed_notice_do_not_count():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    assert row(debt, D(2026, 11, 30))["reason_code"] == "no_notice"
    sent_notice(debt, D(2026, 10, 1), status="failed")
    assert row(debt, D(2026, 11, 30))["reason_code"] == "no_notice"


def test_the_pre_legal_notice_counts_as_the_bureau_notice():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 10, 1), template="pre_legal_notice", status="delivered")
    assert row(debt, D(2026, 10, 21))["eligible"]


def test_small_debt_needs_a_second_notice_on_another_day_and_20_days_after_it():
    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=SMALL)
    sent_notice(debt, D(2026, 9, 1))
    sent_notice(debt, D(2026, 9, 1))  # the same day: still one notice
    assert row(debt, D(2026, 10, 30))["reason_code"] == "small_debt_second_notice"
    sent_notice(debt, D(2026, 10, 20))
    verdict = row(debt, D(2026, 11, 8))
    assert verdict["reason_code"] == "notice_too_recent"
    assert verdict["eligible_on"] == D(2026, 11, 9)
    assert row(debt, D(2026, 11, 9))["eligible"]


def test_big_debt_needs_one_notice():
    debt = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=BIG)
    sent_notice(debt, D(2026, 9, 1))
    assert row(debt, D(2026, 9, 21))["eligible"]


@pytest.mark.parametrize(("cut_off", "eligible"), [(D(2026, 7, 31), True), (D(2026, 8, 1), False)])
def test_co_report_only_within_18_months_of_the_arrears(cut_off, eligible):
    debt = DebtFactory(due_date=D(2025, 1, 31))  # + 18 months = 2026-07-31 (month end)
    sent_notice(debt, D(2025, 3, 1))
    verdict = row(debt, cut_off)
    assert verdict["eligible"] is eligible
    if not eligible:
        assert verdict["reason_code"] == "arrears_too_old"


@pytest.mark.parametrize(("days", "eligible"), [(13, False), (14, True)])
def test_us_furnishing_14_days_after_the_notice(days, eligible):
    debtor = DebtorFactory(country="US", timezone="America/New_York", language="en")
    debt = DebtFactory(debtor=debtor, creditor=debtor.creditor, currency="USD")
    set_debt(debt, due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 10, 1))
    verdict = row(debt, D(2026, 10, 1) + datetime.timedelta(days=days))
    assert verdict["eligible"] is eligible


def test_us_conversation_is_enough():
    from django.utils import timezone

    from collections_app.models import Interaction

    debtor = DebtorFactory(country="US", timezone="America/New_York", language="en")
    debt = DebtFactory(debtor=debtor, creditor=debtor.creditor, currency="USD")
    assert row(debt, D(2026, 11, 30))["reason_code"] == "no_notice"
    Interaction.objects.create(
        debtor=debtor,
        debt=debt,
        channel="call",
        outcome="right_party_contact",
        occurred_at=timezone.make_aware(datetime.datetime(2026, 11, 2, 15)),
    )
    assert row(debt, D(2026, 11, 30))["eligible"]


def test_paid_not_late_held_and_disputed_are_not_reported():
    paid = set_debt(DebtFactory(due_date=D(2026, 8, 1)), balance=Decimal("0"))
    not_late = DebtFactory(creditor=paid.creditor, due_date=D(2026, 12, 1))
    held = DebtFactory(creditor=paid.creditor, due_date=D(2026, 8, 1))
    hold(held)
    for debt in (paid, not_late, held):
        sent_notice(debt, D(2026, 9, 1))
    cut = D(2026, 11, 30)
    frame = eligibility(creditor=paid.creditor, cut_off=cut).set_index("debt_id")
    assert frame.loc[paid.pk, "reason_code"] == "paid"
    assert frame.loc[not_late.pk, "reason_code"] == "not_late"
    assert frame.loc[held.pk, "reason_code"] == "on_hold"
    summary = {r["reason_code"]: r["debts"] for r in eligibility_summary(
        creditor=paid.creditor, cut_off=cut)}  # fmt: skip
    assert summary == {"paid": 1, "not_late": 1, "on_hold": 1}


def test_closed_debts_are_not_listed():
    debt = set_debt(DebtFactory(), stage="written_off")
    assert eligibility(creditor=debt.creditor, cut_off=D(2026, 11, 30)).empty


def test_a_manager_of_another_creditor_sees_nothing():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    other = ManagerFactory(creditors=[DebtFactory().creditor])
    assert eligibility(creditor=debt.creditor, cut_off=D(2026, 11, 30), user=other).empty
    assert eligibility_summary(creditor=debt.creditor, cut_off=D(2026, 11, 30), user=other) == []
    mine = ManagerFactory(creditors=[debt.creditor])
    assert len(eligibility(creditor=debt.creditor, cut_off=D(2026, 11, 30), user=mine)) == 1


def test_the_vectorised_rules_agree_with_bureau_report_allowed():
    # Every combination of country, size, notices and dates around the edges.
    as_of = D(2026, 11, 30)
    offsets = [None, 0, 1, 13, 14, 19, 20, 21, 40]
    rows = []
    for country, small, first, second, too_old, spoke in itertools.product(
        ["CO", "US", "MX"], [True, False], offsets, offsets, [False, True], [False, True]
    ):
        days = [o for o in (first, second) if o is not None]
        dates = sorted({as_of - datetime.timedelta(days=o) for o in days})
        arrears = D(2024, 1, 1) if too_old else D(2026, 6, 1)
        expected = bureau_report_allowed(
            country=country,
            notices_sent=dates,
            as_of=as_of,
            balance=Decimal("100") if small else Decimal("100000000"),
            minimum_wage=Decimal("1750905"),
            arrears_start=arrears,
            spoke_with_consumer=spoke,
        )
        rows.append(
            {
                "country": country,
                "as_of": as_of,
                "small": small,
                "too_old": too_old and country != "US",
                "spoke": spoke and country == "US",
                "n_dates": len(dates),
                "first_on": dates[0] if dates else None,
                "second_on": dates[1] if len(dates) > 1 else None,
                "expected": expected.allowed,
                "message": str(expected.reason),
            }
        )
    frame = notice_verdicts(pd.DataFrame(rows))
    mismatch = frame[frame["eligible"] != frame["expected"]]
    assert mismatch.empty, mismatch.head().to_dict("records")
    # The date a debt becomes eligible is the one the rule's message gives.
    recent = frame[frame["reason_code"] == "notice_too_recent"]
    assert not recent.empty
    for on, message in zip(recent["eligible_on"], recent["message"], strict=True):
        assert on.isoformat() in message


def test_one_debt_s_verdict():
    from bureau.selectors import debt_eligibility

    debt = DebtFactory(due_date=D(2026, 8, 1))
    DebtFactory(creditor=debt.creditor, due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 10, 1))
    verdict = debt_eligibility(debt=debt, cut_off=D(2026, 10, 15))
    assert verdict["debt_id"] == debt.pk and verdict["eligible_on"] == D(2026, 10, 21)
    assert debt_eligibility(debt=set_debt(debt, stage="paid"), cut_off=D(2026, 10, 15)) is None
