"""Uploaded files (portal disputes, complaint attachments): size and type checked by content."""

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# The first bytes each accepted type starts with: the name alone proves nothing.
ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def upload_suffix(name: str) -> str:
    name = (name or "").lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def upload_validate(upload, *, field: str = "attachment"):
    """The upload when it is a PDF, PNG or JPG of at most 5 MB; else ApplicationError."""
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ApplicationError(_("The file is larger than 5 MB."), field=field)
    magic = ATTACHMENT_TYPES.get(upload_suffix(upload.name))
    head = upload.read(8)
    upload.seek(0)
    if magic is None or not head.startswith(magic):
        raise ApplicationError(_("Only PDF, PNG or JPG files are accepted."), field=field)
    return upload
