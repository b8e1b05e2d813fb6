"""Choosing a payment plan: preview the exact schedule, accept, pay the first amount."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from portal import selectors
from portal.forms import PlanForm
from portal.payments import default_provider
from portal.services import plans
from portal.services.payments import intent_create
from portal.services.requests import callback_request
from portal.session import portal_login_required
from portal.views.pay import _success_url


@require_http_methods(["GET", "POST"])
@portal_login_required
def plan(request, debt_id):
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    if selectors.debt_agreement(debt) is not None:
        return redirect("portal:debt", debt_id=debt.pk)
    limits = plans.plan_limits(debt)
    form = PlanForm(
        request.POST or None,
        limits=limits,
        debt=debt,
        initial={"down_payment": limits["min_down"], "option": "settle"},
    )
    terms = None
    beyond = False
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        option = form.cleaned_data["option"]
        if option == "more":
            beyond = True
        else:
            try:
                terms = plans.plan_preview(
                    debt=debt,
                    option=option,
                    down_payment=form.cleaned_data["down_payment"],
                    as_of=today,
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                beyond = bool(exc.extra.get("beyond_limits"))
        if terms is not None and "confirm" in request.POST:
            if not form.cleaned_data["accept"]:
                form.add_error("accept", _("Tick the box to accept the terms."))
            else:
                try:
                    agreement = plans.plan_accept(
                        debt=debt,
                        option=option,
                        down_payment=form.cleaned_data["down_payment"],
                        as_of=today,
                    )
                    intent = intent_create(
                        debt=debt,
                        amount=plans.first_amount(agreement),
                        method="card",
                        provider=default_provider(),
                        success_url=_success_url(request),
                        cancel_url=request.build_absolute_uri(
                            reverse("portal:debt", args=[debt.pk])
                        ),
                        agreement=agreement,
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, _("Your plan is agreed. Now pay the first amount."))
                    return redirect(intent.checkout_url)
    return render(
        request,
        "portal/plan.html",
        {"debt": debt, "form": form, "terms": terms, "beyond": beyond, "limits": limits},
    )


@require_http_methods(["POST"])
@portal_login_required
def plan_call(request, debt_id):
    """Beyond the limits: a collector calls back (next working hour)."""
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    when = timezone.now() + datetime.timedelta(hours=2)
    callback_request(debt=debt, when=when, note=_("Wants a plan beyond the self-service limits."))
    messages.success(request, _("A collector will call you to look at other options."))
    return redirect("portal:debt", debt_id=debt.pk)
