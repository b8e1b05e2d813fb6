"""The remittance pages: list with filters and empty state, prepare, the statement with its
warnings, issue and void behind confirmations, downloads, commission rates; scoping."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from pypdf import PdfReader

from core.models import ExportRecord
from ledger.models import CommissionRate, Remittance, RemittanceStatus
from ledger.services.remittance import remittance_issue, remittance_prepare
from portfolio.models import Stage
from tests.factories.ledger import CommissionRateFactory
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory
from tests.ledger.remittance_helpers import AS_OF, NOV, pay

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def draft(creditor, manager):
    CommissionRateFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER, percent=Decimal(10))
    paid = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER, debt_ref="OBL-1")
    pay(paid, "100000.00", D(2026, 11, 10))
    no_rate = DebtFactory(creditor=creditor, stage=Stage.FIRM_NOTICE, debt_ref="OBL-2")
    pay(no_rate, "50000.00", D(2026, 11, 12))
    return remittance_prepare(
        creditor=creditor, currency="COP", period_start=NOV[0], period_end=NOV[1],
        user=manager, as_of=AS_OF,
    )  # fmt: skip


def test_the_list_shows_the_managers_statements_and_filters(client, manager, draft):
    other = CreditorFactory(name="Otro Banco")
    remittance_prepare(
        creditor=other, currency="COP", period_start=NOV[0], period_end=NOV[1],
        user=ManagerFactory(creditors=[other]), as_of=AS_OF,
    )  # fmt: skip
    client.force_login(manager)

    body = client.get("/ledger/remittances/").content.decode()
    assert f'data-remittance="{draft.pk}"' in body and "Otro Banco" not in body
    assert "150,000.00" in body  # collected, in the list

    assert (
        "No statements match" in client.get("/ledger/remittances/?status=issued").content.decode()
    )
    assert client.get("/ledger/remittances/?period_from=9999-01-01").status_code == 400


def test_the_list_has_an_empty_state(client, manager):
    client.force_login(manager)
    body = client.get("/ledger/remittances/").content.decode()
    assert "No statements yet" in body and 'class="ledger-nav"' in body


def test_preparing_a_statement_on_the_page(client, manager, creditor, settings):
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    pay(debt, "25000.00", D(2026, 11, 10))
    client.force_login(manager)
    form = {
        "creditor": creditor.pk,
        "currency": "cop",
        "period_start": "2026-11-01",
        "period_end": "2026-11-30",
    }

    response = client.post("/ledger/remittances/new/", form)

    remittance = Remittance.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/remittances/{remittance.pk}/"
    assert (remittance.currency, remittance.collected) == ("COP", Decimal("25000.00"))
    # The same period again: refused on the page, nothing written
    again = client.post("/ledger/remittances/new/", form)
    assert again.status_code == 400 and "overlaps" in again.content.decode()
    assert Remittance.objects.count() == 1


def test_a_period_ending_in_the_future_is_refused_on_the_page(client, manager, creditor):
    client.force_login(manager)
    response = client.post(
        "/ledger/remittances/new/",
        {
            "creditor": creditor.pk,
            "currency": "COP",
            "period_start": "2026-11-01",
            "period_end": "2199-01-01",
        },
    )
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert not Remittance.objects.exists()


def test_the_statement_page_shows_totals_warnings_and_lines(client, manager, draft):
    client.force_login(manager)

    body = client.get(f"/ledger/remittances/{draft.pk}/").content.decode()

    assert 'data-testid="remittance-warnings"' in body  # OBL-2 has no rate
    assert body.count('data-testid="no-rate"') == 1
    assert "OBL-1" in body and "OBL-2" in body
    assert "150,000.00" in body and "10,000.00" in body and "140,000.00" in body
    assert 'id="dlg-issue"' in body and 'id="dlg-void"' in body


def test_issuing_and_voiding_on_the_page(client, manager, draft):
    client.force_login(manager)

    refused = client.post(f"/ledger/remittances/{draft.pk}/void/", {"reason": ""})
    assert refused.status_code == 400
    draft.refresh_from_db()
    assert draft.status == RemittanceStatus.DRAFT

    assert client.post(f"/ledger/remittances/{draft.pk}/issue/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == RemittanceStatus.ISSUED and len(draft.pdf_sha256) == 64
    body = client.get(f"/ledger/remittances/{draft.pk}/").content.decode()
    assert draft.pdf_sha256 in body and 'id="dlg-void"' not in body
    # An issued statement cannot be voided
    assert (
        client.post(f"/ledger/remittances/{draft.pk}/void/", {"reason": "late"}).status_code == 400
    )


def test_voiding_records_who_and_why(client, manager, draft):
    client.force_login(manager)
    response = client.post(f"/ledger/remittances/{draft.pk}/void/", {"reason": "Wrong currency"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.void_reason) == (RemittanceStatus.VOID, "Wrong currency")
    log = LogEntry.objects.filter(object_id=str(draft.pk)).order_by("id")
    assert [(e.user, e.change_message) for e in log] == [
        (manager, "prepared"),
        (manager, "voided: Wrong currency"),
    ]
    body = client.get(f"/ledger/remittances/{draft.pk}/").content.decode()
    assert "Wrong currency" in body


def test_downloads(client, manager, draft):
    remittance_issue(remittance=draft, user=manager)
    draft.refresh_from_db()
    client.force_login(manager)

    pdf = client.get(f"/ledger/remittances/{draft.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Checksum-SHA256"] == draft.pdf_sha256
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 1

    csv = client.get(f"/ledger/remittances/{draft.pk}/csv/")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "OBL-1" in text and "OBL-2" in text
    assert set(ExportRecord.objects.values_list("export", flat=True)) == {
        "ledger-remittance-pdf",
        "ledger-remittance-csv",
    }


def test_a_manager_of_another_creditor_gets_404(client, draft):
    stranger = ManagerFactory(username="stranger", creditors=[CreditorFactory()])
    client.force_login(stranger)
    for suffix in ("", "pdf/", "csv/"):
        assert client.get(f"/ledger/remittances/{draft.pk}/{suffix}").status_code == 404
    assert client.post(f"/ledger/remittances/{draft.pk}/issue/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == RemittanceStatus.DRAFT


def test_collectors_may_not_open_remittance_pages(client):
    client.force_login(CollectorFactory())
    assert client.get("/ledger/remittances/").status_code == 403
    assert client.get("/ledger/commission/").status_code == 403


def test_the_commission_page_lists_and_adds_rates(client, manager, creditor):
    CommissionRateFactory(creditor=CreditorFactory(name="Ajeno"), percent=Decimal("99"))
    client.force_login(manager)
    assert "No commission rates yet" in client.get("/ledger/commission/").content.decode()

    response = client.post(
        "/ledger/commission/",
        {
            "creditor": creditor.pk,
            "valid_from": "2026-11-01",
            "basis": "age",
            "min_dpd": "31",
            "max_dpd": "60",
            "percent": "12.5",
        },
    )
    assert response.status_code == 302
    rate = CommissionRate.objects.get(creditor=creditor)
    assert (rate.min_dpd, rate.max_dpd, rate.percent) == (31, 60, Decimal("12.50"))
    body = client.get("/ledger/commission/").content.decode()
    assert "31–60" in body and "Ajeno" not in body

    overlapping = client.post(
        "/ledger/commission/",
        {
            "creditor": creditor.pk,
            "valid_from": "2026-11-01",
            "basis": "age",
            "min_dpd": "45",
            "percent": "10",
        },
    )
    assert overlapping.status_code == 400 and "overlaps" in overlapping.content.decode()
    assert CommissionRate.objects.filter(creditor=creditor).count() == 1
