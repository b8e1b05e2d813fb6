"""Remittance: the statement equals the ledger, commission by stage and by age bucket, reversals
carried into the next period, entries remitted once, void, refused periods, rates."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from core.exceptions import ApplicationError
from core.money import format_money
from ledger.models import EntryKind, LedgerEntry, RemittanceLine, RemittanceStatus
from ledger.selectors.remittance import lines_without_rate, remittance_lines
from ledger.services.remittance import (
    commission_for,
    commission_rate_create,
    remittance_issue,
    remittance_prepare,
    remittance_void,
)
from ledger.statements import remittance_csv, remittance_pdf
from portfolio.models import Stage
from tests.factories.ledger import CommissionRateFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory
from tests.ledger.remittance_helpers import AS_OF, NOV, pay, reverse, set_stage

pytestmark = pytest.mark.django_db

D = datetime.date
JAN = D(2026, 1, 1)


def prepare(creditor, user, start=NOV[0], end=NOV[1], currency="COP"):
    return remittance_prepare(
        creditor=creditor,
        currency=currency,
        period_start=start,
        period_end=end,
        user=user,
        as_of=AS_OF,
    )


def stage_rates(creditor, valid_from=JAN, **percents):
    for stage, percent in percents.items():
        CommissionRateFactory(
            creditor=creditor, basis="stage", stage=stage, percent=Decimal(percent),
            valid_from=valid_from,
        )  # fmt: skip


def test_remittance_totals_equal_the_ledger(creditor, manager):
    # Given rates by stage, payments on two debts, a recovery and a reversal in November
    stage_rates(creditor, friendly_reminder="10", firm_notice="15", written_off="25")
    friendly = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    firm = DebtFactory(creditor=creditor, stage=Stage.FIRM_NOTICE)
    written_off = DebtFactory(creditor=creditor, stage=Stage.WRITTEN_OFF)
    pay(friendly, "100000.00", D(2026, 11, 3))
    bounced = pay(friendly, "50000.00", D(2026, 11, 4))
    pay(firm, "200000.00", D(2026, 11, 10))
    pay(written_off, "40000.00", D(2026, 11, 12))
    reverse(bounced, D(2026, 11, 20))
    # and money outside the statement: another month, another currency, another creditor
    pay(firm, "1000.00", D(2026, 10, 31))
    pay(DebtFactory(creditor=creditor, currency="USD", stage=Stage.FIRM_NOTICE), "10.00",
        D(2026, 11, 10))  # fmt: skip
    pay(DebtFactory(stage=Stage.FIRM_NOTICE), "7000.00", D(2026, 11, 10))

    # When the November statement is prepared
    remittance = prepare(creditor, manager)

    # Then its lines are exactly the ledger's entries of the period, and its totals their sums
    entries = LedgerEntry.objects.filter(
        creditor=creditor, currency="COP", posted_on__range=NOV,
        kind__in=[EntryKind.PAYMENT, EntryKind.RECOVERY, EntryKind.REVERSAL],
    )  # fmt: skip
    lines = RemittanceLine.objects.filter(remittance=remittance)
    assert sorted(lines.values_list("entry_id", flat=True)) == sorted(e.pk for e in entries)
    collected = -sum(e.amount for e in entries if e.kind != EntryKind.REVERSAL)
    reversed_ = sum(e.amount for e in entries if e.kind == EntryKind.REVERSAL)
    assert remittance.collected == collected == Decimal("390000.00")
    assert remittance.reversed == reversed_ == Decimal("50000.00")
    # 10 % of 100,000 and 50,000 (taken back by the reversal), 15 % of 200,000, 25 % of 40,000
    assert remittance.commission == Decimal("10000.00") + Decimal("30000.00") + Decimal("10000.00")
    assert remittance.commission == sum(line.commission for line in lines)
    assert remittance.net == Decimal("390000.00") - Decimal("50000.00") - Decimal("50000.00")
    assert {line.kind for line in lines} == {"payment", "recovery", "reversal"}
    reversal = lines.get(kind="reversal")
    assert (reversal.amount, reversal.percent, reversal.commission) == (
        Decimal("-50000.00"), Decimal("10.00"), Decimal("-5000.00"),
    )  # fmt: skip
    assert remittance.status == RemittanceStatus.DRAFT
    assert remittance.created_by == manager


def test_commission_by_stage_with_a_rate_change_mid_period(creditor, manager):
    # Given 10 % on friendly reminders from January, 12 % from 15 November
    stage_rates(creditor, friendly_reminder="10")
    stage_rates(creditor, valid_from=D(2026, 11, 15), friendly_reminder="12")
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    pay(debt, "100000.00", D(2026, 11, 14))
    pay(debt, "100000.00", D(2026, 11, 15))

    remittance = prepare(creditor, manager)

    lines = list(remittance.lines.order_by("posted_on"))
    assert [line.percent for line in lines] == [Decimal("10.00"), Decimal("12.00")]
    assert remittance.commission == Decimal("22000.00")
    # commission_for applies the same rule to the entries themselves
    found = commission_for(LedgerEntry.objects.filter(creditor=creditor))
    assert sorted(c.percent for c in found.values()) == [Decimal("10.00"), Decimal("12.00")]


def test_commission_by_age_bucket_with_a_rate_change_mid_period(creditor, manager):
    # Given buckets of days past due from January, and from 15 November only 31+ days
    for low, high, percent in ((0, 30, "5"), (31, 90, "10"), (91, None, "20")):
        commission_rate_create(
            creditor=creditor, basis="age", min_dpd=low, max_dpd=high,
            percent=percent, valid_from=JAN, user=manager,
        )  # fmt: skip
    commission_rate_create(
        creditor=creditor, basis="age", min_dpd=31, percent="8",
        valid_from=D(2026, 11, 15), user=manager,
    )  # fmt: skip
    young = DebtFactory(creditor=creditor, due_date=D(2026, 10, 25))  # 10 days on 4 Nov
    old = DebtFactory(creditor=creditor, due_date=D(2026, 7, 1))  # 126 days on 4 Nov
    pay(young, "100000.00", D(2026, 11, 4))
    pay(old, "100000.00", D(2026, 11, 4))
    pay(old, "100000.00", D(2026, 11, 20))  # the new set: 31+ at 8 %
    pay(young, "100000.00", D(2026, 11, 20))  # 26 days: the new set has no bucket for it

    remittance = prepare(creditor, manager)

    rows = {(line.debt_id, line.posted_on): line for line in remittance.lines.all()}
    assert rows[(young.pk, D(2026, 11, 4))].percent == Decimal("5.00")
    assert rows[(young.pk, D(2026, 11, 4))].days_past_due == 10
    assert rows[(old.pk, D(2026, 11, 4))].percent == Decimal("20.00")
    assert rows[(old.pk, D(2026, 11, 20))].percent == Decimal("8.00")
    unmatched = rows[(young.pk, D(2026, 11, 20))]
    assert (unmatched.percent, unmatched.commission) == (Decimal("0.00"), Decimal("0.00"))
    assert remittance.commission == Decimal("33000.00")
    # The line without a rate is the statement's warning
    assert lines_without_rate(remittance) == {unmatched.pk}
    entry = LedgerEntry.objects.get(pk=unmatched.entry_id)
    assert commission_for([entry])[entry.pk].no_rate


def test_a_reversal_is_carried_into_the_next_period_after_the_statement_was_issued(
    creditor, manager
):
    # Given a November payment remitted at 10 % in an issued statement
    stage_rates(creditor, friendly_reminder="10")
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    bounced = pay(debt, "80000.00", D(2026, 11, 20))
    november = remittance_issue(remittance=prepare(creditor, manager), user=manager)
    assert november.commission == Decimal("8000.00")
    # and a higher rate from December, when the payment bounces (the debt has moved on)
    stage_rates(creditor, valid_from=D(2026, 12, 1), friendly_reminder="30", firm_notice="30")
    set_stage(debt, Stage.FIRM_NOTICE)
    reverse(bounced, D(2026, 12, 2))
    pay(DebtFactory(creditor=creditor, stage=Stage.FIRM_NOTICE), "10000.00", D(2026, 12, 3))

    # When December's statement is prepared
    december = prepare(creditor, manager, D(2026, 12, 1), D(2026, 12, 4))

    # Then the reversal is a negative line with minus the commission November remitted
    line = december.lines.get(kind="reversal")
    assert (line.amount, line.percent, line.commission) == (
        Decimal("-80000.00"), Decimal("10.00"), Decimal("-8000.00"),
    )  # fmt: skip
    assert remittance_lines(remittance=december).get(pk=line.pk).carried_from == november.pk
    assert december.collected == Decimal("10000.00")
    assert december.reversed == Decimal("80000.00")
    assert december.commission == Decimal("3000.00") - Decimal("8000.00")
    assert december.net == Decimal("10000.00") - Decimal("80000.00") + Decimal("5000.00")
    # and November is unchanged
    november.refresh_from_db()
    assert (november.collected, november.lines.count()) == (Decimal("80000.00"), 1)


def test_a_reversal_of_a_payment_not_yet_remitted_nets_to_nothing(creditor, manager):
    stage_rates(creditor, friendly_reminder="10")
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    bounced = pay(debt, "80000.00", D(2026, 11, 10))
    set_stage(debt, Stage.FIRM_NOTICE)  # no rate for firm notices: the payment's rate counts
    reverse(bounced, D(2026, 11, 12))

    remittance = prepare(creditor, manager)

    assert (remittance.collected, remittance.reversed) == (Decimal("80000.00"),) * 2
    assert (remittance.commission, remittance.net) == (Decimal("0.00"), Decimal("0.00"))
    assert lines_without_rate(remittance) == set()


def test_entries_already_remitted_are_left_out_and_late_ones_picked_up(creditor, manager):
    # Given November issued
    stage_rates(creditor, friendly_reminder="10")
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    first = pay(debt, "10000.00", D(2026, 11, 10))
    november = remittance_issue(remittance=prepare(creditor, manager), user=manager)
    # and then a payment made in November but loaded in December (a payments file)
    late = pay(debt, "20000.00", D(2026, 11, 28))
    pay(debt, "30000.00", D(2026, 12, 2))

    december = prepare(creditor, manager, D(2026, 12, 1), D(2026, 12, 4))

    payments = set(december.lines.values_list("payment_id", flat=True))
    assert first.pk not in payments and late.pk in payments
    assert december.collected == Decimal("50000.00")
    assert list(november.lines.values_list("payment_id", flat=True)) == [first.pk]
    # Every entry is in exactly one statement
    taken = RemittanceLine.objects.values_list("entry_id", flat=True)
    assert len(taken) == len(set(taken)) == 3


def test_void_frees_the_entries_and_needs_a_reason(creditor, manager):
    stage_rates(creditor, friendly_reminder="10")
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    pay(debt, "10000.00", D(2026, 11, 10))
    draft = prepare(creditor, manager)

    with pytest.raises(ApplicationError) as refused:
        remittance_void(remittance=draft, user=manager, reason="  ")
    assert refused.value.field == "reason"

    voided = remittance_void(remittance=draft, user=manager, reason="Wrong period")
    assert (voided.status, voided.void_reason) == (RemittanceStatus.VOID, "Wrong period")

    # The same period can be prepared again and takes the same entry
    again = prepare(creditor, manager)
    assert list(again.lines.values_list("entry_id", flat=True)) == list(
        voided.lines.values_list("entry_id", flat=True)
    )
    assert again.collected == Decimal("10000.00")
    # An issued statement cannot be voided; a void one cannot be issued
    remittance_issue(remittance=again, user=manager)
    with pytest.raises(ApplicationError):
        remittance_void(remittance=again, user=manager, reason="Too late")
    with pytest.raises(ApplicationError):
        remittance_issue(remittance=voided, user=manager)


@pytest.mark.parametrize(
    "start,end,field",
    [
        (D(2026, 11, 15), D(2026, 12, 3), "period_start"),  # overlaps November
        (D(2026, 10, 1), D(2026, 11, 1), "period_start"),  # overlaps its first day
        (D(2026, 12, 1), D(2026, 12, 6), "period_end"),  # ends after the business date
        (D(2026, 12, 3), D(2026, 12, 1), "period_end"),  # ends before it starts
    ],
)
def test_overlapping_and_future_periods_are_refused(creditor, manager, start, end, field):
    prepare(creditor, manager)
    with pytest.raises(ApplicationError) as refused:
        prepare(creditor, manager, start, end)
    assert refused.value.field == field
    assert creditor.remittances.count() == 1


def test_another_currency_and_a_voided_period_do_not_overlap(creditor, manager):
    november = prepare(creditor, manager)
    prepare(creditor, manager, currency="USD")
    remittance_void(remittance=november, user=manager, reason="Redo")
    assert prepare(creditor, manager, D(2026, 11, 10), D(2026, 11, 30)).period_start == D(
        2026, 11, 10
    )


def test_a_manager_of_another_creditor_cannot_prepare_or_issue(creditor, manager):
    stranger = ManagerFactory(creditors=[CreditorFactory()])
    with pytest.raises(ApplicationError) as refused:
        prepare(creditor, stranger)
    assert refused.value.field == "creditor"
    draft = prepare(creditor, manager)
    with pytest.raises(ApplicationError):
        remittance_issue(remittance=draft, user=stranger)
    draft.refresh_from_db()
    assert draft.status == RemittanceStatus.DRAFT


def test_issue_keeps_the_sha256_of_the_pdf_every_download_reproduces(creditor, manager):
    stage_rates(creditor, friendly_reminder="10")
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER, debt_ref="OBL-77")
    pay(debt, "123456.00", D(2026, 11, 10))

    issued = remittance_issue(remittance=prepare(creditor, manager), user=manager)

    content = remittance_pdf(remittance=issued)
    assert issued.pdf_sha256 == hashlib.sha256(content).hexdigest()
    assert issued.issued_by == manager and issued.issued_at is not None
    # The PDF opens and shows the totals (in the creditor's language: Spanish for Colombia)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for amount in (issued.collected, issued.commission, issued.net):
        assert format_money(amount, "COP", locale="es_CO").replace("\u00a0", " ") in text.replace(
            "\u00a0", " "
        )
    assert "OBL-77" in text and "Banco Andino" in text


def test_the_csv_neutralises_formulas_in_names(creditor, manager):
    debt = DebtFactory(
        creditor=creditor, stage=Stage.FRIENDLY_REMINDER, debtor__full_name="=HYPERLINK(1)"
    )
    pay(debt, "10000.00", D(2026, 11, 10))
    remittance = prepare(creditor, manager)

    headers, rows = remittance_csv(remittance=remittance)

    from core.exports import csv_bytes

    text = csv_bytes(headers, rows).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    # no rate: the line says so
    assert "0 %" in rows[0][-1]


def test_commission_rates_are_validated(creditor, manager):
    def create(**fields):
        values = {"creditor": creditor, "valid_from": JAN, "user": manager, "percent": "10"}
        return commission_rate_create(**{**values, **fields})

    create(basis="age", min_dpd=0, max_dpd=30)
    create(basis="age", min_dpd=31, max_dpd=None)
    refusals = [
        ({"basis": "age", "min_dpd": 30, "max_dpd": 40}, "min_dpd"),  # overlaps 0–30
        ({"basis": "age", "min_dpd": 500}, "min_dpd"),  # inside 31+
        ({"basis": "age", "min_dpd": 60, "max_dpd": 50, "valid_from": D(2026, 2, 1)}, "max_dpd"),
        ({"basis": "age", "valid_from": D(2026, 2, 1)}, "min_dpd"),
        ({"basis": "stage", "stage": "firm_notice"}, "basis"),  # the set is by age
        ({"basis": "stage", "valid_from": D(2026, 2, 1)}, "stage"),
        ({"basis": "stage", "stage": "legal", "percent": "100.01"}, "percent"),
        ({"basis": "stage", "stage": "legal", "percent": "-1"}, "percent"),
        ({"basis": "share", "stage": "legal"}, "basis"),
    ]
    for fields, field in refusals:
        with pytest.raises(ApplicationError) as refused:
            create(**fields)
        assert refused.value.field == field, fields
    create(basis="stage", stage="legal", valid_from=D(2026, 2, 1), percent="100")
    with pytest.raises(ApplicationError) as refused:
        create(basis="stage", stage="legal", valid_from=D(2026, 2, 1))
    assert refused.value.field == "stage"
    # The same bucket in another set is fine
    create(basis="age", min_dpd=0, max_dpd=30, valid_from=D(2026, 3, 1))
    assert creditor.commission_rates.count() == 4
