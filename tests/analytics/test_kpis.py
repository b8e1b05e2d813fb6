"""Each KPI on a small hand-built portfolio; the right answers are literals worked out by hand.

November 2026, creditor Banco Andino, one portfolio (placed in January), two currencies:

  debt  cur  balance on Oct 31   due (dpd Oct 31)   during November                 Nov 30
  A     COP  1,000,000           Oct 16 (15: 1-30)  paid in full Nov 10             paid
  B     COP  2,000,000           Sep 20 (41: 31-60) pays 500,000 Nov 15 and is       1-30 (dpd 10)
                                                    cured (due Dec 15); relapses
                                                    (due moved back to Nov 20)
  C     COP  3,000,000           Oct 31 (0: current) nothing                        1-30 (dpd 30)
  D     USD  400.00              Aug 15 (77: 61-90) nothing                         91-180 (107)
  E     USD  100.00              Oct 1 (30: 1-30)   pays 50.00 Nov 20, cured         current
                                                    (due Dec 31)
"""

import datetime
from decimal import Decimal

import pytest

from analytics.forms import KpiFilters
from analytics.selectors.kpis import kpi_dashboard
from tests.analytics.helpers import move_due, pay, run
from tests.factories.portfolio import CreditorFactory, DebtFactory, PortfolioFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _debt(creditor, portfolio, ref, currency, balance, due):
    return DebtFactory(
        creditor=creditor,
        portfolio=portfolio,
        debt_ref=ref,
        currency=currency,
        principal=Decimal(balance),
        interest=0,
        fees=0,
        original_amount=Decimal(balance),
        due_date=due,
    )


@pytest.fixture
def november(creditor):
    portfolio = PortfolioFactory(creditor=creditor, name="Tarjetas", assigned_on=D(2026, 1, 15))
    a = _debt(creditor, portfolio, "A", "COP", "1000000", D(2026, 10, 16))
    b = _debt(creditor, portfolio, "B", "COP", "2000000", D(2026, 9, 20))
    _debt(creditor, portfolio, "C", "COP", "3000000", D(2026, 10, 31))
    _debt(creditor, portfolio, "D", "USD", "400.00", D(2026, 8, 15))
    e = _debt(creditor, portfolio, "E", "USD", "100.00", D(2026, 10, 1))
    run(D(2026, 10, 31))  # writes November's opening balances
    pay(a, "1000000", D(2026, 11, 10), "PA")
    run(D(2026, 11, 10))
    pay(b, "500000", D(2026, 11, 15), "PB")
    move_due(b, D(2026, 12, 15))
    run(D(2026, 11, 15))
    pay(e, "50.00", D(2026, 11, 20), "PE")
    move_due(e, D(2026, 12, 31))
    move_due(b, D(2026, 11, 20))  # B relapses: a new instalment is missed
    run(D(2026, 11, 20))
    run(D(2026, 11, 30))
    return creditor


def _filters(creditor, **kw):
    return KpiFilters(
        creditor_ids=(creditor.id,),
        date_from=kw.pop("date_from", D(2026, 11, 1)),
        date_to=kw.pop("date_to", D(2026, 11, 30)),
        **kw,
    )


def _by_currency(rows):
    return {r["currency"]: r for r in rows}


def test_amount_collected_per_currency_never_summed(november):
    data = kpi_dashboard(filters=_filters(november))
    headline = _by_currency(data["headline"])
    assert sorted(headline) == ["COP", "USD"]
    assert headline["COP"]["collected"] == Decimal("1500000.00")
    assert headline["USD"]["collected"] == Decimal("50.00")
    assert headline["COP"]["payments"] == 2
    assert headline["USD"]["payments"] == 1
    # Nothing in October: no trend to show, not "-100 %" or a division by zero.
    assert headline["COP"]["collected_previous"] == Decimal("0")
    assert headline["COP"]["collected_change"] is None


def test_recovery_rate_uses_the_balance_at_the_start_of_the_period(november):
    headline = _by_currency(kpi_dashboard(filters=_filters(november))["headline"])
    # 1,500,000 / 6,000,000 placed (open on Oct 31) and 50 / 500.
    assert headline["COP"]["placed_balance"] == Decimal("6000000.00")
    assert headline["COP"]["recovery_rate"] == Decimal("0.2500")
    assert headline["USD"]["placed_balance"] == Decimal("500.00")
    assert headline["USD"]["recovery_rate"] == Decimal("0.1000")


def test_roll_rates_and_cure_rate_with_a_cured_and_relapsed_debt(november):
    data = kpi_dashboard(filters=_filters(november))
    rolls = _by_currency(data["roll_rates"])
    cop = {
        (row["from"], cell["to"]): (cell["balance"], cell["rate"])
        for row in rolls["COP"]["matrix"]
        for cell in row["cells"]
        if cell["debts"]
    }
    assert cop == {
        ("current", "1-30"): (Decimal("3000000.00"), Decimal("1.0000")),
        ("1-30", "paid"): (Decimal("1000000.00"), Decimal("1.0000")),
        # B was cured mid-month but relapsed: at month end it is 1-30, not cured.
        ("31-60", "1-30"): (Decimal("2000000.00"), Decimal("1.0000")),
    }
    # Delinquent at the start: A + B = 3,000,000; cured or paid at the end: A only.
    assert rolls["COP"]["delinquent_start"] == Decimal("3000000.00")
    assert rolls["COP"]["cure_rate"] == Decimal("0.3333")
    usd = {
        (row["from"], cell["to"]): cell["balance"]
        for row in rolls["USD"]["matrix"]
        for cell in row["cells"]
        if cell["debts"]
    }
    assert usd == {("61-90", "91-180"): Decimal("400.00"), ("1-30", "current"): Decimal("100.00")}
    assert rolls["USD"]["cure_rate"] == Decimal("0.2000")
    assert _by_currency(data["headline"])["USD"]["cure_rate"] == Decimal("0.2000")


def test_aging_distribution_at_the_end(november):
    aging = kpi_dashboard(filters=_filters(november))["aging"]
    rows = {(r["currency"], r["bucket"]): (r["debts"], r["balance"]) for r in aging if r["debts"]}
    assert rows == {
        ("COP", "1-30"): (2, Decimal("4500000.00")),
        ("USD", "current"): (1, Decimal("50.00")),
        ("USD", "91-180"): (1, Decimal("400.00")),
    }


def test_average_days_to_collect(november):
    headline = _by_currency(kpi_dashboard(filters=_filters(november))["headline"])
    # A: due Oct 16, closed by the payment of Nov 10 = 25 days. No USD debt closed.
    assert headline["COP"]["debts_closed"] == 1
    assert headline["COP"]["avg_days_to_collect"] == Decimal("25.0")
    assert headline["USD"]["avg_days_to_collect"] is None


def test_collected_per_day_and_currency_filter(november):
    data = kpi_dashboard(filters=_filters(november, currency="USD"))
    assert [(r["date"], r["currency"], r["collected"]) for r in data["collected_per_day"]] == [
        (D(2026, 11, 20), "USD", Decimal("50.00"))
    ]
    assert [h["currency"] for h in data["headline"]] == ["USD"]


def test_leaderboard_counts_payments_on_assigned_debts(november, collector):
    from portfolio.models import Debt

    Debt.objects.filter(debt_ref="B").update(assigned_to=collector)
    run(D(2026, 11, 15))  # rerun: the day's figures now carry the collector
    board = kpi_dashboard(filters=_filters(november))["leaderboard"]
    assert [(r["collector_id"], r["currency"], r["collected"]) for r in board] == [
        (collector.id, "COP", Decimal("500000.00"))
    ]


def test_no_payments_at_all():
    creditor = CreditorFactory(code="sin-pagos")
    portfolio = PortfolioFactory(creditor=creditor, assigned_on=D(2026, 1, 15))
    _debt(creditor, portfolio, "Z", "MXN", "9000.00", D(2026, 10, 1))
    run(D(2026, 10, 31))
    run(D(2026, 11, 30))
    data = kpi_dashboard(filters=_filters(creditor))
    (headline,) = data["headline"]
    assert headline["collected"] == Decimal("0")
    assert headline["recovery_rate"] == Decimal("0.0000")
    assert headline["avg_days_to_collect"] is None
    assert data["collected_per_day"] == []
    assert data["leaderboard"] == []
    # Z went from 1-30 (dpd 30) to 61-90 (dpd 60): nothing cured.
    (rolls,) = data["roll_rates"]
    assert rolls["cure_rate"] == Decimal("0.0000")


def test_cumulative_recovery_of_a_placement():
    creditor = CreditorFactory(code="nueva")
    portfolio = PortfolioFactory(creditor=creditor, name="Nov", assigned_on=D(2026, 11, 5))
    debt = _debt(creditor, portfolio, "G", "COP", "800000", D(2026, 11, 1))
    run(D(2026, 11, 5))  # placement day: 800,000 placed
    pay(debt, "100000", D(2026, 11, 20), "PG1")
    run(D(2026, 11, 20))  # month 0 since placement
    (series,) = kpi_dashboard(filters=_filters(creditor))["cumulative_recovery"]
    assert series["placed_balance"] == Decimal("800000.00")
    assert [(p["month"], p["collected"], p["rate"]) for p in series["points"]] == [
        (0, Decimal("100000.00"), Decimal("0.1250"))
    ]


def test_scoped_to_the_creditors_given(november):
    other = CreditorFactory(code="otro")
    data = kpi_dashboard(filters=_filters(other))
    assert data["headline"] == [] and data["aging"] == [] and data["as_of"] is None
