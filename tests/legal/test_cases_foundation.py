"""The legal case's machine and who sees a case."""

import pytest
from django.db import IntegrityError
from django_fsm import can_proceed

from legal.models import CaseState, LegalCase
from legal.selectors.cases import cases_for_user, firms_for_user
from tests.factories.legal import LawFirmFactory, make_case
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db


def test_the_court_steps_in_order_and_skips_only_where_the_law_allows():
    case = make_case()
    assert case.state == CaseState.PREPARED
    assert not can_proceed(case.order_payment)  # not filed yet
    for step in ("file", "order_payment", "notify"):
        getattr(case, step)()
    # No defences filed: straight to the order to proceed.
    assert can_proceed(case.decide)
    case.decide()
    case.liquidate()
    case.decree_seizure()
    case.serve_seizure()
    case.auction()
    case.close()
    assert case.state == CaseState.CLOSED
    assert not can_proceed(case.close)


def test_one_open_case_per_debt():
    case = make_case()
    with pytest.raises(IntegrityError):
        LegalCase.objects.create(
            debt=case.debt,
            creditor=case.creditor,
            firm=case.firm,
            handed_over_on=case.handed_over_on,
        )


def test_a_lawyer_sees_their_firms_cases_a_manager_their_creditors_a_collector_none():
    mine, theirs = make_case(), make_case()
    lawyer = LawyerFactory(firms=[mine.firm])
    manager = ManagerFactory(creditors=[theirs.creditor])
    assert list(cases_for_user(lawyer)) == [mine]
    assert list(cases_for_user(manager)) == [theirs]
    assert not cases_for_user(CollectorFactory()).exists()
    assert list(firms_for_user(lawyer)) == [mine.firm]
    assert list(firms_for_user(manager)) == [theirs.firm]
    # A firm that is no longer active shows its lawyers nothing.
    LawFirmFactory._meta.model.objects.filter(pk=mine.firm_id).update(is_active=False)
    assert not cases_for_user(lawyer).exists()


def test_a_document_downloads_only_through_a_case_the_user_sees(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from legal.services.documents import document_add

    settings.MEDIA_ROOT = tmp_path
    mine, theirs = make_case(), make_case()
    lawyer = LawyerFactory(firms=[mine.firm])
    scans = [
        document_add(
            user=None,
            case=case,
            kind="promissory_note",
            upload=SimpleUploadedFile("pagare.pdf", b"%PDF-1.4 scan", "application/pdf"),
        )
        for case in (mine, theirs)
    ]
    client.force_login(lawyer)
    own = client.get(reverse("legal:document-download", args=[mine.pk, scans[0].pk]))
    assert own.status_code == 200 and b"".join(own.streaming_content) == b"%PDF-1.4 scan"
    # Another firm's case, or a document of another case through mine: 404, never a 403.
    assert (
        client.get(reverse("legal:document-download", args=[theirs.pk, scans[1].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("legal:document-download", args=[mine.pk, scans[1].pk])).status_code
        == 404
    )
    assert len(scans[0].sha256) == 64


def test_the_debt_page_shows_its_court_case_without_an_extra_query(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    case = make_case(case_number="11001310300120250012300")
    manager = ManagerFactory(creditors=[case.creditor])
    client.force_login(manager)
    url = reverse("portfolio:debt-detail", args=[case.debt_id])
    with CaptureQueriesContext(connection) as with_case:
        body = client.get(url).content.decode()
    assert "11001310300120250012300" in body and case.firm.name in body
    assert reverse("legal:case-detail", args=[case.pk]) in body
    # The same page on a debt in legal without a case: the same number of queries.
    other = make_case(creditor=case.creditor, firm=case.firm)
    LegalCase.objects.filter(pk=other.pk).delete()
    with CaptureQueriesContext(connection) as without_case:
        page = client.get(reverse("portfolio:debt-detail", args=[other.debt_id]))
    assert "In the legal stage, not handed over to a law firm yet." in page.content.decode()
    assert len(with_case.captured_queries) == len(without_case.captured_queries)
