"""The debtor's requests and complaints: file one, its acknowledgement, follow it, answer."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from complaints.models import ComplaintEvent, ComplaintStatus
from complaints.models.complaint import ComplaintChannel
from complaints.services.handling import complaint_information_add
from complaints.services.intake import complaint_create
from core.exceptions import ApplicationError
from portal import selectors
from portal.forms import REQUEST_KIND_WORDS, InformationForm, RequestForm
from portal.session import portal_login_required
from portfolio.models import Channel, Debtor

# Where each status stands, in the debtor's words.
STATUS_WORDS = {
    ComplaintStatus.RECEIVED: gettext_lazy("Received: we are going to review it"),
    ComplaintStatus.IN_PROGRESS: gettext_lazy("We are working on it"),
    ComplaintStatus.AWAITING_INFO: gettext_lazy("We need more information from you"),
    ComplaintStatus.ANSWERED: gettext_lazy("Answered"),
    ComplaintStatus.CLOSED: pgettext_lazy("complaint", "Closed"),
}


def in_words(complaint) -> dict:
    return {
        "complaint": complaint,
        "kind": REQUEST_KIND_WORDS.get(complaint.kind, complaint.get_kind_display()),
        "status": STATUS_WORDS.get(complaint.status, complaint.get_status_display()),
    }


def refused(form, exc: ApplicationError) -> None:
    """The service's refusal on the field it names (else above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def masked_email(value: str) -> str:
    name, _at, domain = (value or "").partition("@")
    return f"{name[:1]}•••@{domain}" if domain else ""


@require_GET
@portal_login_required
def request_list(request):
    rows = [in_words(c) for c in selectors.debtor_requests(request.portal_debtor_id)]
    return render(request, "portal/requests.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@portal_login_required
def request_new(request):
    debtor = Debtor.objects.select_related("creditor").get(pk=request.portal_debtor_id)
    debts = list(selectors.debtor_debts(debtor.pk))
    initial = {"debt": request.GET.get("debt", "")}
    form = RequestForm(request.POST or None, request.FILES or None, debts=debts, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = complaint_create(
                    debtor=debtor,
                    debt=data["debt"],
                    kind=data["kind"],
                    channel=ComplaintChannel.PORTAL,
                    subject=data["subject"],
                    description=data["description"],
                    attachments=data["attachments"],
                    by_debtor=True,
                )
            except ApplicationError as exc:
                refused(form, exc)
            else:
                return redirect("portal:request-received", number=complaint.number)
        return render(request, "portal/request_new.html", {"form": form}, status=400)
    return render(request, "portal/request_new.html", {"form": form})


@require_GET
@portal_login_required
def request_received(request, number):
    complaint = selectors.debtor_request(request.portal_debtor_id, number)
    ack = complaint.events.filter(kind=ComplaintEvent.Kind.ACKNOWLEDGED).first()
    emailed = ""
    if ack is not None and ack.sent_channel == Channel.EMAIL:
        emailed = masked_email(ack.sent_to)
    context = {**in_words(complaint), "emailed": emailed}
    return render(request, "portal/request_received.html", context)


@require_http_methods(["GET", "POST"])
@portal_login_required
def request_detail(request, number):
    complaint = selectors.debtor_request(request.portal_debtor_id, number)
    asked = complaint.status == ComplaintStatus.AWAITING_INFO
    form = InformationForm(request.POST or None, request.FILES or None) if asked else None
    status, form_error = 200, ""
    if request.method == "POST":
        status = 400
        if form is None:
            form_error = _("We have not asked you for anything on this request.")
        elif form.is_valid():
            try:
                complaint_information_add(
                    complaint=complaint,
                    text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                    by_debtor=True,
                )
            except ApplicationError as exc:
                refused(form, exc)
            else:
                messages.success(request, _("Thank you: we received the information."))
                return redirect("portal:request", number=complaint.number)
    context = {
        **in_words(complaint),
        "sent": selectors.request_sent_steps(complaint),
        "replies": selectors.request_debtor_steps(complaint),
        "attachments": selectors.request_debtor_attachments(complaint),
        "form": form,
        "form_error": form_error,
    }
    return render(request, "portal/request_detail.html", context, status=status)
