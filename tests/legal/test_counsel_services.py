"""Working a case: the court details, the court's steps, measures and deposits, and who may."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from core.exceptions import ApplicationError
from legal.models import CaseState, LegalCaseChange
from legal.services.cases import (
    case_number_clean,
    case_transition,
    case_transitions_available,
    case_update,
    deposit_save,
    measure_save,
)
from tests.factories.legal import make_case
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 4, 10)
RADICADO = "11001-40-03-012-2026-00123-00"


def test_a_colombian_radicado_has_23_digits_stored_without_separators():
    assert case_number_clean(country="CO", value=RADICADO) == "11001400301220260012300"
    assert case_number_clean(country="CO", value="") == ""
    for bad in ("1100140030122026001230", "110014003012202600123001", "11001-40-03-ABC"):
        with pytest.raises(ApplicationError) as error:
            case_number_clean(country="CO", value=bad)
        assert error.value.field == "case_number"
    # Mexico and the US: free text up to 40 characters.
    assert case_number_clean(country="MX", value="Exp. 123/2026") == "Exp. 123/2026"
    with pytest.raises(ApplicationError):
        case_number_clean(country="US", value="x" * 41)


def _file(case, lawyer, *, note):
    """The lawyer files `case` under RADICADO, filed on 8 April 2026."""
    return case_transition(
        user=lawyer,
        case=case,
        transition="file",
        note=note,
        as_of=AS_OF,
        case_number=RADICADO,
        filed_on=datetime.date(2026, 4, 8),
    )


def test_the_lawyer_files_the_case_with_its_number_and_date_and_the_history_says_why():
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    # When the lawyer records the filing with a reason
    case = _file(case, lawyer, note="Demanda radicada en línea")
    # Then the case is filed, the radicado stored as digits, and the change recorded
    case.refresh_from_db()
    assert case.state == CaseState.FILED
    assert case.case_number == "11001400301220260012300"
    assert case.filed_on == datetime.date(2026, 4, 8)
    change = LegalCaseChange.objects.get(case=case)
    assert (change.from_state, change.to_state, change.transition) == ("prepared", "filed", "file")
    assert change.changed_by == lawyer and "Demanda radicada" in change.note
    assert case_transitions_available(case) == ["order_payment", "close"]


@pytest.mark.parametrize(
    ("language", "written"),
    [("es", "fecha de radicación: 08/04/2026"), ("en", "filing date: 04/08/2026")],
)
def test_the_history_writes_a_date_as_the_writers_language_does(language, written):
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    with translation.override(language):
        _file(case, lawyer, note="Demanda radicada")
    note = LegalCaseChange.objects.get(case=case).note
    assert written in note and "2026-04-08" not in note


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"case_number": "123", "filed_on": datetime.date(2026, 4, 8)}, "case_number"),
        ({"case_number": RADICADO}, "filed_on"),
        ({"case_number": RADICADO, "filed_on": datetime.date(2026, 4, 11)}, "filed_on"),
    ],
)
def test_filing_without_what_the_step_needs_changes_nothing(fields, field):
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    with pytest.raises(ApplicationError) as error:
        case_transition(user=lawyer, case=case, transition="file", note="x", as_of=AS_OF, **fields)
    assert error.value.field == field
    case.refresh_from_db()
    assert case.state == CaseState.PREPARED and case.case_number == ""
    assert not case.changes.exists()


def test_a_step_not_possible_now_or_without_a_reason_changes_nothing():
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    with pytest.raises(ApplicationError) as error:
        case_transition(
            user=lawyer,
            case=case,
            transition="order_payment",
            note="Mandamiento",
            as_of=AS_OF,
            payment_order_on=AS_OF,
        )
    assert error.value.field == "transition"
    with pytest.raises(ApplicationError) as error:
        case_transition(user=lawyer, case=case, transition="close", note=" ", as_of=AS_OF)
    assert error.value.field == "note"
    with pytest.raises(ApplicationError) as error:
        case_transition(user=lawyer, case=case, transition="close", note="x", as_of=AS_OF)
    assert error.value.field == "outcome"
    case.refresh_from_db()
    assert case.state == CaseState.PREPARED and not case.changes.exists()


def test_closing_keeps_the_outcome_and_the_date():
    case = make_case()
    manager = ManagerFactory(creditors=[case.creditor])
    case_transition(
        user=manager,
        case=case,
        transition="close",
        note="El deudor pagó",
        as_of=AS_OF,
        outcome="paid",
    )
    case.refresh_from_db()
    assert (case.state, case.outcome, case.closed_on) == (CaseState.CLOSED, "paid", AS_OF)
    assert case_transitions_available(case) == []


def test_only_the_firms_lawyers_and_the_creditors_managers_work_a_case():
    case = make_case()
    other_case = make_case()
    for outsider in (
        LawyerFactory(firms=[other_case.firm]),
        ManagerFactory(creditors=[other_case.creditor]),
        CollectorFactory(),
    ):
        with pytest.raises(ApplicationError):
            case_update(user=outsider, case=case, court="Juzgado 1")
        with pytest.raises(ApplicationError):
            case_transition(
                user=outsider, case=case, transition="close", note="x", as_of=AS_OF, outcome="lost"
            )
    case.refresh_from_db()
    assert case.court == "" and case.state == CaseState.PREPARED


def test_an_update_records_what_changed_and_rejects_a_bad_radicado():
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    case_update(
        user=lawyer,
        case=case,
        court="Juzgado 12 Civil Municipal",
        court_city="Bogotá",
        next_action="Revisar el auto",
        next_action_on=datetime.date(2026, 4, 20),
    )
    case.refresh_from_db()
    assert case.court == "Juzgado 12 Civil Municipal"
    assert "Juzgado 12 Civil Municipal" in case.changes.get().note
    # Nothing changed: nothing recorded.
    case_update(user=lawyer, case=case, court="Juzgado 12 Civil Municipal")
    assert case.changes.count() == 1
    with pytest.raises(ApplicationError) as error:
        case_update(user=lawyer, case=case, case_number="12345", court="Otro")
    assert error.value.field == "case_number"
    case.refresh_from_db()
    assert case.court == "Juzgado 12 Civil Municipal" and case.case_number == ""


def test_measures_and_deposits_are_kept_with_their_currency():
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    measure = measure_save(
        user=lawyer,
        case=case,
        asset="account",
        description="Cuenta de ahorros Banco X",
        amount=Decimal("2000000"),
        currency="",
        status="requested",
    )
    assert measure.currency == "COP"
    measure_save(user=lawyer, case=case, measure=measure, status="decreed", decreed_on=AS_OF)
    measure.refresh_from_db()
    assert measure.status == "decreed" and measure.decreed_on == AS_OF
    deposit = deposit_save(
        user=lawyer,
        case=case,
        amount=Decimal("350000"),
        currency="COP",
        received_on=AS_OF,
        reference="TDJ-001",
        note="",
    )
    assert deposit.case == case
    with pytest.raises(ApplicationError):
        deposit_save(user=lawyer, case=case, amount=Decimal("0"), currency="COP", received_on=AS_OF)
    assert case.deposits.count() == 1
    assert case.changes.count() == 3


def test_a_case_number_typed_in_beforehand_serves_the_filing():
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    case_update(user=lawyer, case=case, case_number=RADICADO)
    case = case_transition(
        user=lawyer,
        case=case,
        transition="file",
        note="Radicada",
        as_of=AS_OF,
        filed_on=datetime.date(2026, 4, 9),
    )
    assert case.state == CaseState.FILED and case.case_number == "11001400301220260012300"
