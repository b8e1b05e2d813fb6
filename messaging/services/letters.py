"""The daily print file: every letter sent on a business date, in one PDF for certified mail."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction

from messaging.channels.letter import letter_pdf_bytes
from messaging.models import LetterPrintBatch, Message


@transaction.atomic
def letters_print_batch(*, business_date: datetime.date) -> LetterPrintBatch:
    """(Re)build the print file of a date's letters; running it again rebuilds the same file."""
    letters = list(
        Message.objects.filter(
            business_date=business_date,
            channel="letter",
            status__in=(Message.Status.SENT, Message.Status.DELIVERED),
        ).order_by("debtor__full_name", "id")
    )
    batch, _created = LetterPrintBatch.objects.select_for_update().get_or_create(
        business_date=business_date
    )
    if batch.file:
        batch.file.delete(save=False)
    batch.letters = len(letters)
    if letters:
        name = f"letters-{business_date.isoformat()}.pdf"
        batch.file.save(name, ContentFile(letter_pdf_bytes(letters)), save=False)
    batch.save()
    return batch
