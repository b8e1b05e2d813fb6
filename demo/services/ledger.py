"""Debts and their payment histories for the demo, consistent with the default ladder.

Each debt is drawn from a *profile* (aging bucket + stage). The stage follows the default policy
of PRODUCT.md for its days past due (1, 16, 46, 91); a minority of 91+ debts stay `pre_legal`
because legal action needs a manager's approval. Payments are allocated fees, then interest,
then principal, exactly, so the ledger constraints hold by construction.

Amounts are whole currency units, the way collection statements usually show them.
"""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from core.money import quantize
from core.reasons import Reason
from demo import reasons
from portfolio.models import Product, Stage

# name, weight, days-past-due range (negative: due in the future), stage
PROFILES = [
    ("current", 18, (-30, 0), Stage.CURRENT),
    ("friendly", 10, (1, 15), Stage.FRIENDLY_REMINDER),
    ("firm_1_30", 6, (16, 30), Stage.FIRM_NOTICE),
    ("firm_31_60", 6, (31, 45), Stage.FIRM_NOTICE),
    ("pre_legal_31_60", 5, (46, 60), Stage.PRE_LEGAL),
    ("pre_legal_61_90", 8, (61, 90), Stage.PRE_LEGAL),
    ("legal_91_180", 7, (91, 180), Stage.LEGAL),
    ("awaiting_approval_91_180", 3, (91, 180), Stage.PRE_LEGAL),
    ("legal_181_360", 6, (181, 360), Stage.LEGAL),
    ("awaiting_approval_181_360", 2, (181, 360), Stage.PRE_LEGAL),
    ("legal_360_plus", 4, (361, 720), Stage.LEGAL),
    ("paid", 10, (5, 200), Stage.PAID),
    ("settled", 5, (120, 500), Stage.SETTLED),
    ("written_off", 6, (365, 900), Stage.WRITTEN_OFF),
]
PROFILE_WEIGHTS = [p[1] for p in PROFILES]
STAGE_ENTRY_DPD = {
    Stage.FRIENDLY_REMINDER: 1,
    Stage.FIRM_NOTICE: 16,
    Stage.PRE_LEGAL: 46,
    Stage.LEGAL: 91,
}

# Original amounts in US dollars (drawn log-uniformly), converted with a round demo rate.
PRODUCT_USD = {
    Product.CREDIT_CARD: (150, 6000),
    Product.PERSONAL_LOAN: (500, 12000),
    Product.AUTO_LOAN: (4000, 30000),
    Product.MORTGAGE: (30000, 150000),
    Product.MICROCREDIT: (60, 1500),
    Product.UTILITY: (20, 400),
    Product.RETAIL: (80, 1200),
}
# Monthly interest on arrears by product; utilities charge a late fee instead.
MONTHLY_RATE = {
    Product.CREDIT_CARD: Decimal("0.025"),
    Product.PERSONAL_LOAN: Decimal("0.018"),
    Product.AUTO_LOAN: Decimal("0.013"),
    Product.MORTGAGE: Decimal("0.010"),
    Product.MICROCREDIT: Decimal("0.040"),
    Product.UTILITY: Decimal("0"),
    Product.RETAIL: Decimal("0.020"),
}
FX = {"COP": 4000, "MXN": 18, "USD": 1}
ROUND_TO = {"COP": Decimal(1000), "MXN": Decimal(1), "USD": Decimal(1)}
COLLECTION_FEE = {"COP": Decimal(15000), "MXN": Decimal(350), "USD": Decimal(25)}
PAYMENT_METHODS = {
    "COP": ["pse", "pse", "bank_transfer", "cash"],
    "MXN": ["spei", "spei", "oxxo", "card"],
    "USD": ["card", "card", "direct_debit", "check"],
}
PAYMENT_SOURCES = ["file", "file", "portal", "api", "manual"]


@dataclass
class Ledger:
    """One debt's amounts, dates and payments, before it becomes model rows."""

    profile: str
    stage: str
    due_date: date
    opened_date: date
    original: Decimal
    principal: Decimal
    interest: Decimal
    fees: Decimal
    stage_entered_at: datetime | None
    payments: list = field(default_factory=list)  # (amount, fees, interest, principal, paid_at)
    # (from, to, transition, occurred_at, by a manager?, reason): the StageChange record
    changes: list = field(default_factory=list)

    @property
    def balance(self) -> Decimal:
        return self.principal + self.interest + self.fees


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _round(amount: Decimal, currency: str) -> Decimal:
    step = ROUND_TO[currency]
    return quantize(max(step, (amount / step).to_integral_value() * step))


def _whole(amount: Decimal) -> Decimal:
    return quantize(amount.to_integral_value())


def _allocate(ledger: Ledger, amount: Decimal, paid_at: datetime) -> None:
    """Apply a payment to fees, then interest, then principal (the ledger's rule)."""
    to_fees = min(amount, ledger.fees)
    to_interest = min(amount - to_fees, ledger.interest)
    to_principal = amount - to_fees - to_interest
    assert to_principal <= ledger.principal, "payment larger than the balance"
    ledger.fees -= to_fees
    ledger.interest -= to_interest
    ledger.principal -= to_principal
    ledger.payments.append((amount, to_fees, to_interest, to_principal, paid_at))


def _payment_days(rng, start: date, end: date, count: int) -> list[date]:
    span = max(0, (end - start).days)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))


def make_ledger(rng, *, profile_index: int, product: str, currency: str, as_of: date) -> Ledger:
    """Amounts, due date, stage and payments for one debt of the given profile."""
    name, _weight, (low, high), stage = PROFILES[profile_index]
    dpd = rng.randint(low, high)
    due_date = as_of - timedelta(days=dpd)
    opened_date = due_date - timedelta(days=rng.randint(90, 1500))
    usd_low, usd_high = PRODUCT_USD[product]
    usd = math.exp(rng.uniform(math.log(usd_low), math.log(usd_high)))
    original = _round(Decimal(str(round(usd * FX[currency], 2))), currency)

    # What was owed before any of the payments below.
    amortised = Decimal(1) if product in ("credit_card", "utility", "retail") else None
    share = amortised or Decimal(rng.randint(35, 100)) / 100
    principal = _whole(original * share)
    months = Decimal(min(18, max(0, dpd) / 30))
    interest = _whole(principal * MONTHLY_RATE[product] * months)
    # Collection fees grow each month in arrears but stay within 15% of the principal, as
    # Colombian and Mexican rules on "gastos de cobranza" expect.
    fee_cap = _whole(principal * Decimal("0.15"))
    fees = min(COLLECTION_FEE[currency] * min(6, 1 + max(0, dpd) // 30), fee_cap)
    fees = fees if dpd >= 1 else Decimal(0)
    ledger = Ledger(name, stage, due_date, opened_date, original, principal, interest, fees, None)

    yesterday = as_of - timedelta(days=1)
    method_days_from = max(due_date, as_of - timedelta(days=720))
    if stage in (Stage.PAID, Stage.SETTLED):
        owed = ledger.balance
        target = owed if stage == Stage.PAID else _round(owed * rng.randint(55, 85) / 100, currency)
        target = min(target, owed)
        count = rng.choice((1, 1, 2, 3))
        days = _payment_days(rng, due_date - timedelta(days=5), yesterday, count)
        paid = Decimal(0)
        for i, day in enumerate(days):
            last = i == count - 1
            amount = target - paid if last else _round(target / count, currency)
            amount = min(amount, target - paid)
            if amount > 0:
                _allocate(ledger, amount, at(day, rng.randint(8, 20)))
                paid += amount
        # A settlement forgives whatever the agreed amount did not cover.
        ledger.principal = ledger.interest = ledger.fees = Decimal(0)
        last_paid = ledger.payments[-1][4] if ledger.payments else at(yesterday)
        ledger.stage_entered_at = last_paid
        _record_changes(ledger)
        return ledger

    # Open (or written off) debts: sometimes a partial payment history, never the whole balance.
    chance = 0.2 if stage == Stage.CURRENT else 0.35
    if rng.random() < chance:
        start = as_of - timedelta(days=60) if dpd <= 1 else method_days_from + timedelta(days=1)
        for day in _payment_days(rng, start, yesterday, rng.choice((1, 1, 2, 3))):
            amount = _round(ledger.balance * rng.randint(5, 25) / 100, currency)
            if Decimal(0) < amount < ledger.balance:
                _allocate(ledger, amount, at(day, rng.randint(8, 20)))
    if stage == Stage.CURRENT:
        ledger.stage_entered_at = at(opened_date)
    elif stage == Stage.WRITTEN_OFF:
        ledger.stage_entered_at = at(
            min(yesterday, due_date + timedelta(days=rng.randint(180, 360)))
        )
    else:
        entry = STAGE_ENTRY_DPD[stage]
        if stage == Stage.LEGAL:  # the manager's approval comes some days after DPD 91
            entry += rng.randint(0, min(20, dpd - 91))
        ledger.stage_entered_at = at(due_date + timedelta(days=entry), 6)
    _record_changes(ledger)
    return ledger


LADDER_STEPS = [
    (1, Stage.FRIENDLY_REMINDER, "start_friendly_reminders"),
    (16, Stage.FIRM_NOTICE, "send_firm_notice"),
    (46, Stage.PRE_LEGAL, "move_to_pre_legal"),
]
CLOSING = {
    Stage.PAID: ("mark_paid", False, reasons.PAID_IN_FULL),
    Stage.SETTLED: ("settle", True, reasons.SETTLED),
    Stage.WRITTEN_OFF: ("write_off", True, reasons.WRITTEN_OFF),
    Stage.LEGAL: ("escalate_to_legal", True, reasons.TO_LEGAL),
}


def _record_changes(ledger: Ledger) -> None:
    """The path the debt took up the ladder to its stage, as the daily cycle would have left it."""
    if ledger.stage == Stage.CURRENT:
        return
    end = ledger.stage_entered_at
    stage = Stage.CURRENT
    for dpd, target, transition in LADDER_STEPS:
        when = at(ledger.due_date + timedelta(days=dpd), 6)
        if when > end or (when == end and target != ledger.stage):
            break
        reason = Reason(reasons.DPD_POLICY, {"dpd": dpd})
        ledger.changes.append((stage, target, transition, when, False, reason))
        stage = target
    if ledger.stage != stage:
        transition, by_manager, code = CLOSING[ledger.stage]
        ledger.changes.append((stage, ledger.stage, transition, end, by_manager, Reason(code)))


def payment_method(rng, currency: str) -> str:
    return rng.choice(PAYMENT_METHODS[currency])


def payment_source(rng) -> str:
    return rng.choice(PAYMENT_SOURCES)
