"""The filing bundle: one PDF with what a court needs to see to issue the payment order.

Cover (case, court, parties), the promissory note's scan, a balance certificate from the books
as of a date, the history of collection contacts, and every notice sent with its delivery
evidence (status, times, the provider's id, a letter's proof of delivery). Stored on the case as
a LegalDocument of kind `bundle`.
"""

import datetime
import io

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collections_app.models import Interaction
from core.exceptions import ApplicationError
from core.money import format_money
from core.roles import ADMIN, LAWYER, MANAGER, user_role
from legal.models import LegalCase, LegalDocument
from legal.selectors.books import debt_books_as_of
from legal.selectors.cases import cases_for_user
from legal.services.documents import document_generated
from messaging.models import ContactAction, LetterProof, Message
from portfolio.models import DebtorDataAccess
from portfolio.services.data_access import debtor_data_access_record

IMAGE_TYPES = ("image/png", "image/jpeg")
# Sent notices: what left Cartera (a failed attempt is listed too: it is evidence of trying).
SENT_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.FAILED)


class _Writer:
    """Lines of text down A4 pages, a new page when one fills up."""

    def __init__(self, pdf):
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import cm

        self.pdf = pdf
        self.width, self.height = A4
        self.left = 2 * cm
        self.top = self.height - 2 * cm
        self.bottom = 2 * cm
        self.y = self.top

    def _room(self, needed: float) -> None:
        if self.y - needed < self.bottom:
            self.page()

    def page(self) -> None:
        self.pdf.showPage()
        self.y = self.top

    def title(self, text: str) -> None:
        self._room(40)
        self.y -= 6
        self.pdf.setFont("Helvetica-Bold", 14)
        self.pdf.drawString(self.left, self.y, text)
        self.y -= 22

    def heading(self, text: str) -> None:
        self._room(30)
        self.pdf.setFont("Helvetica-Bold", 11)
        self.pdf.drawString(self.left, self.y, text)
        self.y -= 16

    def line(self, text: str, *, size: int = 10, indent: float = 0) -> None:
        from reportlab.lib.utils import simpleSplit

        width = self.width - 2 * self.left - indent
        for part in simpleSplit(str(text), "Helvetica", size, width) or [""]:
            self._room(size + 4)
            self.pdf.setFont("Helvetica", size)
            self.pdf.drawString(self.left + indent, self.y, part)
            self.y -= size + 4

    def pair(self, label: str, value) -> None:
        self.line(f"{label}: {value if value not in (None, '') else '—'}")

    def gap(self, points: float = 8) -> None:
        self.y -= points


def _when(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")


def _cover(w: _Writer, case: LegalCase, as_of: datetime.date) -> None:
    debt, debtor = case.debt, case.debt.debtor
    w.title(_("Filing bundle"))
    w.pair(_("Case number"), case.case_number)
    w.pair(_("Court"), ", ".join(p for p in (case.court, case.court_city) if p))
    w.pair(_("Filing date"), _when(case.filed_on))
    w.pair(_("State"), case.get_state_display())
    w.gap()
    w.heading(_("Parties"))
    w.pair(_("Creditor (plaintiff)"), case.creditor.name)
    w.pair(_("Debtor (defendant)"), debtor.full_name)
    w.pair(_("Debtor's document"), f"{debtor.document_type} {debtor.document_number}")
    w.pair(_("Law firm"), case.firm.name)
    w.pair(_("Lawyer"), case.lawyer.get_full_name() if case.lawyer else "")
    w.gap()
    w.heading(_("Obligation"))
    w.pair(_("Debt"), debt.debt_ref)
    w.pair(_("Product"), debt.get_product_display())
    w.pair(_("Due date"), _when(debt.due_date))
    w.pair(_("Handed over on"), _when(case.handed_over_on))
    w.pair(_("Figures as of"), _when(as_of))


def _pdf_scan(scan):
    """The scan's PDF reader, or None when its file cannot be read as a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with scan.file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        _pages = len(reader.pages)
    except (PdfReadError, OSError, ValueError):
        return None
    return reader if _pages else None


def _promissory_note(w: _Writer, case: LegalCase) -> list:
    """The promissory note's section; returns (page number, reader) of each PDF scan, whose
    pages go right after that page of the bundle."""
    from reportlab.lib.utils import ImageReader

    scans = list(case.documents.filter(kind=LegalDocument.Kind.PROMISSORY_NOTE).order_by("pk"))
    w.page()
    w.title(_("Promissory note"))
    if not scans:
        w.line(_("No scan of the promissory note is on the case."))
        return []
    inserts = []
    for scan in scans:
        if scan.content_type in IMAGE_TYPES:
            with scan.file.open("rb") as handle:
                image = ImageReader(io.BytesIO(handle.read()))
            iw, ih = image.getSize()
            room_w, room_h = w.width - 2 * w.left, w.y - w.bottom
            scale = min(room_w / iw, room_h / ih, 1)
            w.pdf.drawImage(image, w.left, w.y - ih * scale, width=iw * scale, height=ih * scale)
            w.pdf.setFont("Helvetica", 8)
            w.pdf.drawString(w.left, w.bottom - 12, f"{scan.name} · SHA-256 {scan.sha256}")
            w.page()
            continue
        reader = _pdf_scan(scan)
        if reader is None:
            # A file that is not a readable PDF: named and fingerprinted, attached by hand.
            w.line(_("The scan cannot be read as a PDF: attach it separately to this bundle."))
        else:
            w.line(_("The scan's %(n)s pages follow this page.") % {"n": len(reader.pages)})
            inserts.append((w.pdf.getPageNumber(), reader))
        w.pair(_("File"), scan.name)
        w.pair(_("SHA-256"), scan.sha256)
        w.gap()
    return inserts


def _merged(content: bytes, inserts: list) -> bytes:
    """The bundle with each PDF scan's pages after the page that names it."""
    if not inserts:
        return content
    from pypdf import PdfReader, PdfWriter

    bundle = PdfReader(io.BytesIO(content))
    writer = PdfWriter()
    after = {}
    for page_number, reader in inserts:
        after.setdefault(page_number, []).append(reader)
    for number, page in enumerate(bundle.pages, start=1):
        writer.add_page(page)
        for reader in after.get(number, ()):
            for scan_page in reader.pages:
                writer.add_page(scan_page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _certificate(w: _Writer, case: LegalCase, as_of: datetime.date) -> None:
    books = debt_books_as_of(debt=case.debt, as_of=as_of)
    currency = books.currency
    w.page()
    w.title(_("Balance certificate"))
    w.line(
        _("Computed from the books of %(creditor)s for debt %(ref)s at the end of %(date)s.")
        % {"creditor": case.creditor.name, "ref": case.debt.debt_ref, "date": _when(as_of)}
    )
    w.gap()
    w.pair(_("Principal"), format_money(books.principal, currency))
    w.pair(_("Interest"), format_money(books.interest, currency))
    w.pair(_("Fees"), format_money(books.fees, currency))
    w.pair(_("Balance"), format_money(books.balance, currency))
    w.gap()
    w.heading(_("Payments received"))
    if not books.payments:
        w.line(_("No payments received."))
    for payment in books.payments:
        w.line(
            f"{_when(payment.paid_at)} · {format_money(payment.amount, payment.currency)} · "
            f"{payment.get_method_display()} · {payment.reference}"
        )


def _contacts(w: _Writer, case: LegalCase) -> None:
    w.page()
    w.title(_("History of collection contacts"))
    interactions = (
        Interaction.objects.filter(debt=case.debt)
        .select_related("collector")
        .order_by("occurred_at", "id")
    )
    w.heading(_("Contacts with the debtor"))
    if not interactions:
        w.line(_("No contacts recorded."))
    for contact in interactions:
        who = contact.collector.get_full_name() if contact.collector else ""
        w.line(
            f"{_when(contact.occurred_at)} · {contact.get_channel_display()} · "
            f"{contact.get_outcome_display()} · {who}"
        )
        if contact.note:
            w.line(contact.note, size=9, indent=12)
    w.gap()
    w.heading(_("Contact actions planned by the collection policy"))
    actions = ContactAction.objects.filter(debt=case.debt).order_by("business_date", "id")
    if not actions:
        w.line(_("No contact actions."))
    for action in actions:
        w.line(
            f"{_when(action.business_date)} · {action.get_channel_display()} · "
            f"{action.template_code} · {action.get_status_display()}"
        )


def _notices(w: _Writer, case: LegalCase) -> None:
    w.page()
    w.title(_("Notices sent and their delivery evidence"))
    messages = list(
        Message.objects.filter(covered__debt=case.debt)
        .filter(Q(status__in=SENT_STATUSES) | Q(sent_at__isnull=False))
        .order_by("sent_at", "id")
        .distinct()
    )
    proofs = {p.message_id: p for p in LetterProof.objects.filter(message__in=messages)}
    if not messages:
        w.line(_("No notices were sent."))
    for message in messages:
        w.heading(
            f"{_when(message.sent_at)} · {message.get_channel_display()} · {message.template}"
        )
        w.pair(_("Subject"), message.subject)
        w.pair(_("To"), message.to.replace("\n", ", "))
        w.pair(_("Status"), message.get_status_display())
        w.pair(_("Sent at"), _when(message.sent_at))
        w.pair(_("Delivered at"), _when(message.delivered_at))
        w.pair(_("Provider id"), message.provider_message_id)
        proof = proofs.get(message.pk)
        if proof:
            w.pair(
                _("Proof of delivery"),
                f"{proof.get_kind_display()} · {proof.provider} {proof.tracking_number} · "
                f"{_when(proof.received_on)} · {proof.signed_by}",
            )
            if proof.file:
                w.pair(_("Receipt on file"), proof.file.name.rsplit("/", 1)[-1])
        w.gap()


def bundle_pdf(*, case: LegalCase, as_of: datetime.date, page_compression: int = 1) -> bytes:
    """The bundle's PDF bytes (`page_compression=0` leaves the text readable in the file)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=page_compression)
    pdf.setTitle(_("Filing bundle") + f" {case}")
    w = _Writer(pdf)
    _cover(w, case, as_of)
    inserts = _promissory_note(w, case)
    _certificate(w, case, as_of)
    _contacts(w, case)
    _notices(w, case)
    pdf.showPage()
    pdf.save()
    return _merged(buffer.getvalue(), inserts)


def bundle_build(
    *, user, case: LegalCase, as_of: datetime.date, page_compression: int = 1
) -> LegalDocument:
    """Build the filing bundle as of `as_of` and store it on the case (its lawyer or manager)."""
    if user_role(user) not in (ADMIN, MANAGER, LAWYER):
        raise ApplicationError(_("You may not do this on a legal case."), field="case")
    case = (
        cases_for_user(user)
        .select_related("debt__debtor", "creditor", "firm", "lawyer")
        .filter(pk=case.pk)
        .first()
    )
    if case is None:
        raise ApplicationError(_("Unknown legal case."), field="case")
    content = bundle_pdf(case=case, as_of=as_of, page_compression=page_compression)
    # The bundle carries the debtor's full identity document (Ley 1581: logged).
    debtor_data_access_record(
        user=user,
        debtor_ids=[case.debt.debtor_id],
        data=DebtorDataAccess.Data.DOCUMENT,
        via=DebtorDataAccess.Via.LEGAL,
        purpose=f"filing bundle of legal case {case.pk}",
    )
    return document_generated(
        user=user,
        case=case,
        kind=LegalDocument.Kind.BUNDLE,
        name=f"bundle-{case.pk}-{as_of.isoformat()}.pdf",
        content=content,
    )
