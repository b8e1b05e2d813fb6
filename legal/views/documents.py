"""Downloading a case's file: only through a case the user may see (else a 404)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from legal.models import LegalCase
from legal.selectors.cases import case_get


@login_required
@require_GET
def document_download(request, pk, document_pk):
    try:
        case = case_get(user=request.user, pk=pk)
    except LegalCase.DoesNotExist as exc:
        raise Http404 from exc
    document = case.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
