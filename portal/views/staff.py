"""Staff side of the portal: a collector or manager downloads a dispute's attachment."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from portal.models import Dispute
from portfolio.selectors import debt_queryset


@require_GET
@login_required
def dispute_attachment(request, dispute_id):
    """Only staff who may see the debt get the file (404 otherwise, as for any debt)."""
    dispute = get_object_or_404(
        Dispute.objects.filter(debt__in=debt_queryset(user=request.user)), pk=dispute_id
    )
    if not dispute.attachment:
        raise Http404
    name = dispute.attachment.name.rsplit("/", 1)[-1]
    response = FileResponse(dispute.attachment.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response
