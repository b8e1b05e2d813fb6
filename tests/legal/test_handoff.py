"""Handing debts in `legal` over to a law firm, one or many, and what is refused."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import ApplicationError
from legal.models import CaseState, LegalCase, LegalCaseChange, LegalDocument
from legal.services.handoff import case_handoff
from portfolio.models import Debt, Stage
from tests.factories.legal import LawFirmFactory, make_case
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def poa(name="poder.pdf", content=b"%PDF-1.4 power of attorney"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def legal_debt(creditor, stage=Stage.LEGAL):
    debt = DebtFactory(creditor=creditor, due_date=datetime.date(2025, 2, 1))
    Debt.objects.filter(pk=debt.pk).update(stage=stage)
    debt.refresh_from_db()
    return debt


@pytest.fixture
def world():
    creditor = CreditorFactory()
    manager = ManagerFactory(creditors=[creditor])
    firm = LawFirmFactory(creditors=[creditor])
    return creditor, manager, firm


def test_one_debt_is_handed_over_with_its_power_of_attorney(world):
    creditor, manager, firm = world
    lawyer = LawyerFactory(firms=[firm])
    debt = legal_debt(creditor)
    [case] = case_handoff(
        user=manager,
        debts=[debt],
        firm=firm,
        lawyer=lawyer,
        power_of_attorney=poa(),
        note="Pagaré original en custodia.",
        as_of=AS_OF,
    )
    assert (case.state, case.firm, case.lawyer, case.creditor) == (
        CaseState.PREPARED,
        firm,
        lawyer,
        creditor,
    )
    assert (case.handed_over_on, case.handed_over_by) == (AS_OF, manager)
    document = LegalDocument.objects.get(case=case)
    assert document.kind == LegalDocument.Kind.POWER_OF_ATTORNEY
    change = LegalCaseChange.objects.get(case=case, transition="handoff")
    assert "Pagaré original en custodia." in change.note
    assert change.changed_by == manager


def test_many_debts_in_one_go_each_with_the_power_of_attorney(world):
    creditor, manager, firm = world
    debts = [legal_debt(creditor) for _ in range(3)]
    cases = case_handoff(
        user=manager,
        debts=[d.pk for d in reversed(debts)],
        firm=firm,
        power_of_attorney=poa(),
        note="",
        as_of=AS_OF,
    )
    assert sorted(c.debt_id for c in cases) == sorted(d.pk for d in debts)
    assert LegalDocument.objects.filter(case__in=cases, kind="power_of_attorney").count() == 3


def _refused(world_user, firm, debts, **kwargs):
    before = LegalCase.objects.count()
    with pytest.raises(ApplicationError) as exc:
        case_handoff(
            user=world_user,
            debts=debts,
            firm=firm,
            power_of_attorney=kwargs.pop("power_of_attorney", poa()),
            note="",
            as_of=AS_OF,
            **kwargs,
        )
    assert LegalCase.objects.count() == before  # nothing half-written
    return exc.value


def test_a_debt_not_in_legal_is_refused_and_the_batch_with_it(world):
    creditor, manager, firm = world
    ok = legal_debt(creditor)
    pre_legal = legal_debt(creditor, stage=Stage.PRE_LEGAL)
    error = _refused(manager, firm, [ok, pre_legal])
    assert error.field == "debts"
    assert pre_legal.debt_ref in error.message


def test_a_debt_with_an_open_case_is_refused_a_double_submit_changes_nothing(world):
    creditor, manager, firm = world
    debt = legal_debt(creditor)
    case_handoff(
        user=manager, debts=[debt], firm=firm, power_of_attorney=poa(), note="", as_of=AS_OF
    )
    error = _refused(manager, firm, [debt])
    assert "already" in error.message
    assert LegalCase.objects.filter(debt=debt).count() == 1


def test_a_firm_the_creditor_does_not_retain_is_refused(world):
    creditor, manager, _firm = world
    other_firm = LawFirmFactory(creditors=[CreditorFactory()])
    error = _refused(manager, other_firm, [legal_debt(creditor)])
    assert error.field == "firm"


def test_an_inactive_firm_is_refused(world):
    creditor, manager, firm = world
    firm.is_active = False
    firm.save(update_fields=["is_active"])
    assert _refused(manager, firm, [legal_debt(creditor)]).field == "firm"


def test_without_a_power_of_attorney_or_with_a_fake_one_nothing_happens(world):
    creditor, manager, firm = world
    debt = legal_debt(creditor)
    assert _refused(manager, firm, [debt], power_of_attorney=None).field == "power_of_attorney"
    fake = poa("poder.pdf", b"MZ not a pdf")
    assert _refused(manager, firm, [debt], power_of_attorney=fake).field == "power_of_attorney"


def test_another_creditors_debt_is_not_found(world):
    _creditor, manager, firm = world
    other = CreditorFactory()
    firm.creditors.add(other)
    error = _refused(manager, firm, [legal_debt(other)])
    assert error.field == "debts"


def test_a_lawyer_of_another_firm_is_refused(world):
    creditor, manager, firm = world
    stranger = LawyerFactory(firms=[LawFirmFactory()])
    assert _refused(manager, firm, [legal_debt(creditor)], lawyer=stranger).field == "lawyer"


def test_a_closed_case_does_not_block_a_new_hand_off(world):
    creditor, manager, firm = world
    old = make_case(debt=legal_debt(creditor), firm=firm)
    LegalCase.objects.filter(pk=old.pk).update(state=CaseState.CLOSED)
    [case] = case_handoff(
        user=manager, debts=[old.debt], firm=firm, power_of_attorney=poa(), note="", as_of=AS_OF
    )
    assert case.pk != old.pk
