"""Letters: one PDF per letter; the day's letters are batched into one print file.

Each letter carries a QR code of the debtor's personal payment link (the portal's, through
`messaging.hooks.portal_link`), with the link written under it and clickable in the PDF. A
letter the certified-notice rule names (messaging.services.compliance.certified) is also
handed to the certified mail provider, whose tracking number becomes the message's.
"""

import io
import itertools
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from messaging.channels import ChannelBackend, PermanentChannelError, SendResult
from messaging.channels.certified import certified_provider
from messaging.hooks import portal_link
from messaging.services.compliance.certified import certified_required

QR_SIZE_CM = 3.2
QR_QUIET_MODULES = 4  # the light margin around a QR code, in modules (ISO/IEC 18004)
LINK_LINE_CHARS = 60


def letter_link(message) -> str:
    """The payment link a letter's QR code carries: the debtor's personal portal link."""
    return portal_link.call_one(message.debtor_id)


def draw_payment_qr(pdf, *, link: str, x: float, y: float, size: float, caption: str) -> None:
    """A QR code of `link` with its lower-left corner at (x, y), the link written under it.

    The code comes from segno (error correction M or better, the best mask as ISO/IEC 18004
    asks) and its dark modules are drawn as one filled path, one rectangle per run of a row:
    a letter's code costs milliseconds (letters are rendered as they are sent, hundreds per
    batch; reportlab's own widget took a tenth of a second)."""
    import segno

    matrix = segno.make(link, error="m", micro=False).matrix
    box = size / (len(matrix) + 2 * QR_QUIET_MODULES)
    path = pdf.beginPath()
    for row, modules in enumerate(matrix):
        column = 0
        for dark, run in itertools.groupby(bool(module) for module in modules):
            length = sum(1 for _module in run)
            if dark:
                path.rect(
                    x + (column + QR_QUIET_MODULES) * box,
                    y + size - (row + QR_QUIET_MODULES + 1) * box,
                    length * box,
                    box,
                )
            column += length
    pdf.saveState()
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()
    pdf.linkURL(link, (x, y, x + size, y + size), relative=0)
    pdf.setFont("Helvetica", 7)
    pdf.drawRightString(x + size, y - 9, caption)
    # The whole link, to type it where the code cannot be scanned (a long one on two lines).
    for n, start in enumerate(range(0, len(link), LINK_LINE_CHARS)):
        pdf.drawRightString(x + size, y - 18 - 8 * n, link[start : start + LINK_LINE_CHARS])


def draw_letter(pdf, message) -> None:
    """Draw one letter (recipient block, payment QR, subject, body) on a reportlab canvas."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.lib.utils import simpleSplit

    width, height = A4
    left, top, bottom = 2.5 * cm, height - 2.5 * cm, 2.5 * cm
    size = QR_SIZE_CM * cm
    with translation.override(message.language or "es"):
        caption = _("Scan to pay online")
    draw_payment_qr(
        pdf,
        link=letter_link(message),
        x=width - left - size,
        y=top - size + 10,
        size=size,
        caption=caption,
    )
    y = top
    pdf.setFont("Helvetica", 10)
    for line in message.to.split("\n"):
        pdf.drawString(left, y, line)
        y -= 13
    # The subject starts below the QR code, its caption and its link.
    y = min(y, top - size - 36) - 20
    pdf.setFont("Helvetica-Bold", 12)
    for line in simpleSplit(message.subject, "Helvetica-Bold", 12, width - 2 * left):
        pdf.drawString(left, y, line)
        y -= 16
    y -= 10
    pdf.setFont("Helvetica", 11)
    for paragraph in message.body.split("\n"):
        lines = simpleSplit(paragraph, "Helvetica", 11, width - 2 * left) or [""]
        for line in lines:
            if y < bottom:
                pdf.showPage()
                pdf.setFont("Helvetica", 11)
                y = top
            pdf.drawString(left, y, line)
            y -= 15
    pdf.showPage()


def letter_pdf_bytes(messages) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for message in messages:
        draw_letter(pdf, message)
    pdf.save()
    return buffer.getvalue()


def letter_path(message) -> Path:
    return (
        Path(settings.MEDIA_ROOT)
        / "letters"
        / message.business_date.isoformat()
        / f"{message.idempotency_key.replace(':', '_')}.pdf"
    )


class LetterBackend(ChannelBackend):
    """Writes the letter's PDF; `letters_print_batch` gathers the day's letters for printing.

    A letter that must go certified is handed to the certified mail provider too: its
    tracking number is the message's provider id (the proof event names it)."""

    provider = "letter"

    def send(self, message, rendered) -> SendResult:
        if not message.to.strip():
            raise PermanentChannelError("no postal address")
        path = letter_path(message)
        path.parent.mkdir(parents=True, exist_ok=True)
        message.subject, message.body = rendered.subject, rendered.body
        pdf = letter_pdf_bytes([message])
        # Same name for the same message: a retried letter overwrites, never duplicates.
        path.write_bytes(pdf)
        if certified_required(
            country=message.debtor.country, template=message.template, channel=message.channel
        ):
            submission = certified_provider().submit(message=message, pdf=pdf)
            return SendResult(
                provider=submission.provider,
                provider_message_id=submission.tracking_number or str(path.name),
            )
        return SendResult(provider=self.provider, provider_message_id=str(path.name))
