"""Settling in legal: the chargeable costs go into the agreement, and the case closes by itself
when the debt is paid or the settlement completes."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementStatus
from collections_app.services.payments import payment_record
from core.exceptions import ApplicationError
from ledger.models import EntryKind, LedgerEntry
from legal.models import CaseOutcome, CaseState, LegalCost, LegalSettings
from legal.services.costs import cost_record
from legal.services.documents import document_add
from legal.services.settlement import settlement_propose
from portfolio.models import Payment, Stage
from tests.factories.legal import make_case
from tests.factories.users import LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _case():
    case = make_case()
    LegalSettings.objects.create(
        creditor=case.creditor, costs_disclosed=True, chargeable_ceiling_pct=Decimal(20)
    )
    return case, ManagerFactory(creditors=[case.creditor])


def _pay(case, amount, reference):
    return payment_record(
        creditor=case.creditor,
        debt=case.debt,
        amount=Decimal(amount),
        currency=case.debt.currency,
        paid_at=timezone.now(),
        method=Payment.Method.BANK_TRANSFER,
        reference=reference,
        source=Payment.Source.MANUAL,
    )


def _today():
    return timezone.localdate()


def test_paying_the_balance_closes_the_case_as_paid():
    case, _manager = _case()
    _pay(case, "100000", "PART-1")
    case.refresh_from_db()
    assert case.state != CaseState.CLOSED  # a part payment closes nothing

    _pay(case, "1070000", "REST-2")

    case.refresh_from_db()
    assert case.debt.stage == Stage.PAID
    assert case.state == CaseState.CLOSED and case.outcome == CaseOutcome.PAID
    assert case.closed_on == _today()
    change = case.changes.get(to_state=CaseState.CLOSED)
    assert change.transition == "close" and change.changed_by is None


def test_a_settlement_carries_the_chargeable_costs_and_completing_it_closes_the_case():
    case, manager = _case()
    lawyer = LawyerFactory(firms=[case.firm])
    receipt = document_add(
        user=lawyer,
        case=case,
        kind="cost_receipt",
        upload=SimpleUploadedFile("arancel.pdf", b"%PDF-1.4 r", "application/pdf"),
    )
    court = cost_record(
        user=lawyer, case=case, kind="court_cost", amount=Decimal("80000"),
        incurred_on=datetime.date(2026, 4, 1), description="Arancel judicial", receipt=receipt,
    )  # fmt: skip
    own = cost_record(
        user=lawyer, case=case, kind="disbursement", amount=Decimal("15000"),
        incurred_on=datetime.date(2026, 4, 2), description="Fotocopias",
    )  # fmt: skip
    assert court.chargeable_to_debtor and not own.chargeable_to_debtor

    # When: the manager proposes a settlement of the whole balance in one payment.
    agreement = settlement_propose(
        user=manager, case=case, as_of=_today(), first_due_date=_today(), instalment_count=1
    )

    # Then: the 80,000 of court costs are added to the debt and stated in the agreement.
    case.debt.refresh_from_db()
    assert case.debt.fees == Decimal("100000.00")  # 20,000 of fees + 80,000 of costs
    assert case.debt.balance == Decimal("1250000.00")
    assert agreement.balance_at_start == Decimal("1250000.00")
    assert "Arancel judicial" in agreement.notes and "Fotocopias" not in agreement.notes
    assert "80.000" in agreement.notes or "80,000" in agreement.notes
    court.refresh_from_db()
    assert court.charged_on == _today()
    assert LegalCost.objects.filter(charged_on__isnull=False).count() == 1
    # and the books show the charge as its own entry.
    (charge,) = LedgerEntry.objects.filter(debt=case.debt, kind=EntryKind.COST)
    assert (charge.fees, charge.amount, charge.source_id) == (
        Decimal("80000.00"), Decimal("80000.00"), case.pk,
    )  # fmt: skip
    assert agreement.status == AgreementStatus.ACTIVE

    # When: the debtor pays the agreed total.
    _pay(case, agreement.agreed_total, "SETTLE-1")

    agreement.refresh_from_db()
    case.refresh_from_db()
    assert agreement.status == AgreementStatus.COMPLETED
    assert case.state == CaseState.CLOSED
    assert case.outcome == CaseOutcome.SETTLED


def test_a_discounted_settlement_completes_as_settled():
    case, manager = _case()
    agreement = settlement_propose(
        user=manager,
        case=case,
        as_of=_today(),
        first_due_date=_today(),
        agreed_total=Decimal("900000"),
    )
    assert agreement.agreed_total == Decimal("900000")
    _pay(case, "900000", "SETTLE-2")
    case.refresh_from_db()
    case.debt.refresh_from_db()
    assert case.debt.stage == Stage.SETTLED
    assert (case.state, case.outcome) == (CaseState.CLOSED, CaseOutcome.SETTLED)


def test_only_a_manager_of_the_creditor_settles(client):
    case, manager = _case()
    lawyer = LawyerFactory(firms=[case.firm])
    with pytest.raises(ApplicationError):
        settlement_propose(user=lawyer, case=case, as_of=_today(), first_due_date=_today())
    client.force_login(manager)
    response = client.post(
        reverse("legal:case-settlement", args=[case.pk]),
        {
            "settle-kind": "settlement",
            "settle-instalment_count": "1",
            "settle-frequency": "monthly",
            "settle-first_due_date": _today().isoformat(),
            "settle-agreed_total": "2000000",
        },
    )
    # Over the balance: the agreements engine refuses, nothing is written.
    assert response.status_code == 400
    assert not case.debt.agreements.exists()
    page = client.get(reverse("legal:case-costs", args=[case.pk]))
    assert reverse("legal:case-settlement", args=[case.pk]) in page.content.decode()
    response = client.post(
        reverse("legal:case-settlement", args=[case.pk]),
        {
            "settle-kind": "settlement",
            "settle-instalment_count": "1",
            "settle-frequency": "monthly",
            "settle-first_due_date": _today().isoformat(),
            "settle-agreed_total": "1000000",
        },
    )
    agreement = case.debt.agreements.get()
    assert response.status_code == 302
    assert response.url == reverse("agreements:detail", args=[agreement.pk])
    assert case.changes.filter(note__icontains="Settlement proposed").exists()


def test_a_payments_file_that_pays_the_debt_closes_the_case_too():
    from collections_app.services.payments import payments_after_bulk
    from ledger.services.payments import payment_ledger_write

    case, _manager = _case()
    other, _ = _case()
    # Given: the file's payments written to the books (one pays a debt off, one only part).
    payment_ledger_write(
        creditor=case.creditor, debt=case.debt, amount=case.debt.balance, currency="COP",
        paid_at=timezone.now(), method=Payment.Method.BANK_TRANSFER, reference="FILE-1",
        source=Payment.Source.FILE,
    )  # fmt: skip
    payment_ledger_write(
        creditor=other.creditor, debt=other.debt, amount=Decimal("1000"), currency="COP",
        paid_at=timezone.now(), method=Payment.Method.BANK_TRANSFER, reference="FILE-2",
        source=Payment.Source.FILE,
    )  # fmt: skip
    # When: what follows a payments file runs, set-based.
    payments_after_bulk(
        debt_ids=[case.debt_id, other.debt_id], paid_ids=[case.debt_id], business_date=_today()
    )
    case.refresh_from_db()
    other.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.CLOSED, CaseOutcome.PAID)
    assert other.state == CaseState.PREPARED
