"""The filing bundle: one PDF with the note, the balance certificate, the contacts and every
notice sent with its delivery evidence."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from collections_app.models import Interaction
from core.exceptions import ApplicationError
from legal.models import LegalDocument
from legal.services.bundle import bundle_build
from legal.services.documents import document_add
from messaging.models import ContactAction, LetterProof
from tests.factories.legal import make_case
from tests.factories.messaging import make_message
from tests.factories.portfolio import PaymentFactory
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 60), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _at(day: int, hour: int = 10):
    return datetime.datetime(2026, 11, day, hour, tzinfo=datetime.UTC)


def _raw(document: LegalDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def _case_with_history():
    case = make_case(court="Juzgado 12 Civil Municipal", court_city="Bogotá")
    debt = case.debt
    document_add(
        user=None,
        case=case,
        kind="promissory_note",
        upload=SimpleUploadedFile("pagare.png", _png(), "image/png"),
    )
    document_add(
        user=None,
        case=case,
        kind="promissory_note",
        upload=SimpleUploadedFile("pagare-reverso.pdf", b"%PDF-1.4 reverse", "application/pdf"),
    )
    PaymentFactory(debt=debt, amount=Decimal("50000"), paid_at=_at(2), reference="PAY-EARLY-1")
    Interaction.objects.create(
        debt=debt,
        debtor=debt.debtor,
        collector=CollectorFactory(),
        channel="call",
        outcome="refused",
        note="Dice que no pagara",
        occurred_at=_at(3),
    )
    ContactAction.objects.create(
        debt=debt,
        business_date=datetime.date(2026, 11, 4),
        stage="pre_legal",
        channel="letter",
        template_code="pre_legal_notice",
        status="done",
    )
    sent = [
        make_message(
            debt=debt,
            status="delivered",
            sent_at=_at(5),
            delivered_at=_at(5, 11),
            provider_message_id="SES-0001-DELIVERED",
            subject="Recordatorio de pago",
        ),
        make_message(
            debt=debt,
            channel="sms",
            status="sent",
            sent_at=_at(6),
            provider_message_id="SMS-0002-SENT",
        ),
        make_message(
            debt=debt,
            channel="letter",
            template="pre_legal_notice",
            to="Calle 1 # 2-3\nBogota",
            status="delivered",
            sent_at=_at(7),
            delivered_at=_at(9),
            provider_message_id="472-CERT-0003",
        ),
    ]
    LetterProof.objects.create(
        message=sent[2],
        kind="provider",
        provider="472",
        tracking_number="RN-TRACK-998877",
        received_on=datetime.date(2026, 11, 9),
        signed_by="Portero Edificio",
        event_key="test:proof:1",
    )
    planned = make_message(debt=debt, provider_message_id="", subject="NOT-SENT-YET")
    return case, sent, planned


def test_the_bundle_lists_every_notice_sent_with_its_delivery_evidence():
    case, sent, _planned = _case_with_history()
    lawyer = LawyerFactory(firms=[case.firm])

    document = bundle_build(user=lawyer, case=case, as_of=AS_OF, page_compression=0)

    assert document.kind == LegalDocument.Kind.BUNDLE and document.case == case
    raw = _raw(document)
    assert raw.startswith(b"%PDF")
    for message in sent:
        assert message.provider_message_id.encode() in raw
    assert b"RN-TRACK-998877" in raw and b"Portero Edificio" in raw
    assert b"NOT-SENT-YET" not in raw
    # The cover, the certificate's payments, the contacts, the PDF scan named with its hash.
    assert b"Juzgado 12 Civil Municipal" in raw
    assert b"PAY-EARLY-1" in raw
    assert b"pre_legal_notice" in raw
    assert b"pagare-reverso.pdf" in raw
    scan = case.documents.get(name="pagare-reverso.pdf")
    assert scan.sha256.encode() in raw
    # The PNG scan is embedded as an image.
    assert b"/Subtype /Image" in raw


def test_the_balance_certificate_is_as_of_the_date_from_the_books():
    case, _sent, _planned = _case_with_history()
    # A payment after the date is added back: the certificate shows the balance on that day.
    PaymentFactory(
        debt=case.debt,
        amount=Decimal("70000"),
        paid_at=datetime.datetime(2026, 12, 3, tzinfo=datetime.UTC),
        reference="PAY-LATER-2",
    )
    case.debt.principal -= Decimal("70000")
    case.debt.balance -= Decimal("70000")
    case.debt.save(update_fields=["principal", "balance"])
    manager = ManagerFactory(creditors=[case.creditor])
    with timezone.override("America/Bogota"):
        raw = _raw(bundle_build(user=manager, case=case, as_of=AS_OF, page_compression=0))
    assert b"PAY-LATER-2" not in raw
    # 1,170,000 owed at the end of the 1st (the later 70,000 added back), in pesos.
    line = raw[raw.find(b"(Balance: ") :].split(b"\n", 1)[0]
    assert b"1,170,000.00" in line, line


def test_the_bundle_view_builds_and_downloads_for_the_cases_lawyer_only(client):
    case, _sent, _planned = _case_with_history()
    client.force_login(LawyerFactory(firms=[case.firm]))
    response = client.post(reverse("legal:case-bundle", args=[case.pk]))
    assert response.status_code == 302
    bundle = case.documents.get(kind="bundle")
    assert response.url == reverse("legal:document-download", args=[case.pk, bundle.pk])
    assert client.get(reverse("legal:case-bundle", args=[case.pk])).status_code == 405

    client.force_login(LawyerFactory(firms=[make_case().firm]))
    assert client.post(reverse("legal:case-bundle", args=[case.pk])).status_code == 404
    with pytest.raises(ApplicationError):
        bundle_build(user=CollectorFactory(), case=case, as_of=AS_OF)


def test_the_certificate_reads_in_spanish_with_colombian_money():
    from django.utils import translation

    case, _sent, _planned = _case_with_history()
    with translation.override("es"):
        raw = _raw(
            bundle_build(
                user=ManagerFactory(creditors=[case.creditor]),
                case=case,
                as_of=AS_OF,
                page_compression=0,
            )
        )
    assert b"1.170.000,00" in raw


def _scan_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=0)
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"PAGARE-ESCANEADO-{number}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_a_pdf_scan_of_the_promissory_note_is_merged_after_its_page():
    from pypdf import PdfReader

    case = make_case(court="Juzgado 12 Civil Municipal", court_city="Bogotá")
    document_add(
        user=None,
        case=case,
        kind="promissory_note",
        upload=SimpleUploadedFile("pagare.pdf", _scan_pdf(2), "application/pdf"),
    )
    lawyer = LawyerFactory(firms=[case.firm])

    document = bundle_build(user=lawyer, case=case, as_of=AS_OF, page_compression=0)

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(_raw(document))).pages]
    note_page = next(i for i, text in enumerate(pages) if "pagare.pdf" in text)
    # The two scanned pages come right after the page that names the scan, in their order.
    assert "PAGARE-ESCANEADO-1" in pages[note_page + 1]
    assert "PAGARE-ESCANEADO-2" in pages[note_page + 2]
    assert sum("PAGARE-ESCANEADO" in text for text in pages) == 2
    scan = case.documents.get(name="pagare.pdf")
    assert scan.sha256 in pages[note_page]
