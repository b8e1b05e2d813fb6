"""One message's page (from the outbox or the case page): its events, and for a letter its
proof of receipt, which staff who may see the letter upload here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import business_today
from core.exceptions import ApplicationError
from core.http import client_ip
from messaging.delivery import expected_delivery, message_stuck
from messaging.forms.proofs import LetterProofForm
from messaging.models import LetterProof
from messaging.selectors import message_queryset
from messaging.services.proofs import (
    PROOF_STATUSES,
    letter_proof_upload,
    message_is_certified,
    proof_message_get,
)
from portfolio.models import DebtorDataAccess
from portfolio.services.data_access import debtor_data_access_record


def _message_or_404(request, pk):
    message = (
        message_queryset(user=request.user)
        .select_related("debtor", "creditor")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404(_("No such message."))
    return message


def _detail(request, message, *, form=None, status=200):
    proof = LetterProof.objects.filter(message=message).select_related("recorded_by").first()
    certified = message_is_certified(message)
    expected = expected_delivery(channel=message.channel, certified=certified)
    now = timezone.now()
    can_record = (
        message.channel == "letter"
        and proof is None
        and message.status in PROOF_STATUSES
        and proof_message_get(user=request.user, message_id=message.pk) is not None
    )
    debtor_data_access_record(
        user=request.user,
        debtor_ids=[message.debtor_id],
        data=DebtorDataAccess.Data.CONTACTS,
        via=DebtorDataAccess.Via.OUTBOX,
        ip_address=client_ip(request),
        purpose=f"message {message.pk}",
    )
    return render(
        request,
        "messaging/message_detail.html",
        {
            "m": message,
            "events": list(message.events.order_by("received_at", "id")),
            "debts": list(message.debts.order_by("id")),
            "proof": proof,
            "certified": certified,
            "stuck": message_stuck(message, now=now, country=message.debtor.country),
            "expected_text": timesince(now - expected, now) if expected else "",
            "form": form if form is not None else (LetterProofForm() if can_record else None),
            "next": _next(request),
        },
        status=status,
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@login_required
def message_detail(request, pk):
    """A message the user may see (admin, manager: their creditors'; collector: their cases')."""
    return _detail(request, _message_or_404(request, pk))


@login_required
@require_POST
def letter_proof_upload_view(request, pk):
    """Record the post's receipt of a letter: 404 outside the user's scope, 400 on bad input."""
    if proof_message_get(user=request.user, message_id=pk) is None:
        raise Http404(_("No such letter."))
    message = _message_or_404(request, pk)
    form = LetterProofForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, message, form=form, status=400)
    data = form.cleaned_data
    try:
        letter_proof_upload(
            user=request.user,
            message_id=message.pk,
            file=data["file"],
            received_on=data["received_on"],
            today=business_today(),
            signed_by=data["signed_by"],
            tracking_number=data["tracking_number"],
        )
    except ApplicationError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return _detail(request, message, form=form, status=400)
    messages.success(request, _("The proof of receipt was recorded."))
    target = _next(request)
    return redirect(target) if target else redirect("messaging:message-detail", pk=pk)


@login_required
def letter_proof_file(request, pk):
    """The receipt document of a letter the user may see."""
    message = _message_or_404(request, pk)
    proof = LetterProof.objects.filter(message=message).first()
    if proof is None or not proof.file:
        raise Http404(_("This letter has no receipt document."))
    return FileResponse(
        proof.file.open("rb"), as_attachment=True, filename=proof.file.name.rsplit("/", 1)[-1]
    )
