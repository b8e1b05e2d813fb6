"""Letters: one PDF per letter; the day's letters are batched into one print file."""

import io
from pathlib import Path

from django.conf import settings

from messaging.channels import ChannelBackend, PermanentChannelError, SendResult


def draw_letter(pdf, message) -> None:
    """Draw one letter (recipient block, subject, body) on a reportlab canvas, page by page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.lib.utils import simpleSplit

    width, height = A4
    left, top, bottom = 2.5 * cm, height - 2.5 * cm, 2.5 * cm
    y = top
    pdf.setFont("Helvetica", 10)
    for line in message.to.split("\n"):
        pdf.drawString(left, y, line)
        y -= 13
    y -= 20
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
    """Writes the letter's PDF; `letters_print_batch` gathers the day's letters for printing."""

    provider = "letter"

    def send(self, message, rendered) -> SendResult:
        if not message.to.strip():
            raise PermanentChannelError("no postal address")
        path = letter_path(message)
        path.parent.mkdir(parents=True, exist_ok=True)
        message.subject, message.body = rendered.subject, rendered.body
        # Same name for the same message: a retried letter overwrites, never duplicates.
        path.write_bytes(letter_pdf_bytes([message]))
        return SendResult(provider=self.provider, provider_message_id=str(path.name))
