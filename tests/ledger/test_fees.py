"""Collection fees: disclosed before the stage, for real work only, never on CO housing loans at
pre-legal, once per debt and stage."""

import datetime
from decimal import Decimal

import pytest

from collections_app.services.fees import fees_charge
from ledger.models import EntryKind, LedgerEntry
from portfolio.models import Debt, Stage
from tests.factories.ledger import FeeRuleFactory
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2026, 6, 10)
WORKED = D(2026, 6, 2)
ENTERED = D(2026, 6, 1)


def _debt(creditor, *, country="CO", stage=Stage.FIRM_NOTICE, **fields):
    values = {
        "product": "personal_loan", "principal": Decimal("1000000.00"),
        "interest": Decimal("200000.00"), "fees": Decimal("0"), "due_date": D(2026, 3, 1),
    }  # fmt: skip
    values.update(fields)
    values["balance"] = values["principal"] + values["interest"] + values["fees"]
    debtor = DebtorFactory(creditor=creditor, country=country)
    return DebtFactory(
        creditor=creditor, debtor=debtor, stage=stage, stage_entered_on=ENTERED, **values
    )


def _worked(debt, *, status="sent", stage=None, business_date=WORKED):
    return make_message(
        debt=debt, stage=stage or debt.stage, status=status, business_date=business_date
    )


def _fee(debt):
    return LedgerEntry.objects.filter(debt=debt, kind=EntryKind.FEE).first()


@pytest.fixture
def bank():
    return CreditorFactory(country="CO")


def test_a_disclosed_fee_for_real_work_is_charged_once(bank):
    # Given a 10 % firm-notice fee disclosed before the debt entered the stage, and a sent notice
    FeeRuleFactory(creditor=bank, stage=Stage.FIRM_NOTICE, percent=Decimal("10"),
                   disclosed_on=D(2026, 5, 1))  # fmt: skip
    debt = _debt(bank)
    _worked(debt)

    # When fees are charged (twice: a rerun of the day)
    assert fees_charge(as_of=DAY) == 1
    assert fees_charge(as_of=DAY + datetime.timedelta(days=1)) == 0

    # Then one fee of 10 % of principal and interest, in the fees component
    entry = _fee(debt)
    assert (entry.fees, entry.amount, entry.principal, entry.interest) == (
        Decimal("120000.00"), Decimal("120000.00"), 0, 0,
    )  # fmt: skip
    assert entry.stage == Stage.FIRM_NOTICE and entry.posted_on == DAY
    debt.refresh_from_db()
    assert debt.fees == Decimal("120000.00")
    assert debt.balance == Decimal("1320000.00")


def test_the_fee_is_capped_at_its_maximum(bank):
    FeeRuleFactory(creditor=bank, stage=Stage.FIRM_NOTICE, percent=Decimal("10"),
                   max_amount=Decimal("50000"), disclosed_on=D(2026, 5, 1))  # fmt: skip
    debt = _worked(_debt(bank)).covered.get().debt

    fees_charge(as_of=DAY)

    assert _fee(debt).fees == Decimal("50000.00")


def test_no_fee_when_disclosed_after_the_debt_entered_the_stage(bank):
    day_after = ENTERED + datetime.timedelta(days=1)
    FeeRuleFactory(creditor=bank, stage=Stage.FIRM_NOTICE, disclosed_on=day_after)
    debt = _debt(bank)
    _worked(debt)

    assert fees_charge(as_of=DAY) == 0
    assert _fee(debt) is None


def test_no_fee_without_real_work_in_the_stage(bank):
    FeeRuleFactory(creditor=bank, stage=Stage.FIRM_NOTICE, disclosed_on=D(2026, 5, 1))
    planned_only = _debt(bank)
    _worked(planned_only, status="planned")
    suppressed = _debt(bank)
    _worked(suppressed, status="failed")
    earlier_stage = _debt(bank)
    _worked(earlier_stage, stage=Stage.FRIENDLY_REMINDER)
    before_entering = _debt(bank)
    _worked(before_entering, business_date=ENTERED - datetime.timedelta(days=3))
    delivered = _debt(bank)
    _worked(delivered, status="delivered")

    assert fees_charge(as_of=DAY) == 1
    assert set(LedgerEntry.objects.values_list("debt_id", flat=True)) == {delivered.pk}


def test_never_on_a_colombian_housing_loan_at_pre_legal(bank):
    FeeRuleFactory(creditor=bank, country="CO", stage=Stage.PRE_LEGAL, disclosed_on=D(2026, 5, 1))
    FeeRuleFactory(creditor=bank, country="MX", stage=Stage.PRE_LEGAL, disclosed_on=D(2026, 5, 1))
    housing = _debt(bank, stage=Stage.PRE_LEGAL, product="mortgage")
    loan = _debt(bank, stage=Stage.PRE_LEGAL)
    mexican_housing = _debt(bank, country="MX", stage=Stage.PRE_LEGAL, product="mortgage")
    for debt in (housing, loan, mexican_housing):
        _worked(debt)

    fees_charge(as_of=DAY)

    charged = set(LedgerEntry.objects.values_list("debt_id", flat=True))
    assert charged == {loan.pk, mexican_housing.pk}
    assert Debt.objects.get(pk=housing.pk).fees == 0


def test_an_inactive_rule_or_another_country_charges_nothing(bank):
    FeeRuleFactory(creditor=bank, stage=Stage.FIRM_NOTICE, disclosed_on=D(2026, 5, 1),
                   is_active=False)  # fmt: skip
    FeeRuleFactory(creditor=bank, country="US", stage=Stage.FIRM_NOTICE, disclosed_on=D(2026, 5, 1))
    debt = _debt(bank)
    _worked(debt)

    assert fees_charge(as_of=DAY) == 0
