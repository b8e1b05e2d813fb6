"""The hand-off screen: the debts in `legal` of the manager's creditors that no firm holds yet,
nearest prescription first, and the form that hands the chosen ones to a firm."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from legal.forms.manager import HandoffFilterForm, HandoffForm
from legal.selectors.cases import firms_for_user
from legal.selectors.manager import handoff_candidates
from legal.services.handoff import case_handoff
from portfolio.selectors import creditor_list

PAGE_SIZE = 50


def _handoff_form(request, data=None, files=None):
    firms = firms_for_user(request.user).filter(is_active=True).order_by("name")
    lawyers = (
        get_user_model()
        .objects.filter(law_firms__in=firms)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    return HandoffForm(data, files, firms=firms, lawyers=lawyers)


@manager_required
@require_http_methods(["GET", "POST"])
def handoff_view(request):
    as_of = business_today()
    query = list_query(request)
    filter_form = HandoffFilterForm(
        query or None, creditors=creditor_list(user=request.user).order_by("name")
    )
    status = 200
    if request.method == "POST":
        form = _handoff_form(request, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                cases = case_handoff(
                    user=request.user,
                    debts=data["debts"],
                    firm=data["firm"],
                    lawyer=data["lawyer"],
                    power_of_attorney=data["power_of_attorney"],
                    note=data["note"],
                    as_of=as_of,
                    prescription_basis=data["prescription_basis"],
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s debt was handed over to %(firm)s.",
                        "%(count)s debts were handed over to %(firm)s.",
                        len(cases),
                    )
                    % {"count": len(cases), "firm": data["firm"].name},
                )
                return redirect("legal:manager-cases")
        status = 400
        selected = set(form.data.getlist("debts"))
    else:
        form = _handoff_form(request)
        selected = set()
    debts = handoff_candidates(user=request.user, as_of=as_of, filters=valid_filters(filter_form))
    context = list_page(request, form=filter_form, queryset=debts, query=query, size=PAGE_SIZE)
    if context["invalid"]:
        status = 400
    context.update(
        {"handoff_form": form, "selected": selected, "as_of": as_of, "filter_form": filter_form}
    )
    return render(request, "legal/handoff.html", context, status=status)
