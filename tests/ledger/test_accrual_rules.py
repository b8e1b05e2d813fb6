"""Which debts accrue on a date, replays, frozen agreements, the command and the daily cycle."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from agreements.models import AgreementDebt, PaymentAgreement
from collections_app.services.cycle import cycle_run
from ledger.models import EntryKind, LedgerEntry
from ledger.services.accrual import _chunk_starts, accrual_run, thirty_e_360_days
from portfolio.models import Debt, Stage
from tests.factories.ledger import AccrualRuleFactory, LedgerSettingsFactory, UsuryRateFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2026, 6, 10)


@pytest.fixture
def bank():
    creditor = CreditorFactory(country="CO")
    AccrualRuleFactory(creditor=creditor, product="personal_loan", valid_from=D(2026, 1, 1),
                       annual_rate=Decimal("24"), day_count="act_365")  # fmt: skip
    UsuryRateFactory(valid_from=D(2026, 6, 1), valid_to=D(2026, 6, 30),
                     bank_current_rate=Decimal("18"), usury_rate=Decimal("27"))  # fmt: skip
    return creditor


def _debt(creditor, *, country="CO", **fields):
    values = {
        "product": "personal_loan", "principal": Decimal("1000000.00"),
        "interest": Decimal("0"), "fees": Decimal("0"), "due_date": D(2026, 5, 1),
        "stage": Stage.FIRM_NOTICE,
    }  # fmt: skip
    values.update(fields)
    values["balance"] = values["principal"] + values["interest"] + values["fees"]
    debtor = DebtorFactory(creditor=creditor, country=country)
    return DebtFactory(creditor=creditor, debtor=debtor, **values)


def _accrued(debt) -> Decimal:
    return Debt.objects.get(pk=debt.pk).interest


def _agreement(debt, *, frozen, status="active", ended_on=None):
    activated_on = D(2026, 6, 1)
    agreement = PaymentAgreement.objects.create(
        creditor=debt.creditor, debtor=debt.debtor, kind="instalment_plan", currency="COP",
        balance_at_start=debt.balance, discount_amount=0, discount_pct=0,
        agreed_total=debt.balance, instalment_count=3, frequency="monthly",
        first_due_date=activated_on, channel="phone", proposed_on=activated_on,
        accrual_frozen=frozen,
    )  # fmt: skip
    PaymentAgreement.objects.filter(pk=agreement.pk).update(
        status=status, activated_on=activated_on, ended_on=ended_on
    )
    AgreementDebt.objects.create(
        agreement=agreement, debt=debt, stage_at_start=debt.stage, balance_at_start=debt.balance,
        share=debt.balance, is_open=status == "active",
    )  # fmt: skip
    return agreement


def test_replaying_a_date_writes_nothing_and_adds_nothing(bank):
    debt = _debt(bank)
    assert accrual_run(as_of=DAY) == 1
    once = _accrued(debt)
    assert once == Decimal("589.52")  # 1.24 ** (1/365) - 1 on 1,000,000

    # When the same date is replayed (the cycle rerun, or the command)
    assert accrual_run(as_of=DAY) == 0

    # Then nothing more is owed and there is still one entry
    assert _accrued(debt) == once
    assert LedgerEntry.objects.filter(debt=debt, kind=EntryKind.ACCRUAL).count() == 1


def test_closed_debts_and_debts_with_no_principal_do_not_accrue_but_legal_does(bank):
    closed = [_debt(bank, stage=stage, principal=Decimal(0)) for stage in
              (Stage.PAID, Stage.SETTLED)]  # fmt: skip
    written_off = _debt(bank, stage=Stage.WRITTEN_OFF)
    interest_only = _debt(bank, principal=Decimal(0), interest=Decimal("5000"))
    legal = _debt(bank, stage=Stage.LEGAL)

    accrual_run(as_of=DAY)

    assert LedgerEntry.objects.filter(debt__in=[*closed, written_off, interest_only]).count() == 0
    assert _accrued(written_off) == 0 and _accrued(interest_only) == Decimal("5000")
    assert _accrued(legal) > 0


def test_grace_days_rule_validity_and_an_inactive_version(bank):
    AccrualRuleFactory(creditor=bank, product="auto_loan", valid_from=D(2026, 1, 1),
                       grace_days=15)  # fmt: skip
    AccrualRuleFactory(creditor=bank, product="credit_card", valid_from=D(2026, 1, 1))
    AccrualRuleFactory(creditor=bank, product="credit_card", valid_from=D(2026, 6, 5),
                       is_active=False)  # fmt: skip
    AccrualRuleFactory(creditor=bank, product="microcredit", valid_from=D(2026, 7, 1))
    in_grace = _debt(bank, product="auto_loan", due_date=DAY - datetime.timedelta(days=15))
    past_grace = _debt(bank, product="auto_loan", due_date=DAY - datetime.timedelta(days=16))
    stopped = _debt(bank, product="credit_card")
    future_rule = _debt(bank, product="microcredit")
    no_rule = _debt(bank, product="utility")

    accrual_run(as_of=DAY)

    accrued = set(LedgerEntry.objects.values_list("debt_id", flat=True))
    assert past_grace.pk in accrued
    assert not accrued & {in_grace.pk, stopped.pk, future_rule.pk, no_rule.pk}


def test_no_certified_usury_rate_means_no_colombian_accrual(bank):
    # Given a day no certified rate covers (the June rate ends on the 30th)
    colombian = _debt(bank)
    mexican = _debt(bank, country="MX")

    accrual_run(as_of=D(2026, 7, 1))

    # Then the Colombian debt waits (its ceiling cannot be checked); the Mexican one accrues
    assert _accrued(colombian) == 0
    assert _accrued(mexican) > 0


def test_the_creditor_maximum_caps_colombia_below_usury_and_other_countries(bank):
    LedgerSettingsFactory(creditor=bank, country="CO", max_late_rate=Decimal("20"))
    LedgerSettingsFactory(creditor=bank, country="US", application_order="fees_interest_principal",
                          max_late_rate=Decimal("10"))  # fmt: skip
    colombian = _debt(bank, contract_rate=Decimal("26"))
    american = _debt(bank, country="US")
    mexican = _debt(bank, country="MX", contract_rate=Decimal("99"))  # no maximum set

    accrual_run(as_of=DAY)

    rates = dict(LedgerEntry.objects.values_list("debt_id", "rate"))
    capped = dict(LedgerEntry.objects.values_list("debt_id", "rate_capped"))
    assert rates[colombian.pk] == Decimal(20) and capped[colombian.pk]
    assert rates[american.pk] == Decimal(10) and capped[american.pk]
    assert rates[mexican.pk] == Decimal(99) and not capped[mexican.pk]


def test_an_agreement_freezes_accrual_as_its_terms_say(bank):
    frozen = _debt(bank)
    _agreement(frozen, frozen=True)
    not_frozen = _debt(bank)
    _agreement(not_frozen, frozen=False)
    broken_later = _debt(bank)
    _agreement(broken_later, frozen=True, status="broken", ended_on=D(2026, 6, 20))
    broken_before = _debt(bank)
    _agreement(broken_before, frozen=True, status="broken", ended_on=D(2026, 6, 5))

    accrual_run(as_of=DAY)

    accrued = set(LedgerEntry.objects.values_list("debt_id", flat=True))
    # Frozen while active (a replayed date reads an agreement broken later as active then)
    assert accrued == {not_frozen.pk, broken_before.pk}


def test_creditor_filter_and_chunks(bank):
    other = CreditorFactory(country="CO")
    AccrualRuleFactory(creditor=other, product="personal_loan", valid_from=D(2026, 1, 1))
    mine = [_debt(bank) for _ in range(5)]
    theirs = _debt(other)

    assert accrual_run(as_of=DAY, creditor_ids=[bank.pk], chunk=2) == 5

    assert set(LedgerEntry.objects.values_list("debt_id", flat=True)) == {d.pk for d in mine}
    assert _accrued(theirs) == 0


def test_debts_without_a_rule_in_force_are_not_chunked(bank, django_assert_num_queries):
    # Given open past-due debts of a product no rule covers, and one whose rule starts later
    uncovered = [_debt(bank, product="utility") for _ in range(3)]
    later = CreditorFactory(country="CO")
    tomorrow = DAY + datetime.timedelta(days=1)
    AccrualRuleFactory(creditor=later, product="personal_loan", valid_from=tomorrow)
    not_yet = _debt(later)

    # Then the day's accrual numbers none of them: one statement, no chunk run
    with django_assert_num_queries(1):
        assert accrual_run(as_of=DAY, chunk=1) == 0

    # And beside a covered debt, the chunks start only at covered ones
    covered = [_debt(bank) for _ in range(2)]
    assert _chunk_starts(as_of=DAY, creditor_ids=None, chunk=1) == [d.pk for d in covered]
    assert accrual_run(as_of=DAY, chunk=1) == 2
    accrued = set(LedgerEntry.objects.values_list("debt_id", flat=True))
    assert accrued == {d.pk for d in covered}
    assert not accrued & {d.pk for d in [*uncovered, not_yet]}


def test_accrue_command(bank, capsys):
    debt = _debt(bank)
    call_command("accrue", "--as-of", DAY.isoformat(), "--creditor", bank.code)
    assert f"{DAY}: 1 accrual entries written" in capsys.readouterr().out
    assert _accrued(debt) > 0


def test_thirty_e_360_days():
    days = (D(2026, 1, 31), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 28), D(2028, 2, 29),
            D(2026, 3, 1), D(2026, 4, 30), D(2026, 5, 1))  # fmt: skip
    assert [thirty_e_360_days(d) for d in days] == [0, 3, 3, 1, 2, 1, 1, 1]


def test_the_daily_cycle_accrues_its_business_date_once(bank):
    debt = _debt(bank)

    cycle_run(as_of=DAY)
    cycle_run(as_of=DAY)  # a rerun of the same date
    cycle_run(as_of=DAY + datetime.timedelta(days=1))

    days = list(
        LedgerEntry.objects.filter(debt=debt, kind=EntryKind.ACCRUAL)
        .order_by("posted_on")
        .values_list("posted_on", flat=True)
    )
    assert days == [DAY, DAY + datetime.timedelta(days=1)]
