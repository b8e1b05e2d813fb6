"""Staff pages for complaints: the queue by due date, a complaint and its steps, recording one.

Views are thin: they parse the form, call one service (complaints.services) or selector and
render; a refusal of the service comes back on the form's field with a 400, a success
redirects (post/redirect/get) with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.forms.complaints import (
    AnswerForm,
    AssignForm,
    CloseForm,
    ComplaintCreateForm,
    ComplaintFilterForm,
    ExtendForm,
    InfoReceivedForm,
    InfoRequestForm,
)
from complaints.rules import term_by_code
from complaints.selectors.complaints import (
    complaint_assignees,
    complaint_due_state,
    complaint_due_summary,
    complaint_get,
    complaint_list,
    complaint_related_contacts,
    complaint_steps,
    debtor_recent_contacts,
)
from complaints.services.handling import (
    complaint_answer,
    complaint_assign,
    complaint_close,
    complaint_draft,
    complaint_extend,
    complaint_information_add,
    complaint_request_information,
)
from complaints.services.intake import complaint_create
from core.dates import business_today
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from core.roles import handles_complaints, user_role
from portfolio.selectors import creditor_list, debt_queryset

PAGE_SIZE = 50
ACTION_FORMS = {
    "assign": AssignForm,
    "ask": InfoRequestForm,
    "info": InfoReceivedForm,
    "extend": ExtendForm,
    "answer": AnswerForm,
    "close": CloseForm,
}


@login_required
@require_GET
def complaint_queue(request):
    """The user's complaints, open ones first by the date the answer is owed."""
    as_of = business_today()
    query = list_query(request)
    form = ComplaintFilterForm(
        query or None, creditors=creditor_list(user=request.user).order_by("name")
    )
    complaints = complaint_list(user=request.user, filters=valid_filters(form))
    context = list_page(request, form=form, queryset=complaints, query=query, size=PAGE_SIZE)
    if context["invalid"]:
        complaints = complaints.none()
    for complaint in context["rows"]:
        if complaint.is_open:
            complaint.due_state, complaint.days_left = complaint_due_state(complaint, as_of=as_of)
    context.update(
        count=context["page"].paginator.count,
        summary=complaint_due_summary(complaints, as_of=as_of),
        as_of=as_of,
        may_record=user_role(request.user) is not None,
        may_report=handles_complaints(request.user),
    )
    return render(
        request, "complaints/queue.html", context, status=400 if context["invalid"] else 200
    )


def _complaint_or_404(request, pk):
    complaint = complaint_get(user=request.user, pk=pk)
    if complaint is None:
        # Someone else's complaint looks exactly like a missing one.
        raise Http404
    return complaint


def _forms(request, complaint, bound=None):
    """Every action's form, unbound, except the one just posted (with its errors)."""
    people = complaint_assignees(complaint) if handles_complaints(request.user) else []
    forms = {
        "assign": AssignForm(
            people=people or [request.user], initial={"assignee": request.user.pk}
        ),
        "ask": InfoRequestForm(),
        "info": InfoReceivedForm(),
        "extend": ExtendForm(),
        "answer": AnswerForm(),
        "close": CloseForm(),
    }
    if bound:
        forms.update(bound)
    return forms


def _detail(request, complaint, *, bound=None, status=200):
    as_of = business_today()
    term = term_by_code(complaint.term_code)
    due_state = days_left = None
    if complaint.is_open:
        due_state, days_left = complaint_due_state(complaint, as_of=as_of)
    handler = handles_complaints(request.user)
    message, interaction = complaint_related_contacts(complaint)
    context = {
        "complaint": complaint,
        "term": term,
        "due_state": due_state,
        "days_left": days_left,
        "steps": complaint_steps(complaint),
        "attachments": list(complaint.attachments.all()),
        "related_message": message,
        "related_interaction": interaction,
        "forms": _forms(request, complaint, bound),
        "handler": handler,
        # Shown while it still can be: a handler, an extendable term not yet extended.
        "may_extend": handler
        and complaint.is_open
        and bool(term.extension_days)
        and complaint.extended_due_on is None,
        "as_of": as_of,
    }
    return render(request, "complaints/detail.html", context, status=status)


@login_required
@require_GET
def complaint_detail(request, pk):
    return _detail(request, _complaint_or_404(request, pk))


@login_required
@require_GET
def attachment_download(request, pk, attachment_pk):
    """The file, to whoever may see its complaint."""
    complaint = _complaint_or_404(request, pk)
    attachment = complaint.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


def _act(request, pk, name, action, done, **form_kwargs):
    """Post one action's form: run `action(complaint, data)`, then back to the complaint."""
    complaint = _complaint_or_404(request, pk)
    form = ACTION_FORMS[name](request.POST, request.FILES, **form_kwargs)
    if form.is_valid():
        try:
            action(complaint, form.cleaned_data)
        except ApplicationError as exc:
            if exc.extra.get("status") == 403:
                raise PermissionDenied(exc.message) from exc
            form.add_service_error(exc)
        else:
            messages.success(request, done)
            return redirect("complaints:detail", pk=complaint.pk)
    return _detail(request, complaint, bound={name: form}, status=400)


@login_required
@require_POST
def complaint_assign_view(request, pk):
    complaint = _complaint_or_404(request, pk)
    people = complaint_assignees(complaint) if handles_complaints(request.user) else []
    people = list(people) or [request.user]
    by_pk = {person.pk: person for person in people}

    def assign(complaint, data):
        assignee = by_pk.get(data["assignee"])
        complaint_assign(complaint=complaint, user=request.user, assignee=assignee)

    return _act(request, pk, "assign", assign, _("Complaint assigned."), people=people)


@login_required
@require_POST
def complaint_ask_view(request, pk):
    def ask(complaint, data):
        complaint_request_information(
            complaint=complaint, user=request.user, details=data["details"]
        )

    return _act(request, pk, "ask", ask, _("The debtor was asked for the information."))


@login_required
@require_POST
def complaint_info_view(request, pk):
    def received(complaint, data):
        complaint_information_add(
            complaint=complaint,
            text=data["text"],
            attachments=data["attachments"],
            user=request.user,
        )

    return _act(request, pk, "info", received, _("The debtor's information was recorded."))


@login_required
@require_POST
def complaint_extend_view(request, pk):
    if not handles_complaints(request.user):
        raise PermissionDenied(_("Only a complaints officer or a manager may do this."))

    def extend(complaint, data):
        complaint_extend(
            complaint=complaint, user=request.user, reason=data["reason"], as_of=business_today()
        )

    return _act(request, pk, "extend", extend, _("Term extended; the debtor was told why."))


@login_required
@require_POST
def complaint_draft_view(request, pk):
    """The answer form filled from the chosen template (htmx swaps the form; without
    JavaScript the whole page comes back with it)."""
    complaint = _complaint_or_404(request, pk)
    data = request.POST.copy()
    try:
        subject, body = complaint_draft(
            complaint=complaint,
            template=data.get("template", ""),
            details=data.get("details", ""),
        )
    except ApplicationError as exc:
        form = AnswerForm(data)
        form.is_valid()
        form.add_service_error(exc)
        status = 400
    else:
        data["subject"], data["body"] = subject, body
        form = AnswerForm(data)
        form.is_valid()
        status = 200
    if request.htmx:
        return render(
            request,
            "complaints/_answer_form.html",
            {"complaint": complaint, "form": form},
            status=status,
        )
    return _detail(request, complaint, bound={"answer": form}, status=status)


@login_required
@require_POST
def complaint_answer_view(request, pk):
    def answer(complaint, data):
        complaint_answer(
            complaint=complaint,
            user=request.user,
            subject=data["subject"],
            body=data["body"],
            template=data.get("template") or "",
        )

    return _act(request, pk, "answer", answer, _("Answer sent to the debtor."))


@login_required
@require_POST
def complaint_close_view(request, pk):
    if not handles_complaints(request.user):
        raise PermissionDenied(_("Only a complaints officer or a manager may do this."))

    def close(complaint, data):
        complaint_close(
            complaint=complaint,
            user=request.user,
            outcome=data["outcome"],
            root_cause=data.get("root_cause") or "",
            note=data.get("note") or "",
        )

    return _act(request, pk, "close", close, _("Complaint closed."))


def _visible_debt(request, value):
    """The debt named in the query string, when the user may see it; 404 otherwise."""
    try:
        pk = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    debt = debt_queryset(user=request.user).select_related("debtor", "creditor").filter(pk=pk)
    debt = debt.first()
    if debt is None:
        raise Http404
    return debt


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """Record a complaint received by phone, e-mail, letter or from a regulator."""
    if user_role(request.user) is None:
        raise PermissionDenied(_("Only staff may record complaints."))
    if not request.GET.get("debt"):
        return _choose_debt(request)
    debt = _visible_debt(request, request.GET["debt"])
    recent_messages, recent_calls = debtor_recent_contacts(debtor_id=debt.debtor_id)
    choices = {"messages": recent_messages, "interactions": recent_calls}
    if request.method == "GET":
        # Most complaints are recorded as they come in: "now" unless staff say otherwise.
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = ComplaintCreateForm(initial={"received_at": now}, **choices)
        return render(request, "complaints/new.html", {"form": form, "debt": debt})
    form = ComplaintCreateForm(request.POST, request.FILES, **choices)
    if form.is_valid():
        data = form.cleaned_data
        by_pk = {m.pk: m for m in recent_messages}, {i.pk: i for i in recent_calls}
        try:
            complaint = complaint_create(
                debtor=debt.debtor,
                debt=debt,
                kind=data["kind"],
                channel=data["channel"],
                regulator=data.get("regulator") or "",
                regulator_reference=data.get("regulator_reference") or "",
                subject=data["subject"],
                description=data["description"],
                received_at=data["received_at"],
                related_message=by_pk[0].get(data.get("related_message")),
                related_interaction=by_pk[1].get(data.get("related_interaction")),
                attachments=data["attachments"],
                user=request.user,
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Complaint %(number)s recorded; the answer is due by %(due)s.")
                % {"number": complaint.number, "due": complaint.due_on.isoformat()},
            )
            return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/new.html", {"form": form, "debt": debt}, status=400)


def _choose_debt(request):
    """No debt named yet: find it by its reference among the debts the user may see."""
    ref = (request.GET.get("ref") or "").strip()
    error = ""
    if ref:
        debt = debt_queryset(user=request.user).filter(debt_ref__iexact=ref).first()
        if debt is not None:
            return redirect(f"{reverse('complaints:new')}?debt={debt.pk}")
        error = _("No debt of yours has that reference.")
    return render(
        request,
        "complaints/choose_debt.html",
        {"ref": ref, "error": error},
        status=400 if error else 200,
    )
