"""The nightly job's debt snapshots taken from its frame equal the SQL ones, row for row.

A hand-built portfolio (two creditors, two currencies, a debt outside any portfolio, debts
with and without a collector, every aging bucket, odd cents, a zero balance still open, closed
debts): the aging snapshot, the month opening and the month's transitions the nightly run
writes from its frame are compared with what the set-based SQL writes for the same date.
"""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from analytics.models import AgingSnapshot, BucketTransition, DebtMonthOpening
from analytics.services.nightly import nightly_run
from analytics.services.snapshots import snapshots_write
from analytics.services.snapshots_frame import decimal_array, frame_usable
from portfolio.models import Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory, PortfolioFactory

pytestmark = pytest.mark.django_db

D = datetime.date
# Days past due on the run date -> every bucket, and both sides of each limit.
DPDS = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 360, 361, 900]
BALANCES = ["0.07", "1234.56", "999999.99", "1500000.00", "99999999999.99", "10.10"]


def _portfolio(as_of, collector, other_collector):
    creditors = [CreditorFactory(), CreditorFactory()]
    for n, creditor in enumerate(creditors):
        portfolio = PortfolioFactory(creditor=creditor, assigned_on=D(2026, 1, 15))
        for i, dpd in enumerate(DPDS):
            balance = Decimal(BALANCES[(i + n) % len(BALANCES)])
            DebtFactory(
                creditor=creditor,
                portfolio=portfolio if i % 4 else None,
                currency="USD" if i % 3 == 0 else "COP",
                assigned_to=[collector, other_collector, None][(i + n) % 3],
                principal=balance,
                interest=0,
                fees=0,
                due_date=as_of - datetime.timedelta(days=dpd),
            )
        # Open with nothing left to pay, and closed ones: in no snapshot of open debts.
        DebtFactory(creditor=creditor, principal=0, interest=0, fees=0, stage=Stage.FIRM_NOTICE)
        DebtFactory(creditor=creditor, stage=Stage.PAID)
        DebtFactory(creditor=creditor, stage=Stage.WRITTEN_OFF)


def _rows(model, **where):
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    return sorted(model.objects.filter(**where).values_list(*fields), key=repr)


def _snapshot(as_of, month):
    return (
        _rows(AgingSnapshot, as_of=as_of),
        _rows(DebtMonthOpening, month=month),
        _rows(BucketTransition, month=month),
    )


def _sql_snapshot(as_of, month):
    """The SQL snapshots of the same state: the opening taken afresh, as on a first night."""
    DebtMonthOpening.objects.filter(month=month).delete()
    snapshots_write(as_of=as_of)
    return _snapshot(as_of, month)


def test_first_night_snapshots_from_the_frame_equal_the_sql_ones(collector, other_collector):
    as_of = D(2026, 6, 10)
    _portfolio(as_of, collector, other_collector)
    nightly_run(as_of=as_of)
    month = as_of.replace(day=1)
    from_frame = _snapshot(as_of, month)
    assert from_frame[0] and len(from_frame[1]) == 2 * len(DPDS) and from_frame[2]
    assert {row[-3] for row in from_frame[0]} >= {"current", "1-30", "360+"}
    assert Decimal("99999999999.99") in {row[-1] for row in from_frame[1]}
    assert from_frame == _sql_snapshot(as_of, month)


def test_month_end_opening_from_the_frame_equals_the_sql_one(collector, other_collector):
    as_of = D(2026, 6, 30)
    _portfolio(as_of, collector, other_collector)
    nightly_run(as_of=D(2026, 6, 20))  # June's opening already taken
    nightly_run(as_of=as_of)  # July's from the frame
    july = D(2026, 7, 1)
    from_frame = _rows(DebtMonthOpening, month=july)
    assert len(from_frame) == 2 * len(DPDS)
    DebtMonthOpening.objects.filter(month=july).delete()
    snapshots_write(as_of=as_of)
    assert _rows(DebtMonthOpening, month=july) == from_frame


def test_next_night_transitions_still_come_from_sql_and_match(collector, other_collector):
    as_of = D(2026, 6, 10)
    _portfolio(as_of, collector, other_collector)
    nightly_run(as_of=as_of)
    nightly_run(as_of=as_of + datetime.timedelta(days=1))
    day = as_of + datetime.timedelta(days=1)
    aging = _rows(AgingSnapshot, as_of=day)
    transitions = _rows(BucketTransition, month=as_of.replace(day=1))
    snapshots_write(as_of=day)
    assert _rows(AgingSnapshot, as_of=day) == aging
    assert _rows(BucketTransition, month=as_of.replace(day=1)) == transitions


def test_a_balance_too_large_for_exact_cents_falls_back_to_sql():
    frame = pd.DataFrame(
        {"balance": [1e11, 5.0], "new_segment_id": [1, 1], "bucket": ["current", "current"]}
    )
    assert not frame_usable(frame)
    assert frame_usable(frame.assign(balance=[99999999999.99, 5.0]))
    assert frame_usable(None) is False


def test_decimal_array_is_exact_cents():
    values = decimal_array(pd.Series([12345, -5, 0, 9_999_999_999_999]).to_numpy())
    assert [str(v) for v in values.to_pylist()] == ["123.45", "-0.05", "0.00", "99999999999.99"]
