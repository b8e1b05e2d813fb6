"""The counsel workspace and the case page: what a lawyer sees, what they may do, and that
another firm's case (or a staff page outside the legal stage) shows them nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from legal.models import CaseState, LegalDocument
from tests.factories.legal import make_case
from tests.factories.portfolio import PaymentFactory
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

RADICADO = "11001 40 03 012 2026 00123 00"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _detail(case):
    return reverse("legal:case-detail", args=[case.pk])


def test_a_lawyer_lands_on_their_cases_and_sees_only_the_legal_nav(client):
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    client.force_login(lawyer)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("legal:workspace")
    html = response.content.decode()
    assert case.debt.debtor.full_name in html
    for elsewhere in ("portfolio:debt-list", "collections:queue", "analytics:dashboard"):
        assert f'href="{reverse(elsewhere)}"' not in html


def test_staff_pages_outside_the_legal_stage_show_a_lawyer_nothing(client):
    # Given a lawyer whose firm has a case on a debt
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    client.force_login(lawyer)
    name = case.debt.debtor.full_name
    # Then no staff page outside the legal stage shows them that debt (or any data)
    for url in (
        reverse("portfolio:debt-list"),
        reverse("collections:queue"),
        reverse("complaints:queue"),
        reverse("portfolio:debt-detail", args=[case.debt_id]),
        reverse("collections:tasks"),
        reverse("collections:inbox"),
        reverse("agreements:list"),
        reverse("messaging:call-list"),
        reverse("messaging:outbox"),
        reverse("collections:approvals"),
        reverse("bureau:run-list"),
        reverse("experiments:list"),
    ):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        assert name not in response.content.decode(), url
        assert case.debt.debt_ref not in response.content.decode(), url
    assert client.get(reverse("analytics:dashboard")).status_code in (403, 404)


def test_my_cases_overdue_first_filters_search_and_empty_state(client):
    lawyer = LawyerFactory()
    later = make_case(next_action_on=datetime.date(2099, 1, 1))
    lawyer.law_firms.add(later.firm)
    overdue = make_case(firm=later.firm, next_action_on=datetime.date(2020, 1, 1), lawyer=lawyer)
    none_set = make_case(firm=later.firm)
    theirs = make_case()
    client.force_login(lawyer)
    html = client.get(reverse("legal:workspace")).content.decode()
    names = [c.debt.debtor.full_name for c in (overdue, later, none_set)]
    positions = [html.index(n) for n in names]
    assert positions == sorted(positions)
    assert theirs.debt.debtor.full_name not in html
    assert "Vencida" in html or "Overdue" in html
    # Mine vs the firm's
    html = client.get(reverse("legal:workspace"), {"scope": "mine"}).content.decode()
    assert names[0] in html and names[1] not in html
    # Next action within N days: only the overdue one
    html = client.get(reverse("legal:workspace"), {"within": 30}).content.decode()
    assert names[0] in html and names[1] not in html and names[2] not in html
    # Search by document number
    document = later.debt.debtor.document_number
    html = client.get(reverse("legal:workspace"), {"q": document}).content.decode()
    assert names[1] in html and names[0] not in html
    # The list shows documents masked (the full one is on the case page, and logged there).
    debtor = later.debt.debtor
    kind = debtor.get_document_type_display()
    assert f"{kind} {document}" not in html and f"{kind} {debtor.masked_document}" in html
    # A state no case is in: the empty state; a bad filter: 400
    response = client.get(reverse("legal:workspace"), {"state": "auction"})
    assert response.status_code == 200 and 'class="empty-state"' in response.content.decode()
    assert client.get(reverse("legal:workspace"), {"within": "-3"}).status_code == 400


def test_the_case_page_shows_the_debt_the_payments_since_hand_over_and_the_court(client):
    case = make_case(court="Juzgado 12 Civil Municipal", court_city="Bogotá")
    before = PaymentFactory(
        debt=case.debt, paid_at=datetime.datetime(2026, 1, 5, 15, tzinfo=datetime.UTC)
    )
    after = PaymentFactory(
        debt=case.debt, paid_at=datetime.datetime(2026, 3, 20, 15, tzinfo=datetime.UTC)
    )
    client.force_login(ManagerFactory(creditors=[case.creditor]))
    html = client.get(_detail(case)).content.decode()
    assert case.debt.debtor.full_name in html and "Juzgado 12 Civil Municipal" in html
    assert "COP" in html or "$" in html
    assert after.reference in html and before.reference not in html
    assert case.firm.name in html


def test_the_lawyer_files_the_case_from_the_page(client):
    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    client.force_login(lawyer)
    response = client.post(
        reverse("legal:case-transition", args=[case.pk]),
        {
            "transition": "file",
            "file-note": "Radicada",
            "file-case_number": RADICADO,
            "file-filed_on": "2020-02-03",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.FILED and case.case_number == "11001400301220260012300"
    html = client.get(_detail(case)).content.decode()
    assert "Radicada" in html and "11001400301220260012300" in html


def test_a_bad_radicado_is_a_400_and_nothing_changes(client):
    case = make_case()
    client.force_login(LawyerFactory(firms=[case.firm]))
    response = client.post(
        reverse("legal:case-update", args=[case.pk]), {"case_number": "123-45", "court": "J1"}
    )
    assert response.status_code == 400
    assert "23" in response.content.decode()
    response = client.post(
        reverse("legal:case-transition", args=[case.pk]),
        {
            "transition": "file",
            "file-note": "x",
            "file-case_number": "1" * 22,
            "file-filed_on": "2020-02-03",
        },
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.court == "" and case.state == CaseState.PREPARED and not case.changes.exists()


def test_a_step_not_possible_now_is_a_400_and_nothing_changes(client):
    case = make_case()
    client.force_login(LawyerFactory(firms=[case.firm]))
    response = client.post(
        reverse("legal:case-transition", args=[case.pk]),
        {"transition": "auction", "auction-note": "Remate"},
    )
    assert response.status_code == 400
    assert "Preparado" in response.content.decode() or "Prepared" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.PREPARED and not case.changes.exists()


def test_measures_deposits_and_documents_from_the_page(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    client.force_login(LawyerFactory(firms=[case.firm]))
    assert (
        client.post(
            reverse("legal:measure-add", args=[case.pk]),
            {
                "measure-asset": "vehicle",
                "measure-description": "Placa ABC123",
                "measure-amount": "",
                "measure-currency": "",
                "measure-status": "requested",
            },
        ).status_code
        == 302
    )
    measure = case.measures.get()
    assert (
        client.post(
            reverse("legal:measure-edit", args=[case.pk, measure.pk]),
            {
                f"m{measure.pk}-asset": "vehicle",
                f"m{measure.pk}-description": "Placa ABC123",
                f"m{measure.pk}-currency": "COP",
                f"m{measure.pk}-status": "decreed",
                f"m{measure.pk}-decreed_on": "2026-04-01",
            },
        ).status_code
        == 302
    )
    measure.refresh_from_db()
    assert measure.status == "decreed"
    assert (
        client.post(
            reverse("legal:deposit-add", args=[case.pk]),
            {
                "deposit-amount": "250000",
                "deposit-currency": "COP",
                "deposit-received_on": "2026-04-02",
                "deposit-reference": "TDJ-9",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("legal:deposit-add", args=[case.pk]),
            {"deposit-amount": "-5", "deposit-currency": "COP", "deposit-received_on": "x"},
        ).status_code
        == 400
    )
    response = client.post(
        reverse("legal:document-upload", args=[case.pk]),
        {"kind": "claim", "file": SimpleUploadedFile("demanda.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    document = LegalDocument.objects.get(case=case)
    html = client.get(_detail(case)).content.decode()
    assert "Placa ABC123" in html and "TDJ-9" in html and "demanda.pdf" in html
    assert reverse("legal:document-download", args=[case.pk, document.pk]) in html
    # Not a PDF: 400 and no document
    response = client.post(
        reverse("legal:document-upload", args=[case.pk]),
        {"kind": "claim", "file": SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf")},
    )
    assert response.status_code == 400
    assert LegalDocument.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("who", ["other_lawyer", "collector", "other_manager"])
def test_another_firms_or_creditors_case_is_a_404_everywhere(client, settings, tmp_path, who):
    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    other = make_case()
    user = {
        "other_lawyer": lambda: LawyerFactory(firms=[other.firm]),
        "collector": CollectorFactory,
        "other_manager": lambda: ManagerFactory(creditors=[other.creditor]),
    }[who]()
    client.force_login(user)
    assert client.get(_detail(case)).status_code == 404
    assert case.debt.debtor.full_name not in client.get(reverse("legal:workspace")).content.decode()
    posts = {
        "legal:case-update": {"court": "J"},
        "legal:case-transition": {
            "transition": "close",
            "close-note": "x",
            "close-outcome": "lost",
        },
        "legal:measure-add": {"measure-asset": "other", "measure-description": "x"},
        "legal:deposit-add": {"deposit-amount": "1", "deposit-received_on": "2026-01-01"},
        "legal:document-upload": {
            "kind": "claim",
            "file": SimpleUploadedFile("d.pdf", PDF, "application/pdf"),
        },
    }
    for name, data in posts.items():
        assert client.post(reverse(name, args=[case.pk]), data).status_code == 404, name
    case.refresh_from_db()
    assert case.state == CaseState.PREPARED and case.court == ""
    assert not case.changes.exists() and not case.measures.exists()


def test_my_cases_pages_by_25_and_a_manager_sees_their_creditors_cases(client):
    first = make_case()
    for _ in range(25):
        make_case(firm=first.firm, creditor=first.creditor)
    manager = ManagerFactory(creditors=[first.creditor])
    client.force_login(manager)
    response = client.get(reverse("legal:workspace"))
    assert len(response.context["page"].object_list) == 25
    assert "scope" not in response.context["form"].fields
    second = client.get(reverse("legal:workspace"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


def test_opening_the_case_page_or_building_the_bundle_logs_the_view_of_the_debtors_document(
    client,
):
    from legal.services.bundle import bundle_build
    from portfolio.models import DebtorDataAccess

    case = make_case()
    lawyer = LawyerFactory(firms=[case.firm])
    client.force_login(lawyer)
    assert client.get(reverse("legal:case-detail", args=[case.pk])).status_code == 200
    bundle_build(user=lawyer, case=case, as_of=case.handed_over_on)
    rows = DebtorDataAccess.objects.filter(debtor=case.debt.debtor, user=lawyer)
    assert [(r.data, r.via) for r in rows] == [("document", "legal")] * 2
    assert {r.purpose for r in rows} == {
        f"legal case {case.pk}",
        f"filing bundle of legal case {case.pk}",
    }
