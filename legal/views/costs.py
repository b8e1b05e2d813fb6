"""A case's costs and fees, the managers' approvals, the creditor's legal rules, the filing
bundle and settling in legal. Thin: parse, call one service, redirect or render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.dates import business_today
from core.exceptions import ApplicationError
from core.roles import ADMIN, MANAGER, user_role
from legal.forms.costs import CostDecisionForm, CostForm, LegalSettingsForm, SettlementForm
from legal.models import LegalCase, LegalCost, LegalDocument
from legal.selectors.cases import case_get
from legal.selectors.costs import costs_pending_for, settings_creditors_for
from legal.services.bundle import bundle_build
from legal.services.costs import cost_decide, cost_record, legal_settings_update, settings_for
from legal.services.documents import document_add
from legal.services.settlement import settlement_propose


def _case_or_404(user, pk) -> LegalCase:
    try:
        return case_get(user=user, pk=pk)
    except LegalCase.DoesNotExist as exc:
        raise Http404 from exc


def _back_to_case(case):
    """The case page when it exists, else this case's costs page."""
    try:
        return redirect(reverse("legal:case-detail", args=[case.pk]) + "#costs")
    except NoReverseMatch:
        return redirect("legal:case-costs", pk=case.pk)


def _errors_text(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".strip(": ")
        for f, e in form.errors.items()
    )


def _costs_page(request, case, *, error: str = "", status: int = 200, form=None):
    context = {"case": case, "cost_error": error, "cost_form": form}
    return render(request, "legal/case_costs.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def case_costs(request, pk):
    """The costs section of one case on its own page."""
    case = _case_or_404(request.user, pk)
    return _costs_page(request, case)


@login_required
@require_POST
def cost_add(request, pk):
    case = _case_or_404(request.user, pk)
    form = CostForm(request.POST, request.FILES)
    if not form.is_valid():
        return _costs_page(request, case, error=_errors_text(form), status=400, form=form)
    data = form.cleaned_data
    try:
        # The receipt and its cost together, or neither.
        with transaction.atomic():
            _cost_with_receipt(request.user, case, data)
    except ApplicationError as exc:
        return _costs_page(request, case, error=exc.message, status=400, form=form)
    return _back_to_case(case)


def _cost_with_receipt(user, case, data):
    receipt = None
    if data["receipt"]:
        receipt = document_add(
            user=user,
            case=case,
            kind=LegalDocument.Kind.COST_RECEIPT,
            upload=data["receipt"],
            note=data["description"],
        )
    return cost_record(
        user=user,
        case=case,
        kind=data["kind"],
        amount=data["amount"],
        incurred_on=data["incurred_on"],
        description=data["description"],
        receipt=receipt,
    )


@login_required
@require_POST
def cost_decide_view(request, pk):
    cost = get_object_or_404(LegalCost.objects.select_related("case"), pk=pk)
    case = _case_or_404(request.user, cost.case_id)
    form = CostDecisionForm(request.POST)
    if not form.is_valid():
        return _costs_page(request, case, error=_errors_text(form), status=400)
    try:
        cost_decide(
            user=request.user,
            cost=cost,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        return _costs_page(request, case, error=exc.message, status=400)
    if request.POST.get("next") == "pending":
        return redirect("legal:costs-pending")
    return _back_to_case(case)


@login_required
@require_http_methods(["GET"])
def costs_pending(request):
    """Costs waiting for a manager's approval across the manager's creditors."""
    if user_role(request.user) not in (ADMIN, MANAGER):
        raise PermissionDenied
    costs = costs_pending_for(request.user)
    return render(request, "legal/costs_pending.html", {"costs": costs})


@login_required
@require_http_methods(["GET"])
def settings_index(request):
    """The first of the manager's creditors (the form offers the others)."""
    creditor = settings_creditors_for(request.user).first()
    if creditor is None:
        raise PermissionDenied
    return redirect("legal:settings-edit", creditor_pk=creditor.pk)


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request, creditor_pk):
    """A manager's legal rules for one of their creditors."""
    creditor = get_object_or_404(settings_creditors_for(request.user), pk=creditor_pk)
    rules = settings_for(creditor)
    status = 200
    if request.method == "POST":
        form = LegalSettingsForm(request.POST, instance=rules)
        if form.is_valid():
            try:
                legal_settings_update(user=request.user, creditor=creditor, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("legal:settings-edit", creditor_pk=creditor.pk)
        status = 400
    else:
        form = LegalSettingsForm(instance=rules)
    context = {
        "form": form,
        "creditor": creditor,
        "creditors": settings_creditors_for(request.user),
    }
    return render(request, "legal/settings_form.html", context, status=status)


@login_required
@require_POST
def case_bundle(request, pk):
    """Build the filing bundle as of today's business date and download it."""
    case = _case_or_404(request.user, pk)
    try:
        document = bundle_build(user=request.user, case=case, as_of=business_today())
    except ApplicationError as exc:
        return _costs_page(request, case, error=exc.message, status=403)
    return redirect("legal:document-download", pk=case.pk, document_pk=document.pk)


@login_required
@require_POST
def case_settlement(request, pk):
    """A manager proposes a settlement of the case's debt (costs chargeable added)."""
    case = _case_or_404(request.user, pk)
    form = SettlementForm(request.POST, prefix="settle")
    if not form.is_valid():
        return _costs_page(request, case, error=_errors_text(form), status=400)
    data = form.cleaned_data
    try:
        agreement = settlement_propose(
            user=request.user,
            case=case,
            as_of=business_today(),
            kind=data["kind"],
            instalment_count=data["instalment_count"],
            frequency=data["frequency"],
            first_due_date=data["first_due_date"],
            agreed_total=data["agreed_total"],
            down_payment=data["down_payment"],
            notes=data["notes"],
        )
    except ApplicationError as exc:
        return _costs_page(request, case, error=exc.message, status=400)
    try:
        return redirect("agreements:detail", pk=agreement.pk)
    except NoReverseMatch:
        return _back_to_case(case)
