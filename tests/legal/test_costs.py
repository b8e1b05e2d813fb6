"""The costs and fees ledger: approval, and what may be charged to the debtor (and why)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.exceptions import ApplicationError
from legal.models import ChargeableReason, CostStatus, LegalCost, LegalSettings
from legal.services.costs import (
    chargeable_summary,
    cost_decide,
    cost_record,
    legal_settings_update,
    success_fee_for,
)
from legal.services.documents import document_add
from tests.factories.legal import make_case
from tests.factories.portfolio import DebtFactory, PaymentFactory
from tests.factories.users import LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _case(*, disclosed=True, debt=None, **fields):
    # The default debt owes 1,170,000 COP: a 20% ceiling is 234,000.
    case = make_case(debt=debt, **fields)
    LegalSettings.objects.create(
        creditor=case.creditor,
        costs_disclosed=disclosed,
        chargeable_ceiling_pct=Decimal(20),
        cost_approval_limit=Decimal(500_000),
        success_fee_pct=Decimal("12.5"),
    )
    return case, LawyerFactory(firms=[case.firm]), ManagerFactory(creditors=[case.creditor])


def _receipt(case, name="recibo.pdf"):
    upload = SimpleUploadedFile(name, b"%PDF-1.4 receipt", "application/pdf")
    return document_add(user=None, case=case, kind="cost_receipt", upload=upload)


def _cost(case, user, amount, *, kind="court_cost", receipt=True, on=DAY):
    return cost_record(
        user=user,
        case=case,
        kind=kind,
        amount=Decimal(amount),
        incurred_on=on,
        description="Arancel judicial",
        receipt=_receipt(case) if receipt else None,
    )


def test_a_documented_cost_within_the_limit_is_approved_and_chargeable():
    case, lawyer, _manager = _case()
    cost = _cost(case, lawyer, "80000")
    assert cost.status == CostStatus.APPROVED
    assert cost.currency == "COP" and cost.recorded_by == lawyer
    assert cost.chargeable_to_debtor and cost.chargeable_amount == Decimal("80000")
    assert cost.chargeable_reason == ChargeableReason.CHARGEABLE
    assert case.changes.filter(note__icontains="Cost recorded").exists()


def test_above_the_limit_a_cost_waits_for_a_manager_and_is_not_chargeable_meanwhile():
    case, lawyer, manager = _case()
    cost = _cost(case, lawyer, "600000")
    assert cost.status == CostStatus.PENDING_APPROVAL
    assert not cost.chargeable_to_debtor
    assert cost.chargeable_reason == ChargeableReason.PENDING
    # The lawyer records; only a manager decides.
    with pytest.raises(ApplicationError):
        cost_decide(user=lawyer, cost=cost, approve=True, note="")
    cost = cost_decide(user=manager, cost=cost, approve=True, note="Peritaje necesario")
    assert cost.status == CostStatus.APPROVED and cost.decided_by == manager
    # Approved, documented, disclosed: chargeable up to the 234,000 ceiling only.
    assert cost.chargeable_reason == ChargeableReason.PARTIAL
    assert cost.chargeable_amount == Decimal("234000.00")


def test_rejecting_needs_a_reason_and_the_rejected_cost_is_never_chargeable():
    case, lawyer, manager = _case()
    cost = _cost(case, lawyer, "600000")
    with pytest.raises(ApplicationError) as refused:
        cost_decide(user=manager, cost=cost, approve=False, note=" ")
    assert refused.value.field == "note"
    cost = cost_decide(user=manager, cost=cost, approve=False, note="No pactado")
    assert cost.status == CostStatus.REJECTED
    assert cost.chargeable_reason == ChargeableReason.REJECTED
    with pytest.raises(ApplicationError):
        cost_decide(user=manager, cost=cost, approve=True, note="")


def test_an_undocumented_cost_is_not_chargeable():
    case, lawyer, _manager = _case()
    cost = _cost(case, lawyer, "50000", receipt=False)
    assert cost.status == CostStatus.APPROVED
    assert not cost.chargeable_to_debtor
    assert cost.chargeable_reason == ChargeableReason.NO_RECEIPT


def test_nothing_is_chargeable_when_the_creditor_did_not_disclose_costs():
    case, lawyer, _manager = _case(disclosed=False)
    court = _cost(case, lawyer, "50000")
    fee = _cost(case, lawyer, "40000", kind="fixed_fee")
    for cost in (court, fee):
        cost.refresh_from_db()
        assert not cost.chargeable_to_debtor
        assert cost.chargeable_reason == ChargeableReason.NOT_DISCLOSED


def test_no_pre_legal_collection_fee_on_a_housing_loan():
    debt = DebtFactory(product="mortgage", due_date=datetime.date(2025, 1, 10))
    case, lawyer, _manager = _case(debt=debt, filed_on=datetime.date(2026, 5, 1))
    before = _cost(case, lawyer, "40000", kind="fixed_fee", on=datetime.date(2026, 4, 20))
    court = _cost(case, lawyer, "30000", kind="court_cost", on=datetime.date(2026, 4, 20))
    after = _cost(case, lawyer, "20000", kind="success_fee", on=datetime.date(2026, 6, 1))
    for cost in (before, court, after):
        cost.refresh_from_db()
    assert before.chargeable_reason == ChargeableReason.HOUSING_PRE_LEGAL
    assert not before.chargeable_to_debtor
    # Court costs are not collection fees; the firm's fee once the claim was filed is judicial.
    assert court.chargeable_to_debtor and after.chargeable_to_debtor


def test_the_same_fee_on_a_credit_card_is_chargeable():
    case, lawyer, _manager = _case()
    fee = _cost(case, lawyer, "40000", kind="fixed_fee")
    assert fee.chargeable_reason == ChargeableReason.CHARGEABLE


def test_the_total_charged_never_exceeds_the_creditors_ceiling():
    case, lawyer, _manager = _case()
    first = _cost(case, lawyer, "200000", on=datetime.date(2026, 4, 1))
    second = _cost(case, lawyer, "100000", kind="fixed_fee", on=datetime.date(2026, 4, 2))
    third = _cost(case, lawyer, "10000", on=datetime.date(2026, 4, 3))
    for cost in (first, second, third):
        cost.refresh_from_db()
    assert first.chargeable_amount == Decimal("200000")
    assert second.chargeable_reason == ChargeableReason.PARTIAL
    assert second.chargeable_amount == Decimal("34000.00")
    assert third.chargeable_reason == ChargeableReason.OVER_CEILING
    assert chargeable_summary(case) == (
        Decimal("234000.00"),
        Decimal("76000.00"),
        Decimal("234000.00"),
    )


def test_the_ceiling_is_on_the_balance_handed_over_not_todays():
    case, lawyer, _manager = _case()
    # Paid after the hand-over: the books' balance on the hand-over day still counts.
    PaymentFactory(debt=case.debt, amount=Decimal("500000"))
    case.debt.principal -= Decimal("500000")
    case.debt.balance -= Decimal("500000")
    case.debt.save(update_fields=["principal", "balance"])
    assert chargeable_summary(case)[2] == Decimal("234000.00")


def test_changing_the_creditors_rules_decides_the_costs_again():
    case, lawyer, manager = _case()
    cost = _cost(case, lawyer, "50000")
    assert cost.chargeable_to_debtor
    legal_settings_update(user=manager, creditor=case.creditor, costs_disclosed=False)
    cost.refresh_from_db()
    assert cost.chargeable_reason == ChargeableReason.NOT_DISCLOSED
    with pytest.raises(ApplicationError):
        legal_settings_update(user=lawyer, creditor=case.creditor, costs_disclosed=True)


def test_the_success_fee_is_the_creditors_percentage_of_what_was_recovered():
    case, _lawyer, _manager = _case()
    assert success_fee_for(case, Decimal("1000000")) == Decimal("125000.00")


def test_another_firms_lawyer_cannot_record_a_cost_and_bad_input_names_its_field():
    case, lawyer, _manager = _case()
    other, outsider, _ = _case()
    with pytest.raises(ApplicationError):
        _cost(case, outsider, "1000", receipt=False)
    with pytest.raises(ApplicationError) as refused:
        cost_record(
            user=lawyer, case=case, kind="court_cost", amount="-5", incurred_on=DAY,
            description="x",
        )  # fmt: skip
    assert refused.value.field == "amount"
    # A comma is neither guessed as thousands nor as decimals: "150,5" is refused.
    with pytest.raises(ApplicationError) as refused:
        cost_record(
            user=lawyer, case=case, kind="court_cost", amount="150,5", incurred_on=DAY,
            description="x",
        )  # fmt: skip
    assert refused.value.field == "amount"
    with pytest.raises(ApplicationError) as refused:
        cost_record(
            user=lawyer, case=case, kind="lunch", amount="5", incurred_on=DAY, description="x"
        )
    assert refused.value.field == "kind"
    with pytest.raises(ApplicationError) as refused:
        _cost(case, lawyer, "10", on=datetime.date(2099, 1, 1), receipt=False)
    assert refused.value.field == "incurred_on"
    assert not LegalCost.objects.exists()


def test_the_lawyer_records_a_cost_with_its_receipt_on_the_page(client):
    case, lawyer, _manager = _case()
    client.force_login(lawyer)
    response = client.post(
        reverse("legal:cost-add", args=[case.pk]),
        {
            "kind": "court_cost",
            "amount": "75000",
            "incurred_on": "2026-04-01",
            "description": "Notificación por correo certificado",
            "receipt": SimpleUploadedFile("guia.pdf", b"%PDF-1.4 guia", "application/pdf"),
        },
    )
    assert response.status_code == 302
    cost = LegalCost.objects.get(case=case)
    assert cost.receipt.kind == "cost_receipt" and cost.receipt.name == "guia.pdf"
    assert cost.chargeable_to_debtor
    page = client.get(reverse("legal:case-costs", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Notificación por correo certificado" in text and "guia.pdf" in text
    # A lawyer sees no approve buttons.
    assert reverse("legal:cost-decide", args=[cost.pk]) not in text

    bad = client.post(
        reverse("legal:cost-add", args=[case.pk]),
        {"kind": "court_cost", "amount": "abc", "incurred_on": "2026-04-01", "description": "x"},
    )
    assert bad.status_code == 400
    future = client.post(
        reverse("legal:cost-add", args=[case.pk]),
        {
            "kind": "court_cost",
            "amount": "10",
            "incurred_on": "2099-01-01",
            "description": "x",
            "receipt": SimpleUploadedFile("futuro.pdf", b"%PDF-1.4 f", "application/pdf"),
        },
    )
    assert future.status_code == 400
    assert LegalCost.objects.filter(case=case).count() == 1
    # The refused cost's receipt was not kept either.
    assert not case.documents.filter(name="futuro.pdf").exists()


def test_another_firms_lawyer_gets_a_404_on_the_costs_pages(client):
    case, _lawyer, _manager = _case()
    _other, outsider, _ = _case()
    client.force_login(outsider)
    assert client.get(reverse("legal:case-costs", args=[case.pk])).status_code == 404
    response = client.post(
        reverse("legal:cost-add", args=[case.pk]),
        {"kind": "court_cost", "amount": "1", "incurred_on": "2026-04-01", "description": "x"},
    )
    assert response.status_code == 404


def test_the_manager_approves_from_the_pending_list(client):
    case, lawyer, manager = _case()
    cost = _cost(case, lawyer, "700000")
    _other_case, other_lawyer, _ = _case()
    elsewhere = _cost(_other_case, other_lawyer, "900000")
    client.force_login(manager)
    page = client.get(reverse("legal:costs-pending"))
    assert page.status_code == 200
    assert list(page.context["costs"]) == [cost]  # not another creditor's
    response = client.post(
        reverse("legal:cost-decide", args=[cost.pk]),
        {"approve": "1", "note": "", "next": "pending"},
    )
    assert response.status_code == 302
    cost.refresh_from_db()
    assert cost.status == CostStatus.APPROVED
    # Another creditor's cost is a 404.
    response = client.post(reverse("legal:cost-decide", args=[elsewhere.pk]), {"approve": "1"})
    assert response.status_code == 404


def test_the_manager_edits_the_creditors_legal_rules(client):
    case, lawyer, manager = _case()
    client.force_login(manager)
    url = reverse("legal:settings-edit", args=[case.creditor.pk])
    assert client.get(url).status_code == 200
    values = {
        "cost_approval_limit": "300000",
        "chargeable_ceiling_pct": "15",
        "fixed_fee": "0",
        "success_fee_pct": "10",
        "costs_disclosed": "on",
    }
    assert client.post(url, {**values, "chargeable_ceiling_pct": "150"}).status_code == 400
    assert client.post(url, values).status_code == 302
    rules = LegalSettings.objects.get(creditor=case.creditor)
    assert rules.chargeable_ceiling_pct == Decimal(15) and rules.cost_approval_limit == 300000
    _other_case, _l, _m = _case()
    other_url = reverse("legal:settings-edit", args=[_other_case.creditor.pk])
    assert client.get(other_url).status_code == 404
    client.force_login(lawyer)
    assert client.get(url).status_code == 404


def test_the_costs_section_renders_inside_another_page_from_case_and_user():
    from django.template.loader import render_to_string

    case, lawyer, manager = _case()
    cost = _cost(case, lawyer, "700000", receipt=False)
    html = render_to_string("legal/_case_costs.html", {"case": case, "user": manager})
    assert reverse("legal:cost-decide", args=[cost.pk]) in html
    assert reverse("legal:cost-add", args=[case.pk]) in html
    assert str(ChargeableReason.PENDING.label) in html
    html = render_to_string("legal/_case_costs.html", {"case": case, "user": lawyer})
    assert reverse("legal:cost-decide", args=[cost.pk]) not in html


def test_the_settings_index_opens_the_managers_first_creditor(client):
    case, lawyer, manager = _case()
    client.force_login(manager)
    response = client.get(reverse("legal:settings"))
    assert response.url == reverse("legal:settings-edit", args=[case.creditor.pk])
    client.force_login(lawyer)
    assert client.get(reverse("legal:settings")).status_code == 403


def test_the_pending_costs_page_shows_a_cost_the_system_recorded(client):
    # A cost with no recording user (written by the system) is listed, not a 500.
    case, _lawyer, manager = _case()
    LegalCost.objects.create(
        case=case,
        kind="court_cost",
        amount=Decimal("2500000"),
        currency="COP",
        incurred_on=DAY,
        description="Arancel del sistema",
        status="pending_approval",
    )
    client.force_login(manager)
    response = client.get(reverse("legal:costs-pending"))
    assert response.status_code == 200 and "Arancel del sistema" in response.content.decode()
