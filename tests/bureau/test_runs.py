"""Furnishing runs: preview, validate, generate, submit, cancel; updates across runs;
withdrawals; permanence; disputes; who may do it."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bureau.models import FurnishedAccount, FurnishingRun
from bureau.selectors import legends_due, run_get, runs, withdrawals_due
from bureau.services.runs import (
    run_cancel,
    run_create,
    run_generate,
    run_submit,
    run_validate,
)
from complaints.models import Complaint, ComplaintEvent
from complaints.services.intake import complaint_create
from core.exceptions import ApplicationError
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D, set_debt
from tests.factories.portfolio import DebtFactory, PaymentFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db
BUREAU = "datacredito"


def submitted(debt, manager, cut_off, bureau=BUREAU):
    run = run_create(creditor=debt.creditor, bureau=bureau, cut_off=cut_off, user=manager)
    run = run_validate(run=run, user=manager)
    run = run_generate(run=run, user=manager)
    return run_submit(run=run, user=manager)


def line(run, debt) -> FurnishedAccount | None:
    return FurnishedAccount.objects.filter(run=run, debt=debt).first()


@pytest.fixture
def reported():
    """A late debt with its notice, reported in the October run."""
    debt = DebtFactory(due_date=D(2026, 8, 1))
    manager = ManagerFactory(creditors=[debt.creditor])
    sent_notice(debt, D(2026, 9, 1))
    run = submitted(debt, manager, D(2026, 10, 31))
    return debt, manager, run


def test_the_whole_run_keeps_the_file_and_its_checksum(reported, test_layouts):
    debt, manager, run = reported
    assert run.status == "submitted" and run.accounts == 1
    first = line(run, debt)
    assert (first.action, first.status_code, first.days_late) == ("report", "80", 91)
    assert first.first_delinquency_on == D(2026, 8, 1)
    assert first.payment_history == "3" + "B" * 23
    data = run.file.read()
    assert hashlib.sha256(data).hexdigest() == run.checksum
    assert run.file_name.endswith(".jsonl") and debt.debt_ref.encode() in data
    assert run.submitted_by == manager


def test_a_second_run_for_the_same_cut_off_is_refused_until_cancelled():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    manager = ManagerFactory(creditors=[debt.creditor])
    run = run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 10, 31), user=manager)
    with pytest.raises(ApplicationError) as error:
        run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 10, 31), user=manager)
    assert error.value.field == "cut_off"
    run_cancel(run=run, user=manager)
    again = run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 10, 31), user=manager)
    assert again.pk != run.pk
    assert FurnishingRun.objects.filter(cut_off=D(2026, 10, 31)).count() == 2


def test_errors_keep_the_run_from_validating_and_generating(test_layouts):
    debt = DebtFactory(due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 9, 1))
    manager = ManagerFactory(creditors=[debt.creditor])
    test_layouts[BUREAU].errors_for.add(debt.pk)
    run = run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 10, 31), user=manager)
    run = run_validate(run=run, user=manager)
    assert run.status == "draft"
    assert run.findings[0]["code"] == "TEST-ERR" and run.findings[0]["debt_id"] == debt.pk
    with pytest.raises(ApplicationError):
        run_generate(run=run, user=manager)
    test_layouts[BUREAU].errors_for.clear()
    assert run_validate(run=run, user=manager).status == "validated"


def test_submit_needs_a_file_and_a_submitted_run_cannot_be_cancelled(reported):
    debt, manager, run = reported
    with pytest.raises(ApplicationError):
        run_cancel(run=run, user=manager)
    draft = run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 11, 30), user=manager)
    with pytest.raises(ApplicationError):
        run_submit(run=draft, user=manager)


def test_only_eligible_debts_are_reported_at_first():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    recent = DebtFactory(creditor=debt.creditor, due_date=D(2026, 8, 1))
    silent = DebtFactory(creditor=debt.creditor, due_date=D(2026, 8, 1))
    sent_notice(debt, D(2026, 9, 1))
    sent_notice(recent, D(2026, 10, 20))
    manager = ManagerFactory(creditors=[debt.creditor])
    run = run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 10, 31), user=manager)
    assert list(run.lines.values_list("debt_id", flat=True)) == [debt.pk]
    assert silent and recent


def test_a_paid_debt_stops_showing_as_late_and_then_leaves_the_file(reported):
    debt, manager, _run = reported
    PaymentFactory(
        debt=debt,
        amount=Decimal("1170000.00"),
        paid_at=timezone.make_aware(datetime.datetime(2026, 11, 10, 12)),
    )
    set_debt(debt, balance=Decimal("0"), stage="paid", stage_entered_on=D(2026, 11, 10))
    november = submitted(debt, manager, D(2026, 11, 30))
    paid = line(november, debt)
    assert (paid.action, paid.status_code, paid.days_late) == ("report", "13", 0)
    assert paid.amount_past_due == 0 and paid.closed_on == D(2026, 11, 10)
    assert paid.last_payment_on == D(2026, 11, 10)
    assert paid.first_delinquency_on == D(2026, 8, 1)
    assert paid.payment_history.startswith("03")
    # CO: twice the 101 days in arrears after the payment
    assert paid.remove_after == D(2026, 11, 10) + datetime.timedelta(days=202)
    december = submitted(debt, manager, D(2026, 12, 31))
    assert line(december, debt) is None


@pytest.mark.parametrize(
    ("stage", "code"), [("settled", "62"), ("written_off", "97")]
)  # fmt: skip
def test_settlement_and_write_off_are_updates(reported, stage, code):
    debt, manager, _run = reported
    set_debt(debt, stage=stage, stage_entered_on=D(2026, 11, 5))
    november = submitted(debt, manager, D(2026, 11, 30))
    update = line(november, debt)
    assert (update.action, update.status_code, update.closed_on) == ("report", code, D(2026, 11, 5))


def test_an_agreement_reports_the_debt_current(reported):
    from agreements.models import AgreementDebt, Instalment, PaymentAgreement

    debt, manager, _run = reported
    agreement = PaymentAgreement.objects.create(
        creditor=debt.creditor,
        debtor=debt.debtor,
        kind="instalment_plan",
        status="active",
        currency="COP",
        balance_at_start=debt.balance,
        discount_pct=Decimal("0"),
        discount_amount=Decimal("0"),
        agreed_total=debt.balance,
        instalment_count=3,
        frequency="monthly",
        first_due_date=D(2026, 11, 15),
        channel="phone",
        proposed_on=D(2026, 11, 1),
        activated_on=D(2026, 11, 1),
    )
    AgreementDebt.objects.create(
        agreement=agreement,
        debt=debt,
        stage_at_start=debt.stage,
        balance_at_start=debt.balance,
        share=debt.balance,
    )
    for number, due in enumerate([D(2026, 11, 15), D(2026, 12, 15), D(2027, 1, 15)], start=1):
        Instalment.objects.create(
            agreement=agreement,
            number=number,
            due_date=due,
            amount=Decimal("390000.00"),
            status="paid" if number == 1 else "pending",
        )
    november = submitted(debt, manager, D(2026, 11, 30))
    update = line(november, debt)
    assert (update.status_code, update.days_late, update.amount_past_due) == ("11", 0, 0)
    assert update.first_delinquency_on == D(2026, 8, 1)


def test_a_report_made_without_the_notice_is_withdrawn():
    debt = DebtFactory(due_date=D(2026, 8, 1))
    manager = ManagerFactory(creditors=[debt.creditor])
    notice = sent_notice(debt, D(2026, 9, 1))
    october = submitted(debt, manager, D(2026, 10, 31))
    assert withdrawals_due(creditor=debt.creditor).empty
    # The notice turns out never to have left (the provider reported it failed).
    notice.status = "failed"
    notice.save(update_fields=["status"])
    due = withdrawals_due(creditor=debt.creditor)
    assert due.to_dict("records") == [
        {
            "debt_id": debt.pk,
            "bureau": BUREAU,
            "run_id": october.pk,
            "cut_off": D(2026, 10, 31),
            "reason_code": "no_notice",
        }
    ]
    urgent = run_create(
        creditor=debt.creditor,
        bureau=BUREAU,
        cut_off=D(2026, 11, 3),
        user=manager,
        withdrawals_only=True,
    )
    withdrawn = line(urgent, debt)
    assert (withdrawn.action, withdrawn.status_code) == ("withdraw", "DA")
    for step in (run_validate, run_generate, run_submit):
        urgent = step(run=urgent, user=manager)
    assert withdrawals_due(creditor=debt.creditor).empty
    # Nothing more goes while the debt has no notice.
    later = run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 11, 30), user=manager)
    assert later.accounts == 0


def test_past_its_permanence_the_account_is_deleted(reported):
    debt, manager, run = reported
    FurnishedAccount.objects.filter(run=run).update(remove_after=D(2026, 11, 15))
    november = submitted(debt, manager, D(2026, 11, 30))
    assert line(november, debt).action == "delete"


def test_a_dispute_goes_as_xb_and_its_legend_is_recorded_then_xh_when_closed(reported):
    debt, manager, _run = reported
    complaint = complaint_create(
        debtor=debt.debtor,
        debt=debt,
        kind="bureau_claim",
        channel="email",
        subject="Reporte",
        description="No debo ese valor.",
        received_at=timezone.make_aware(datetime.datetime(2026, 11, 20, 10)),
        user=manager,
    )
    assert complaint.bureau_flag and complaint.legend_due_on
    assert list(legends_due(user=manager)) == [complaint]
    november = submitted(debt, manager, D(2026, 11, 30))
    assert line(november, debt).compliance_code == "XB"
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="legend").count() == 1
    assert list(legends_due(user=manager)) == []
    Complaint.objects.filter(pk=complaint.pk).update(
        status="closed",
        bureau_flag=False,
        closed_at=timezone.make_aware(datetime.datetime(2026, 12, 10, 10)),
    )
    december = submitted(debt, manager, D(2026, 12, 31))
    assert line(december, debt).compliance_code == "XH"
    january = submitted(debt, manager, D(2027, 1, 31))
    assert line(january, debt).compliance_code == ""


def test_a_manager_of_another_creditor_cannot_create_or_see_runs(reported):
    debt, manager, run = reported
    other = ManagerFactory(creditors=[DebtFactory().creditor])
    with pytest.raises(PermissionDenied):
        run_create(creditor=debt.creditor, bureau=BUREAU, cut_off=D(2026, 11, 30), user=other)
    with pytest.raises(PermissionDenied):
        run_cancel(run=run, user=other)
    assert run_get(user=other, run_id=run.pk) is None
    assert list(runs(user=other)) == []
    assert list(runs(user=CollectorFactory())) == []
    assert run_get(user=manager, run_id=run.pk) == run


def test_an_unknown_bureau_is_a_field_error():
    debt = DebtFactory()
    manager = ManagerFactory(creditors=[debt.creditor])
    with pytest.raises(ApplicationError) as error:
        run_create(creditor=debt.creditor, bureau="nope", cut_off=D(2026, 10, 31), user=manager)
    assert error.value.field == "bureau"
    assert not FurnishingRun.objects.exists()


def test_a_debt_deleted_for_permanence_is_not_reported_again(reported):
    debt, manager, run = reported
    FurnishedAccount.objects.filter(run=run).update(remove_after=D(2026, 11, 15))
    submitted(debt, manager, D(2026, 11, 30))
    sent_notice(debt, D(2026, 11, 25))
    december = submitted(debt, manager, D(2026, 12, 31))
    assert line(december, debt) is None
