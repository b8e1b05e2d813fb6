"""Staff pages: propose (with preview) and follow agreements, the approval queue, promises."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.forms import (
    AgreementFilterForm,
    AgreementForm,
    DecisionForm,
    NegotiationPolicyForm,
    PromiseForm,
    decision_forms_attach,
)
from agreements.models import AgreementStatus
from agreements.selectors import agreement_detail_queryset, approval_queue
from agreements.services.lifecycle import (
    agreement_approve,
    agreement_cancel,
    agreement_create,
    agreement_preview,
    agreement_reject,
    may_cancel,
)
from agreements.services.promises import promise_create
from agreements.services.terms import may_approve, negotiation_policy_for
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from portfolio.models import OPEN_STAGES
from portfolio.selectors import creditor_list, debt_queryset


def _debt_for(request, pk):
    return get_object_or_404(debt_queryset(user=request.user).select_related("debtor"), pk=pk)


def _back_to_debt(debt):
    return redirect(reverse("portfolio:debt-detail", args=[debt.pk]) + "#agreements")


@login_required
def agreement_new(request, debt_pk):
    """The offer form → the preview with the exact schedule → confirm."""
    debt = _debt_for(request, debt_pk)
    candidates = debt_queryset(user=request.user).filter(
        debtor_id=debt.debtor_id, currency=debt.currency, stage__in=OPEN_STAGES, balance__gt=0
    )
    initial = {
        "debts": [debt.pk],
        "grace_days": negotiation_policy_for(debt.creditor).default_grace_days,
    }
    form = AgreementForm(request.POST or None, debts=candidates, initial=initial)
    preview = None
    as_of = business_today()
    if request.method == "POST" and form.is_valid():
        debt_ids = [d.pk for d in form.cleaned_data["debts"]]
        try:
            if request.POST.get("confirm") == "1":
                agreement = agreement_create(
                    user=request.user,
                    debt_ids=debt_ids,
                    as_of=as_of,
                    notes=form.cleaned_data["notes"],
                    accrual_frozen=form.cleaned_data["accrual_frozen"],
                    **form.terms(),
                )
            else:
                preview = agreement_preview(
                    user=request.user, debt_ids=debt_ids, as_of=as_of, **form.terms()
                )
        except ApplicationError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            if preview is None:
                if agreement.status == AgreementStatus.ACTIVE:
                    messages.success(
                        request, _("Agreement active. The debtor gets a confirmation.")
                    )
                else:
                    messages.warning(
                        request, _("Beyond your limits: the agreement waits for a manager.")
                    )
                return redirect("agreements:detail", pk=agreement.pk)
    return render(
        request,
        "agreements/agreement_new.html",
        {"debt": debt, "form": form, "preview": preview, "as_of": as_of},
    )


def _detail_page(request, agreement, *, form=None, status=200):
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "can_decide": agreement.status == AgreementStatus.PENDING_APPROVAL
            and may_approve(user=request.user, creditor=agreement.creditor),
            "can_cancel": agreement.is_open and may_cancel(user=request.user, agreement=agreement),
            "form": form or DecisionForm(),
        },
        status=status,
    )


@login_required
def agreement_detail(request, pk):
    agreement = get_object_or_404(agreement_detail_queryset(user=request.user), pk=pk)
    return _detail_page(request, agreement)


def _local_next(request) -> str | None:
    """The page to return to after a decision (a path on this site, else None)."""
    target = request.POST.get("next_url") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _approval_page(request, *, errors: dict | None = None, forms: dict | None = None, status=200):
    page = Paginator(approval_queue(user=request.user), 25).get_page(request.GET.get("page"))
    page.object_list = decision_forms_attach(page.object_list, bound=forms)
    return render(
        request,
        "agreements/approvals.html",
        {"page": page, "page_range": page.paginator.get_elided_page_range(page.number)},
        status=status,
    )


@login_required
@require_POST
def agreement_decide(request, pk, decision):
    agreement = get_object_or_404(agreement_detail_queryset(user=request.user), pk=pk)
    services = {
        "approve": agreement_approve,
        "reject": agreement_reject,
        "cancel": agreement_cancel,
    }
    form = DecisionForm(request.POST)
    next_url = _local_next(request)
    if form.is_valid():
        try:
            services[decision](
                agreement=agreement,
                user=request.user,
                as_of=business_today(),
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            if exc.field == "reason":
                form.add_error("reason", exc.message)
            else:
                messages.error(request, exc.message)
        else:
            done = {
                "approve": _("Agreement approved and active."),
                "reject": _("Agreement rejected."),
                "cancel": _("Agreement cancelled."),
            }
            messages.success(request, done[decision])
    if form.errors:
        # Nothing was decided: the same page again, the error under the reason (400).
        if next_url:
            messages.error(request, " ".join(form.errors["reason"]))
            return redirect(f"{next_url}#agreement-{agreement.pk}")
        if request.POST.get("next") == "queue":
            form.auto_id = f"id_%s_{agreement.pk}"
            return _approval_page(request, forms={agreement.pk: form}, status=400)
        return _detail_page(request, agreement, form=form, status=400)
    if next_url:
        return redirect(next_url)
    if request.POST.get("next") == "queue":
        return redirect("agreements:approvals")
    return redirect("agreements:detail", pk=agreement.pk)


@manager_required
def approval_list(request):
    """The manager's queue: agreements beyond the collectors' limits, oldest first, each with
    the limits it breaks and its schedule, decided with a reason on the page."""
    return _approval_page(request)


@login_required
@require_POST
def promise_new(request, debt_pk):
    debt = _debt_for(request, debt_pk)
    form = PromiseForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_debt(debt)
    try:
        promise_create(user=request.user, debt=debt, as_of=business_today(), **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Promise recorded; the daily cycle will follow it up."))
    return _back_to_debt(debt)


@manager_required
def limits_edit(request, creditor_pk):
    """A manager edits their creditor's negotiation limits (validated as a whole)."""
    creditor = get_object_or_404(creditor_list(user=request.user), pk=creditor_pk)
    if not may_approve(user=request.user, creditor=creditor):
        raise PermissionDenied
    policy = negotiation_policy_for(creditor)
    form = NegotiationPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Negotiation limits saved."))
        return redirect("agreements:limits", creditor_pk=creditor.pk)
    creditors = creditor_list(user=request.user)
    return render(
        request,
        "agreements/limits.html",
        {"creditor": creditor, "form": form, "creditors": creditors},
    )


@manager_required
def limits_index(request):
    first = creditor_list(user=request.user).first()
    if first is None:
        return render(request, "agreements/limits.html", {"creditor": None, "creditors": []})
    return redirect("agreements:limits", creditor_pk=first.pk)


@login_required
@require_POST
def task_done(request, pk):
    """Close a collector task shown on the debt page (a task on a debt the user works)."""
    from portfolio.models import Task
    from portfolio.services.tasks import task_complete

    task = get_object_or_404(
        Task.objects.filter(debt__in=debt_queryset(user=request.user)).select_related("debt"),
        pk=pk,
    )
    try:
        task_complete(task=task, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Task done."))
    return _back_to_debt(task.debt)


@login_required
def agreement_list(request):
    """The agreements the user may see, filterable by status and kind, newest first."""
    from agreements.selectors import agreement_queryset

    form = AgreementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agreements = (
        agreement_queryset(user=request.user)
        .select_related("debtor", "creditor", "proposed_by")
        .order_by("-created_at", "-id")
    )
    if filters.get("status"):
        agreements = agreements.filter(status=filters["status"])
    if filters.get("kind"):
        agreements = agreements.filter(kind=filters["kind"])
    page = Paginator(agreements, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "query": query.urlencode(),
        },
    )
