"""`/api/v1/legal-cases/`: scoping, the case's details, updates and the court steps as actions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.dates import business_today
from core.exceptions import ApplicationError
from legal.models import CASE_TRANSITIONS, CaseState, LegalCase
from legal.services.cases import case_transition, case_update
from legal.services.documents import document_add
from tests.factories.legal import make_case
from tests.factories.portfolio import PaymentFactory
from tests.factories.users import AdminFactory, CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

RADICADO = "11001-31-03-001-2026-00123-00"  # 23 digits once spaces and dashes go
AS_OF = datetime.date(2026, 11, 2)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(case=None, action=None) -> str:
    if case is None:
        return "/api/v1/legal-cases/"
    return f"/api/v1/legal-cases/{case.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def two_firms():
    mine, theirs = make_case(), make_case()
    return mine, theirs, LawyerFactory(firms=[mine.firm])


def test_a_lawyer_lists_only_their_firms_cases_and_another_firms_is_a_404_everywhere(two_firms):
    mine, theirs, lawyer = two_firms
    client = api(lawyer)

    listed = client.get(url()).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client.get(url(theirs)).status_code == 404
    assert client.patch(url(theirs), {"court": "Juzgado 1"}, format="json").status_code == 404
    for name in CASE_TRANSITIONS:
        response = client.post(url(theirs, name), {"note": "x"}, format="json")
        assert response.status_code == 404, name
    # Nothing of theirs moved or changed.
    theirs.refresh_from_db(fields=["court"])
    assert theirs.court == "" and not theirs.changes.exists()


def test_a_collector_lists_nothing_and_a_user_without_a_role_is_refused(two_firms):
    mine, _theirs, _lawyer = two_firms
    collector = api(CollectorFactory())
    assert collector.get(url()).json()["results"] == []
    assert collector.get(url(mine)).status_code == 404
    assert collector.post(url(mine, "file"), {"note": "x"}, format="json").status_code == 404


def test_the_list_filters(two_firms):
    mine, theirs, _lawyer = two_firms
    LegalCase.objects.filter(pk=mine.pk).update(
        next_action_on=datetime.date(2026, 11, 10), court="Juzgado 5 Civil"
    )
    client = api(AdminFactory())

    def ids(**query):
        response = client.get(url(), query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(firm=mine.firm_id) == [mine.pk]
    assert ids(creditor=theirs.creditor_id) == [theirs.pk]
    assert ids(next_action_before="2026-11-30") == [mine.pk]
    assert ids(next_action_before="2026-11-01") == []
    assert ids(q="5 civil") == [mine.pk]
    assert ids(q=theirs.debt.debt_ref) == [theirs.pk]
    # By next action date, cases without one last.
    assert ids(state="prepared") == [mine.pk, theirs.pk]
    assert client.get(url(), {"state": "nonsense"}).status_code == 400
    assert client.get(url(), {"firm": "0"}).status_code == 400


def test_the_detail_has_the_debt_balance_documents_changes_and_payments_since_hand_off(
    two_firms, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    mine, _theirs, lawyer = two_firms
    before = PaymentFactory(
        debt=mine.debt, paid_at=datetime.datetime(2026, 2, 1, 15, tzinfo=datetime.UTC)
    )
    after = PaymentFactory(
        debt=mine.debt, paid_at=datetime.datetime(2026, 4, 1, 15, tzinfo=datetime.UTC)
    )
    scan = document_add(
        user=lawyer,
        case=mine,
        kind="promissory_note",
        upload=SimpleUploadedFile("pagare.pdf", b"%PDF-1.4 scan", "application/pdf"),
    )

    body = api(lawyer).get(url(mine)).json()

    assert body["debt_summary"]["debt_ref"] == mine.debt.debt_ref
    assert body["balance"] == str(mine.debt.balance) and body["currency"] == "COP"
    assert [p["id"] for p in body["payments"]] == [after.pk]
    assert before.pk not in [p["id"] for p in body["payments"]]
    assert body["documents"][0]["download_url"] == reverse(
        "legal:document-download", args=[mine.pk, scan.pk]
    )
    assert body["changes"][0]["changed_by"] == lawyer.pk


def test_patch_checks_the_radicado_and_records_the_change(two_firms):
    mine, _theirs, lawyer = two_firms
    client = api(lawyer)

    bad = client.patch(url(mine), {"case_number": "11001-31-03-001"}, format="json")
    assert bad.status_code == 400 and "case_number" in bad.json()

    good = client.patch(
        url(mine),
        {"case_number": RADICADO, "court": "Juzgado 3 Civil", "next_action_on": "2026-12-01"},
        format="json",
    )
    assert good.status_code == 200, good.content
    assert good.json()["case_number"] == "11001310300120260012300"
    assert good.json()["next_action_on"] == "2026-12-01"
    change = mine.changes.get()
    # The record says what changed, to what.
    assert change.changed_by == lawyer and "Juzgado 3 Civil" in change.note
    assert "11001310300120260012300" in change.note


def test_a_transition_needs_its_note_and_fields_and_is_recorded(two_firms):
    mine, _theirs, lawyer = two_firms
    client = api(lawyer)

    no_note = client.post(url(mine, "file"), {"case_number": RADICADO}, format="json")
    assert no_note.status_code == 400 and "note" in no_note.json()
    no_date = client.post(url(mine, "file"), {"note": "Radicada", "case_number": RADICADO})
    assert no_date.status_code == 400 and "filed_on" in no_date.json()
    ahead = client.post(
        url(mine, "file"),
        {"note": "Radicada", "case_number": RADICADO, "filed_on": "2099-01-01"},
        format="json",
    )
    assert ahead.status_code == 400 and "filed_on" in ahead.json()

    filed = client.post(
        url(mine, "file"),
        {"note": "Radicada en reparto", "case_number": RADICADO, "filed_on": "2026-03-20"},
        format="json",
    )

    assert filed.status_code == 200, filed.content
    assert filed.json()["state"] == "filed" and filed.json()["filed_on"] == "2026-03-20"
    change = mine.changes.get(transition="file")
    assert (change.from_state, change.to_state, change.changed_by) == ("prepared", "filed", lawyer)
    assert change.note.startswith("Radicada en reparto")


def test_a_step_not_allowed_now_is_a_400_naming_it(two_firms):
    mine, _theirs, lawyer = two_firms
    response = api(lawyer).post(
        url(mine, "order_payment"),
        {"note": "Mandamiento", "payment_order_on": "2026-04-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "order_payment" in response.json()["transition"][0]
    assert LegalCase.objects.get(pk=mine.pk).state == CaseState.PREPARED


def test_close_needs_an_outcome_and_sets_the_closing_day(two_firms):
    mine, _theirs, _lawyer = two_firms
    client = api(ManagerFactory(creditors=[mine.creditor]))
    assert client.post(url(mine, "close"), {"note": "Pagó"}, format="json").status_code == 400

    response = client.post(url(mine, "close"), {"note": "Pagó", "outcome": "paid"}, format="json")

    assert response.status_code == 200, response.content
    case = LegalCase.objects.get(pk=mine.pk)
    assert (case.state, case.outcome, case.closed_on) == ("closed", "paid", business_today())


def test_the_services_refuse_whoever_may_not_work_the_case(two_firms):
    mine, theirs, lawyer = two_firms
    other_manager = ManagerFactory(creditors=[theirs.creditor])
    for user in (CollectorFactory(), other_manager, LawyerFactory(firms=[theirs.firm])):
        with pytest.raises(ApplicationError) as refused:
            case_update(user=user, case=mine, court="X")
        assert refused.value.extra == {"status": 403}
        with pytest.raises(ApplicationError):
            case_transition(
                user=user,
                case=mine,
                transition="file",
                note="x",
                as_of=AS_OF,
                case_number=RADICADO,
                filed_on=AS_OF,
            )
    # The firm's lawyer and an admin may.
    case_update(user=lawyer, case=mine, court="Juzgado 1")
    case = case_transition(
        user=AdminFactory(),
        case=mine,
        transition="file",
        note="Radicada",
        as_of=AS_OF,
        case_number=RADICADO,
        filed_on=datetime.date(2026, 3, 20),
    )
    assert case.state == CaseState.FILED


def test_every_step_has_its_action(two_firms):
    mine, _theirs, lawyer = two_firms
    client = api(lawyer)
    for name in CASE_TRANSITIONS:
        response = client.post(url(mine, name), {}, format="json")
        # Reached (not a 404/405): refused for the missing note.
        assert response.status_code == 400 and "note" in response.json(), name


def test_a_closed_case_cannot_be_updated_and_empty_fields_of_other_steps_are_ignored(two_firms):
    mine, _theirs, lawyer = two_firms
    # A form sending every step's fields, empty where this step needs none.
    case = case_transition(
        user=lawyer,
        case=mine,
        transition="close",
        note="Retirada",
        as_of=AS_OF,
        outcome="withdrawn",
        case_number="",
        filed_on=None,
    )
    assert case.state == CaseState.CLOSED
    with pytest.raises(ApplicationError) as refused:
        case_update(user=lawyer, case=case, court="Juzgado 2")
    assert refused.value.extra == {"status": 409}
    with pytest.raises(ApplicationError) as again:
        case_transition(user=lawyer, case=case, transition="close", note="x", as_of=AS_OF)
    assert again.value.field == "transition" and "close" in again.value.message


def test_the_list_costs_the_same_queries_for_one_case_or_many(django_assert_num_queries):
    admin = AdminFactory()
    client = api(admin)
    make_case()
    client.get(url())  # warm the role cache and the content types
    with django_assert_num_queries(2) as one:  # count + page
        client.get(url())
    for _ in range(4):
        make_case()
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(url()).json()["results"]) == 5
