"""Late interest over 120 days against a hand computation (Decimal arithmetic, not the SQL).

2028-01-16 → 2028-05-14 (120 business dates) crosses a leap February, every kind of month end
(the 30E/360 count adds nothing on the 31st and fills February up to 30 days on its last day),
a rate change mid-period (a second AccrualRule version), the usury cap (a contract rate above
the certified usury rate) and a usury rate that changes between two certified periods.
"""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from ledger.models import EntryKind, LedgerEntry
from ledger.services.accrual import accrual_run
from portfolio.models import Debt, Stage
from tests.factories.ledger import AccrualRuleFactory, LedgerSettingsFactory, UsuryRateFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2028, 1, 16), D(2028, 5, 14)
CENT = Decimal("0.01")

# The certified usury rates (% E.A.): one per quarter, the second lower than the first.
USURY = [(D(2028, 1, 1), D(2028, 3, 31), Decimal("28.0000")),
         (D(2028, 4, 1), D(2028, 6, 30), Decimal("25.5000"))]  # fmt: skip


def _days(day: D) -> list[D]:
    return [day + datetime.timedelta(days=n) for n in range((END - day).days + 1)]


def _usury(day: D) -> Decimal:
    return next(rate for start, end, rate in USURY if start <= day <= end)


def _thirty_e(day: D) -> int:
    """30E/360 (ISDA) days from the day before to `day`, by the definition: D1 and D2 of 31 or
    the last day of February become 30, days = 360·ΔY + 30·ΔM + ΔD."""
    before = day - datetime.timedelta(days=1)

    def d(x: D) -> int:
        last = calendar.monthrange(x.year, x.month)[1]
        return 30 if x.day == 31 or (x.month == 2 and x.day == last) else x.day

    return 360 * (day.year - before.year) + 30 * (day.month - before.month) + d(day) - d(before)


def _daily(principal, rate, *, basis, day_count, day) -> Decimal:
    """One day of interest on `principal` at `rate` % a year, rounded half-up to cents."""
    if day_count == "act_365":
        days, year = 1, 365
    elif day_count == "act_360":
        days, year = 1, 360
    elif day_count == "act_act":
        days, year = 1, 366 if calendar.isleap(day.year) else 365
    else:
        days, year = _thirty_e(day), 360
    with localcontext() as ctx:
        ctx.prec = 60
        r = rate / Decimal(100)
        if basis == "effective_annual":
            factor = (1 + r) ** (Decimal(days) / Decimal(year)) - 1
        else:
            factor = r * Decimal(days) / Decimal(year)
        return (principal * factor).quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def book():
    """Two creditors, their rules and ceilings, one debt per case."""
    for start, end, usury in USURY:
        UsuryRateFactory(
            valid_from=start, valid_to=end, bank_current_rate=usury / Decimal("1.5"),
            usury_rate=usury,
        )  # fmt: skip
    bank = CreditorFactory(country="CO")
    # Cards: 20 % nominal on 30E/360, then from 15 March 26 % (above April's usury rate).
    AccrualRuleFactory(creditor=bank, product="credit_card", valid_from=D(2028, 1, 1),
                       annual_rate=Decimal("20"), rate_basis="nominal_annual",
                       day_count="30e_360")  # fmt: skip
    AccrualRuleFactory(creditor=bank, product="credit_card", valid_from=D(2028, 3, 15),
                       annual_rate=Decimal("26"), rate_basis="nominal_annual",
                       day_count="30e_360")  # fmt: skip
    # Loans: 24 % E.A. actual/actual with 10 grace days; the debt's contract says 30 %.
    AccrualRuleFactory(creditor=bank, product="personal_loan", valid_from=D(2027, 6, 1),
                       annual_rate=Decimal("24"), rate_basis="effective_annual",
                       day_count="act_act", grace_days=10)  # fmt: skip
    fintech = CreditorFactory(country="MX")
    LedgerSettingsFactory(
        creditor=fintech, country="MX", application_order="fees_interest_principal",
        max_late_rate=Decimal("40"),
    )  # fmt: skip
    AccrualRuleFactory(creditor=fintech, product="microcredit", valid_from=D(2028, 1, 1),
                       annual_rate=Decimal("35"), rate_basis="nominal_annual",
                       day_count="act_360")  # fmt: skip

    def debt(creditor, country, **fields):
        debtor = DebtorFactory(creditor=creditor, country=country)
        values = {"interest": Decimal(0), "fees": Decimal(0), "stage": Stage.FIRM_NOTICE}
        values.update(fields)
        values["balance"] = values["principal"] + values["interest"] + values["fees"]
        return DebtFactory(creditor=creditor, debtor=debtor, **values)

    return {
        "card": debt(bank, "CO", product="credit_card", principal=Decimal("10000000.00"),
                     due_date=D(2027, 12, 20)),
        "loan": debt(bank, "CO", product="personal_loan", principal=Decimal("7350123.45"),
                     due_date=D(2028, 1, 10), contract_rate=Decimal("30")),
        "micro": debt(fintech, "MX", product="microcredit", principal=Decimal("18765.43"),
                      currency="MXN", due_date=D(2027, 11, 2), contract_rate=Decimal("45")),
    }  # fmt: skip


def _expected_card(day: D) -> tuple[Decimal, Decimal]:
    rule_rate = Decimal("26") if day >= D(2028, 3, 15) else Decimal("20")
    rate = min(rule_rate, _usury(day))
    amount = _daily(
        Decimal("10000000.00"), rate, basis="nominal_annual", day_count="30e_360", day=day
    )
    return amount, rate


def _expected_loan(day: D) -> tuple[Decimal, Decimal]:
    if day <= D(2028, 1, 10) + datetime.timedelta(days=10):  # within the grace days
        return Decimal(0), Decimal(0)
    rate = min(Decimal("30"), _usury(day))
    amount = _daily(
        Decimal("7350123.45"), rate, basis="effective_annual", day_count="act_act", day=day
    )
    return amount, rate


def _expected_micro(day: D) -> tuple[Decimal, Decimal]:
    rate = Decimal("40")  # the contract's 45 % cut to the creditor's maximum
    amount = _daily(Decimal("18765.43"), rate, basis="nominal_annual", day_count="act_360", day=day)
    return amount, rate


def test_120_days_of_accrual_equal_the_hand_computation(book):
    # When the accrual runs for each of the 120 business dates
    written = sum(accrual_run(as_of=day, chunk=2) for day in _days(START))

    # Then each debt's interest is the sum of its days computed by hand
    expected = {"card": _expected_card, "loan": _expected_loan, "micro": _expected_micro}
    total_entries = 0
    for name, compute in expected.items():
        debt = Debt.objects.get(pk=book[name].pk)
        by_day = {day: compute(day) for day in _days(START)}
        hand_total = sum(amount for amount, _rate in by_day.values())
        assert debt.interest == hand_total, name
        assert debt.balance == debt.principal + hand_total, name
        entries = {
            e.posted_on: e for e in LedgerEntry.objects.filter(debt=debt, kind=EntryKind.ACCRUAL)
        }
        accruing = {day: v for day, v in by_day.items() if v[0] > 0}
        assert set(entries) == set(accruing), name
        for day, (amount, rate) in accruing.items():
            assert entries[day].interest == amount == entries[day].amount, (name, day)
            assert entries[day].rate == rate, (name, day)
            assert entries[day].principal == 0 and entries[day].fees == 0
        total_entries += len(entries)
    assert written == total_entries


def test_the_30e_360_month_ends_and_the_leap_february(book):
    accrual_run(as_of=D(2028, 1, 30))
    for day in (D(2028, 1, 31), D(2028, 2, 28), D(2028, 2, 29), D(2028, 3, 1), D(2028, 3, 31)):
        accrual_run(as_of=day)
    card = {e.posted_on: e.interest for e in LedgerEntry.objects.filter(debt=book["card"])}

    # One day of 20 % a year on 10 M over 360 days is 5,555.56; the 31st adds no day and the
    # leap year's 29 February fills February up to 30 days with 2.
    assert card[D(2028, 1, 30)] == Decimal("5555.56")
    assert D(2028, 1, 31) not in card and D(2028, 3, 31) not in card
    assert card[D(2028, 2, 28)] == Decimal("5555.56")
    assert card[D(2028, 2, 29)] == Decimal("11111.11")
    assert card[D(2028, 3, 1)] == Decimal("5555.56")


def test_rate_change_and_usury_cap_are_recorded_on_the_entries(book):
    for day in (D(2028, 3, 14), D(2028, 3, 15), D(2028, 4, 1)):
        accrual_run(as_of=day)
    card = {e.posted_on: e for e in LedgerEntry.objects.filter(debt=book["card"])}
    loan = {e.posted_on: e for e in LedgerEntry.objects.filter(debt=book["loan"])}

    # The second rule version applies from its valid_from; April's lower usury rate cuts it.
    assert (card[D(2028, 3, 14)].rate, card[D(2028, 3, 14)].rate_capped) == (Decimal(20), False)
    assert (card[D(2028, 3, 15)].rate, card[D(2028, 3, 15)].rate_capped) == (Decimal(26), False)
    assert (card[D(2028, 4, 1)].rate, card[D(2028, 4, 1)].rate_capped) == (Decimal("25.5"), True)
    # The loan's 30 % contract rate is always above the usury rate of the day.
    assert [loan[d].rate for d in sorted(loan)] == [Decimal(28), Decimal(28), Decimal("25.5")]
    assert all(e.rate_capped for e in loan.values())
    assert card[D(2028, 4, 1)].stage == Stage.FIRM_NOTICE
    assert card[D(2028, 4, 1)].days_past_due == (D(2028, 4, 1) - D(2027, 12, 20)).days


def test_leap_year_act_act_uses_366_days(book):
    accrual_run(as_of=D(2028, 2, 1))
    entry = LedgerEntry.objects.get(debt=book["loan"], posted_on=D(2028, 2, 1))
    # 1.28 ** (1/366) - 1 on 7,350,123.45 (the contract's 30 % capped at the usury 28 %)
    assert entry.interest == Decimal("4959.19")
