"""Adding a file to a case (checked by content, fingerprinted) and recording who did."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core.uploads import CONTENT_TYPES, upload_suffix, upload_validate
from legal.models import LegalCaseChange, LegalDocument


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def document_add(*, user, case, kind: str, upload, note: str = "", now=None) -> LegalDocument:
    """Store an uploaded PDF, PNG or JPG (5 MB at most) on the case; the caller has checked the
    user may work the case (legal.selectors.cases)."""
    upload_validate(upload, field="file")
    now = now or timezone.now()
    document = LegalDocument.objects.create(
        case=case,
        kind=kind,
        file=upload,
        name=upload.name[:255],
        content_type=CONTENT_TYPES[upload_suffix(upload.name)],
        size=upload.size,
        sha256=_sha256(upload),
        note=note[:255],
        uploaded_by=user,
        uploaded_at=now,
    )
    LegalCaseChange.objects.create(
        case=case,
        note=f"{document.get_kind_display()}: {document.name}",
        changed_by=user,
        changed_at=now,
    )
    return document


@transaction.atomic
def document_generated(*, user, case, kind: str, name: str, content: bytes, now=None):
    """Store a file Cartera made (the filing bundle) on the case, like an upload."""
    now = now or timezone.now()
    document = LegalDocument(
        case=case,
        kind=kind,
        name=name[:255],
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        uploaded_at=now,
    )
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    LegalCaseChange.objects.create(
        case=case,
        note=f"{document.get_kind_display()}: {document.name}",
        changed_by=user,
        changed_at=now,
    )
    return document
