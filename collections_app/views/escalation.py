"""Manager pages for escalation policies and the daily cycle; the debt page's ladder actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collections_app.forms import (
    ContactActionFilterForm,
    HoldCloseForm,
    HoldForm,
    PolicyCreateForm,
    PolicyVersionForm,
    cadence_formset,
)
from collections_app.models import EscalationPolicyVersion, default_cadence
from collections_app.selectors.escalation import cycle_run_list, policy_list
from collections_app.services.holds import hold_place
from collections_app.services.policies import VERSION_FIELDS, policy_create, policy_update
from collections_app.services.transitions import MANUAL_TRANSITIONS, debt_transition
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.roles import is_manager
from messaging.models import ContactAction
from portfolio.models import Hold
from portfolio.selectors import creditor_list, debt_queryset
from portfolio.services.holds import hold_close


@manager_required
def policy_index(request):
    policies = policy_list(user=request.user).annotate(version_count=Count("versions"))
    return render(request, "collections_app/policy_list.html", {"policies": policies})


@manager_required
def policy_edit(request, pk):
    policy = get_object_or_404(policy_list(user=request.user), pk=pk)
    current = policy.current_version
    form = PolicyVersionForm(request.POST or None, instance=_unsaved_copy(current))
    cadence = cadence_formset(
        request.POST or None,
        cadence=current.cadence if current else default_cadence(),
        creditor=policy.creditor,
    )
    # Both validated (not short-circuited), so every error shows at once.
    valid = [form.is_valid(), cadence.is_valid()]
    if request.method == "POST" and all(valid):
        values = _version_values(form, cadence)
        try:
            version = policy_update(
                policy=policy,
                values=values,
                user=request.user,
                note=form.cleaned_data["change_note"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Saved as version %(number)s.") % {"number": version.number}
            )
            return redirect("collections:policy-edit", pk=policy.pk)
    versions = policy.versions.select_related("created_by").order_by("-number")
    return render(
        request,
        "collections_app/policy_edit.html",
        {
            "policy": policy,
            "form": form,
            "cadence": cadence,
            "versions": versions,
            "current": current,
        },
        status=400 if request.method == "POST" else 200,
    )


def _version_values(form, cadence) -> dict:
    values = {f: form.cleaned_data[f] for f in VERSION_FIELDS if f in form.cleaned_data}
    values["cadence"] = cadence.cadence()
    return values


def _unsaved_copy(version):
    # The form edits a copy: the stored version is immutable, saving makes the next one.
    if version is None:
        return None
    copy = EscalationPolicyVersion.objects.get(pk=version.pk)
    copy.pk = None
    copy.change_note = ""
    return copy


@manager_required
def policy_new(request):
    creditors = creditor_list(user=request.user)
    form = PolicyCreateForm(request.POST or None, creditors=creditors)
    valid = form.is_valid()
    cadence = cadence_formset(
        request.POST or None,
        cadence=default_cadence(),
        creditor=form.cleaned_data.get("creditor") if valid else None,
    )
    valid = cadence.is_valid() and valid
    if request.method == "POST" and valid:
        data = form.cleaned_data
        try:
            policy = policy_create(
                creditor=data["creditor"],
                name=data["name"],
                product=data["product"] or "",
                segment=(data["segment"] or "").strip(),
                values=_version_values(form, cadence),
                user=request.user,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Policy created."))
            return redirect("collections:policy-edit", pk=policy.pk)
    return render(
        request,
        "collections_app/policy_new.html",
        {"form": form, "cadence": cadence},
        status=400 if request.method == "POST" else 200,
    )


@manager_required
def cycle_overview(request):
    """The cycle runs and the contact actions they planned, filterable by date and channel."""
    form = ContactActionFilterForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    filters = {} if invalid else (form.cleaned_data if form.is_bound else {})
    runs = cycle_run_list(user=request.user)
    latest = runs[0].run.business_date if runs else business_today()
    day = filters.get("date") or latest
    actions = (
        ContactAction.objects.filter(business_date=day, debt__in=debt_queryset(user=request.user))
        .select_related("debt__debtor", "debt__creditor")
        .order_by("debt__debtor__full_name", "debt_id", "channel")
    )
    if invalid:
        # A filter that cannot be applied lists nothing rather than the whole day.
        actions = actions.none()
    if filters.get("channel"):
        actions = actions.filter(channel=filters["channel"])
    if filters.get("stage"):
        actions = actions.filter(stage=filters["stage"])
    if filters.get("template"):
        actions = actions.filter(template_code=filters["template"])
    summary = (
        actions.order_by()
        .values("stage", "channel", "template_code")
        .annotate(count=Count("id"))
        .order_by("stage", "channel", "template_code")
    )
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "collections_app/cycle.html",
        status=400 if invalid else 200,
        context={
            "form": form,
            "runs": runs,
            "day": day,
            "summary": summary,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "query": query.urlencode(),
        },
    )


def _debt_for(request, pk):
    return get_object_or_404(debt_queryset(user=request.user), pk=pk)


def _back_to_debt(debt) -> HttpResponseRedirect:
    return redirect(reverse("portfolio:debt-detail", args=[debt.pk]) + "#escalation")


@login_required
@require_POST
def debt_transition_view(request, pk):
    debt = _debt_for(request, pk)
    name = request.POST.get("transition", "")
    if name not in MANUAL_TRANSITIONS:
        messages.error(request, _("Unknown action."))
        return _back_to_debt(debt)
    try:
        debt_transition(
            debt=debt,
            transition_name=name,
            user=request.user,
            as_of=business_today(),
            reason=request.POST.get("reason", ""),
            write_off_reason=request.POST.get("write_off_reason", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: the debt moved and the change is recorded."))
    return _back_to_debt(debt)


@login_required
@require_POST
def debt_hold_open_view(request, pk):
    debt = _debt_for(request, pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_debt(debt)
    source = Hold.Source.MANAGER if is_manager(request.user) else Hold.Source.COLLECTOR
    try:
        hold_place(
            debt=debt,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
            source=source,
            user=request.user,
            channel="staff",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hold placed: escalation and contact are paused."))
    return _back_to_debt(debt)


@login_required
@require_POST
def hold_close_view(request, pk):
    visible = debt_queryset(user=request.user).values("debtor_id")
    hold = get_object_or_404(Hold.objects.filter(debtor_id__in=visible), pk=pk)
    debt = hold.debt or debt_queryset(user=request.user).filter(debtor_id=hold.debtor_id).first()
    form = HoldCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome."))
        return _back_to_debt(debt)
    try:
        hold_close(
            hold=hold,
            user=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hold closed: escalation resumes on the next cycle."))
    return _back_to_debt(debt)
