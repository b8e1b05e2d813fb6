"""A debtor's inbound message (the team inbox) made a complaint or a dispute in one click."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.services.intake import complaint_from_inbound
from core.exceptions import ApplicationError
from messaging.selectors.inbound import inbound_get


@login_required
@require_POST
def complaint_from_inbound_view(request, pk):
    inbound = inbound_get(user=request.user, pk=pk)
    if inbound is None:
        raise Http404
    try:
        complaint, created = complaint_from_inbound(
            inbound=inbound, kind=request.POST.get("kind", ""), user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("collections:inbound-detail", pk=inbound.pk)
    if created:
        messages.success(
            request,
            _("Complaint %(number)s recorded from the message; the answer is due by %(due)s.")
            % {"number": complaint.number, "due": complaint.due_on.isoformat()},
        )
    else:
        messages.info(
            request,
            _("This message is already complaint %(number)s.") % {"number": complaint.number},
        )
    return redirect("complaints:detail", pk=complaint.pk)
