"""Manager pages: the contact rules in force and each creditor's stricter overrides."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import manager_required
from core.exceptions import ApplicationError
from messaging.forms.compliance import (
    BureauTryForm,
    ContactTryForm,
    OverrideForm,
    OverrideStartForm,
)
from messaging.selectors import compliance_override_list, effective_rules
from messaging.services.compliance.display import describe
from messaging.services.compliance.overrides import overridable_rules, tighten
from messaging.services.compliance.simulate import bureau_try, contact_try
from messaging.services.compliance_overrides import (
    compliance_override_delete,
    compliance_override_save,
)
from portfolio.selectors import creditor_list


def _managed_creditors(user):
    return creditor_list(user=user).order_by("name")


@manager_required
def rules_index(request):
    creditors = _managed_creditors(request.user)
    wanted = request.GET.get("creditor", "")
    creditor = creditors.filter(pk=wanted).first() if wanted.isdigit() else None
    creditor = creditor or creditors.first()
    overrides = (
        list(compliance_override_list(user=request.user, creditor=creditor)) if creditor else []
    )
    sections = effective_rules(overrides=overrides)
    for section in sections:
        for row in section["rows"]:
            row["legal_text"] = describe(row["rule"])
            row["effective_text"] = describe(row["effective"])
    return render(
        request,
        "messaging/compliance/rules.html",
        {
            "creditors": creditors,
            "creditor": creditor,
            "sections": sections,
            "overrides": overrides,
        },
    )


@manager_required
def override_start(request):
    creditors = _managed_creditors(request.user)
    if "rule_id" not in request.GET:
        # Opened from the rules page (`?creditor=`): that creditor chosen, nothing refused yet.
        initial = {"creditor": request.GET.get("creditor")}
        form = OverrideStartForm(initial=initial, creditors=creditors)
    else:
        form = OverrideStartForm(request.GET, creditors=creditors)
    if form.is_valid():
        creditor = form.cleaned_data["creditor"]
        existing = compliance_override_list(user=request.user, creditor=creditor).filter(
            rule_id=form.cleaned_data["rule_id"]
        )
        if existing:
            return redirect("messaging:compliance-override-edit", pk=existing[0].pk)
        return redirect(
            "messaging:compliance-override-new",
            creditor=creditor.pk,
            rule_id=form.cleaned_data["rule_id"],
        )
    return render(request, "messaging/compliance/override_start.html", {"form": form})


def _override_form_page(request, *, creditor, rule, instance=None):
    current = tighten(rule, instance.params) if instance else rule
    initial = OverrideForm.initial_for(current)
    if instance:
        initial.update({"note": instance.note, "is_active": instance.is_active})
    form = OverrideForm(request.POST or None, rule=rule, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            compliance_override_save(
                user=request.user,
                creditor=creditor,
                rule_id=rule.id,
                params=form.cleaned_data["params"],
                note=form.cleaned_data["note"],
                is_active=form.cleaned_data["is_active"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(rule)s for %(creditor)s saved.") % {"rule": rule.id, "creditor": creditor},
            )
            return redirect(f"{_rules_url()}?creditor={creditor.pk}")
    return render(
        request,
        "messaging/compliance/override_form.html",
        {
            "form": form,
            "creditor": creditor,
            "rule": rule,
            "legal_text": describe(rule),
            "instance": instance,
        },
    )


def _rules_url():
    return reverse("messaging:compliance-rules")


@manager_required
def override_new(request, creditor, rule_id):
    creditor = get_object_or_404(_managed_creditors(request.user), pk=creditor)
    rule = overridable_rules().get(rule_id)
    if rule is None:
        return redirect("messaging:compliance-override-start")
    existing = compliance_override_list(user=request.user, creditor=creditor).filter(
        rule_id=rule_id
    )
    if existing:
        return redirect("messaging:compliance-override-edit", pk=existing[0].pk)
    return _override_form_page(request, creditor=creditor, rule=rule)


@manager_required
def override_edit(request, pk):
    override = get_object_or_404(compliance_override_list(user=request.user), pk=pk)
    rule = overridable_rules().get(override.rule_id)
    if rule is None:
        messages.error(request, _("This rule no longer exists; delete the override."))
        return redirect(f"{_rules_url()}?creditor={override.creditor_id}")
    return _override_form_page(request, creditor=override.creditor, rule=rule, instance=override)


@manager_required
@require_POST
def override_delete(request, pk):
    override = get_object_or_404(compliance_override_list(user=request.user), pk=pk)
    creditor_id = override.creditor_id
    compliance_override_delete(user=request.user, override=override)
    messages.success(request, _("Override removed: the legal rule applies again."))
    return redirect(f"{_rules_url()}?creditor={creditor_id}")


@manager_required
def contact_try_view(request):
    """Try a contact against the rules (nothing is sent or stored)."""
    bound = "channel" in request.GET  # ?creditor=N alone only preselects the creditor
    creditors = _managed_creditors(request.user)
    first = creditors.first()
    initial = {
        "consented": True,
        "timezone": "America/Bogota",
        "country": "CO",
        "creditor": request.GET.get("creditor") or (first.pk if first else None),
    }
    form = ContactTryForm(request.GET if bound else None, initial=initial, creditors=creditors)
    result = contact_try(data=form.cleaned_data) if bound and form.is_valid() else None
    bureau_bound = "as_of" in request.GET
    bureau_form = BureauTryForm(request.GET if bureau_bound else None)
    bureau = (
        bureau_try(data=bureau_form.cleaned_data)
        if bureau_bound and bureau_form.is_valid()
        else None
    )
    invalid = (bound and form.errors) or (bureau_bound and bureau_form.errors)
    return render(
        request,
        "messaging/compliance/try.html",
        {"form": form, "result": result, "bureau_form": bureau_form, "bureau": bureau},
        status=400 if invalid else 200,
    )
