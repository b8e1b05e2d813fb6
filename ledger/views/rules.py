"""The book rules page (application order, ceiling, accrual and fee rules) and the certified
usury rates page, for managers of the creditors concerned."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page
from ledger.forms.rules import (
    AccrualRuleForm,
    FeeRuleDeactivateForm,
    FeeRuleForm,
    LedgerSettingsForm,
    UsuryCsvForm,
    UsuryRateForm,
)
from ledger.models import FeeRule
from ledger.selectors.rules import rules_creditors, rules_page, usury_rates
from ledger.services import rules as services
from ledger.services.application import application_order_default

USURY_PAGE_SIZE = 50
# Each form of the rules page: its class and the service that writes it.
RULE_FORMS = {
    "settings": LedgerSettingsForm,
    "accrual": AccrualRuleForm,
    "fee": FeeRuleForm,
}


def _creditor(request):
    """The creditor chosen (?creditor=), else the user's first; 404 for one not theirs."""
    creditors = rules_creditors(user=request.user)
    chosen = request.GET.get("creditor") or request.POST.get("creditor")
    if chosen:
        if not str(chosen).isdigit() or len(str(chosen)) > 18:
            raise Http404
        return get_object_or_404(creditors, pk=int(chosen)), creditors
    creditor = creditors.first()
    if creditor is None:
        raise PermissionDenied(_("You manage no creditor."))
    return creditor, creditors


def _write(kind: str, *, user, creditor, data: dict):
    if kind == "settings":
        services.ledger_settings_save(user=user, creditor=creditor, **data)
        return _("Saved: payments of those debtors are applied in that order.")
    if kind == "accrual":
        services.accrual_rule_create(user=user, creditor=creditor, as_of=business_today(), **data)
        return _("The new rule version is saved; it applies from its first day.")
    services.fee_rule_create(user=user, creditor=creditor, **data)
    return _("The fee rule is saved.")


@manager_required
@require_http_methods(["GET", "POST"])
def rules_view(request):
    creditor, creditors = _creditor(request)
    forms = {
        "settings": LedgerSettingsForm(
            prefix="settings",
            initial={
                "country": creditor.country,
                "application_order": application_order_default(creditor.country),
            },
        ),
        "accrual": AccrualRuleForm(prefix="accrual", initial={"valid_from": business_today()}),
        "fee": FeeRuleForm(prefix="fee", initial={"country": creditor.country}),
    }
    status = 200
    if request.method == "POST":
        kind = request.POST.get("form")
        if kind not in RULE_FORMS:
            status = 400
            messages.error(request, _("Unknown form."))
        else:
            form = RULE_FORMS[kind](request.POST, prefix=kind)
            forms[kind] = form
            if form.is_valid():
                try:
                    done = _write(kind, user=request.user, creditor=creditor,
                                  data=form.cleaned_data)  # fmt: skip
                except ApplicationError as exc:
                    form.add_service_error(exc)
                else:
                    messages.success(request, done)
                    return redirect(f"{reverse('ledger:rules')}?creditor={creditor.pk}")
            status = 400
    context = {
        "creditor": creditor,
        "creditors": creditors,
        "forms": forms,
        **rules_page(creditor=creditor),
    }
    return render(request, "ledger/rules.html", context, status=status)


@manager_required
@require_http_methods(["GET", "POST"])
def fee_rule_deactivate_view(request, pk):
    rule = get_object_or_404(
        FeeRule.objects.filter(creditor__in=rules_creditors(user=request.user)).select_related(
            "creditor"
        ),
        pk=pk,
    )
    form = FeeRuleDeactivateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.fee_rule_deactivate(
                    user=request.user, rule=rule, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The fee rule is deactivated."))
                return redirect(f"{reverse('ledger:rules')}?creditor={rule.creditor_id}")
        status = 400
    return render(
        request, "ledger/fee_rule_deactivate.html", {"rule": rule, "form": form}, status=status
    )


def _usury_page(request, *, load_form, csv_form, csv_errors=(), status=200):
    rates = usury_rates()
    context = list_page(
        request, form=UsuryCsvForm(), queryset=rates, query=request.GET.copy(),
        size=USURY_PAGE_SIZE,
    )  # fmt: skip
    context.update({"load_form": load_form, "csv_form": csv_form, "csv_errors": list(csv_errors)})
    context["query"] = ""
    return render(request, "ledger/usury_list.html", context, status=status)


@manager_required
@require_http_methods(["GET", "POST"])
def usury_list_view(request):
    load_form = UsuryRateForm(request.POST or None)
    if request.method == "POST":
        if load_form.is_valid():
            try:
                services.usury_rate_load(user=request.user, **load_form.cleaned_data)
            except ApplicationError as exc:
                load_form.add_service_error(exc)
            else:
                messages.success(request, _("The certified rate is loaded."))
                return redirect("ledger:usury-list")
        return _usury_page(request, load_form=load_form, csv_form=UsuryCsvForm(), status=400)
    return _usury_page(request, load_form=load_form, csv_form=UsuryCsvForm())


@manager_required
@require_http_methods(["POST"])
def usury_upload_view(request):
    csv_form = UsuryCsvForm(request.POST, request.FILES)
    errors = []
    if csv_form.is_valid():
        try:
            outcome = services.usury_rates_import(user=request.user, upload=request.FILES["file"])
        except ApplicationError as exc:
            csv_form.add_error("file", exc.message)
        else:
            if not outcome.errors:
                messages.success(
                    request,
                    _("%(n)s certified rates loaded.") % {"n": len(outcome.loaded)},
                )
                return redirect("ledger:usury-list")
            errors = outcome.errors
    return _usury_page(
        request, load_form=UsuryRateForm(), csv_form=csv_form, csv_errors=errors, status=400
    )
