"""The certified mail sandbox delivers: post the signed proof event of each waiting letter.

    python manage.py certified_sandbox_receipts [--days 4] [--url URL] [--dry-run]

For every letter the sandbox provider took (a tracking number SBX...) that is still `sent`
without a proof, the sandbox posts what a provider would: a `delivered` event, received
`--days` after the letter left (never after today), signed by a made-up recipient, with a
one-page receipt PDF, to the proof webhook (by default this server's, CARTERA_PUBLIC_URL). The
webhook records each once: running the command twice changes nothing.
"""

import datetime
import io
import urllib.request
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from core.dates import business_today
from messaging.channels.certified import certified_sandbox_live, sandbox_proof_event
from messaging.models import Message


def receipt_pdf(*, tracking_number: str, received_on: datetime.date, signed_by: str) -> bytes:
    """A one-page acuse de recibo, as the sandbox's post office would scan it."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont("Helvetica-Bold", 14)
    pdf.drawString(72, 770, "Acuse de recibo / Return receipt (sandbox)")
    pdf.setFont("Helvetica", 11)
    for n, line in enumerate(
        (
            f"Guía / Tracking: {tracking_number}",
            f"Recibido / Received: {received_on}",
            f"Firma / Signed by: {signed_by}",
        )  # fmt: skip
    ):
        pdf.drawString(72, 740 - 18 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def post_event(url: str, body: bytes, signature: str) -> int:
    """POST one signed event; the HTTP status."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Cartera-Signature": signature},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Command(BaseCommand):
    help = "Post the certified mail sandbox's proof events for the letters waiting for one."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=4, help="days from sending to receipt")
        parser.add_argument("--url", default="", help="the proof webhook (default: this server)")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, days, url, dry_run, **options):
        if not certified_sandbox_live():
            raise CommandError("The certified mail provider here is not the sandbox.")
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        url = url or settings.CARTERA_PUBLIC_URL.rstrip("/") + reverse(
            "messaging:certified-sandbox-webhook"
        )
        today = business_today()
        letters = (
            Message.objects.filter(
                channel="letter",
                status=Message.Status.SENT,
                provider_message_id__startswith="SBX",
                letter_proof__isnull=True,
            )
            .select_related("debtor")
            .order_by("id")
        )
        posted = 0
        for letter in letters.iterator():
            sent_on = letter.sent_at.astimezone(zoneinfo.ZoneInfo(letter.debtor.timezone)).date()
            received_on = min(sent_on + datetime.timedelta(days=days), today)
            signed_by = letter.debtor.full_name
            if dry_run:
                self.stdout.write(f"{letter.provider_message_id} {received_on}")
                continue
            body, signature = sandbox_proof_event(
                event_id=f"sandbox-receipt-{letter.provider_message_id}",
                tracking_number=letter.provider_message_id,
                received_on=received_on,
                signed_by=signed_by,
                receipt=receipt_pdf(
                    tracking_number=letter.provider_message_id,
                    received_on=received_on,
                    signed_by=signed_by,
                ),
                receipt_name=f"acuse-{letter.provider_message_id}.pdf",
            )
            status = post_event(url, body, signature)
            if status >= 400:
                self.stderr.write(f"{letter.provider_message_id}: HTTP {status}")
            else:
                posted += 1
        self.stdout.write(f"{posted} proof events posted.")
