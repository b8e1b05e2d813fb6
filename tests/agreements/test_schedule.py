"""The schedule is exact: Decimal cents, remainder on the last instalment, sum = agreed total."""

import datetime
import random
from decimal import Decimal

import pytest

from agreements.services.schedule import schedule_build, split_shares
from core.exceptions import ApplicationError


def test_remainder_goes_on_the_last_instalment():
    lines = schedule_build(
        agreed_total=Decimal("100.00"),
        down_payment=Decimal("0"),
        instalment_count=3,
        frequency="monthly",
        first_due_date=datetime.date(2026, 1, 31),
    )
    assert [line.amount for line in lines] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    # months are anchored on the first date: no drift to the 28th
    assert [line.due_date for line in lines] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
    ]


def test_down_payment_is_instalment_zero_and_the_rest_follows_a_period_later():
    lines = schedule_build(
        agreed_total=Decimal("1000.00"),
        down_payment=Decimal("100.00"),
        instalment_count=2,
        frequency="fortnightly",
        first_due_date=datetime.date(2026, 12, 1),
    )
    assert [(line.number, line.due_date, line.amount) for line in lines] == [
        (0, datetime.date(2026, 12, 1), Decimal("100.00")),
        (1, datetime.date(2026, 12, 15), Decimal("450.00")),
        (2, datetime.date(2026, 12, 29), Decimal("450.00")),
    ]


@pytest.mark.parametrize("seed", range(40))
def test_sum_is_always_the_agreed_total(seed):
    rng = random.Random(seed)
    for _ in range(50):
        total = Decimal(rng.randint(1, 10**11)) / 100
        count = rng.randint(1, 60)
        down = Decimal(rng.randint(0, int(total * 100) - 1)) / 100 if rng.random() < 0.5 else 0
        down = Decimal(down)
        if (total - down) / count < Decimal("0.01"):
            continue
        lines = schedule_build(
            agreed_total=total,
            down_payment=down,
            instalment_count=count,
            frequency=rng.choice(["weekly", "fortnightly", "monthly"]),
            first_due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 400)),
        )
        assert sum(line.amount for line in lines) == total
        assert all(line.amount > 0 and line.amount.as_tuple().exponent == -2 for line in lines)
        regular = [line.amount for line in lines if line.number > 0]
        assert len(regular) == count
        assert max(regular) - min(regular) < Decimal("0.01") * count
        dates = [line.due_date for line in lines]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)


@pytest.mark.parametrize("seed", range(20))
def test_debt_shares_add_up(seed):
    rng = random.Random(seed)
    balances = [Decimal(rng.randint(1, 10**9)) / 100 for _ in range(rng.randint(1, 5))]
    total = min(sum(balances), Decimal(rng.randint(1, 10**9)) / 100)
    assert sum(split_shares(total=total, balances=balances)) == total


def test_too_many_instalments_for_the_amount_is_refused():
    with pytest.raises(ApplicationError) as exc:
        schedule_build(
            agreed_total=Decimal("0.05"),
            down_payment=Decimal("0"),
            instalment_count=12,
            frequency="weekly",
            first_due_date=datetime.date(2026, 1, 1),
        )
    assert exc.value.field == "instalment_count"
