"""A debt's prescription clock for a manager: when it prescribes, what interrupted it, and
recording an acknowledgement (or a filing) by hand."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.scoping import scope_for_user
from legal.forms.manager import InterruptionForm
from legal.services.prescription import interruption_record, prescription_annotate
from portfolio.models import Debt


@manager_required
@require_http_methods(["GET", "POST"])
def debt_prescription(request, debt_pk):
    as_of = business_today()
    debts = scope_for_user(Debt.objects.select_related("debtor", "creditor"), user=request.user)
    debt = prescription_annotate(debts, as_of=as_of).filter(pk=debt_pk).first()
    if debt is None:
        raise Http404  # another creditor's debt looks exactly like a missing one
    form = InterruptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            interruption_record(debt=debt, user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Recorded: the prescription term starts again from it."))
            return redirect("legal:debt-prescription", debt_pk=debt.pk)
    context = {
        "debt": debt,
        "form": form,
        "as_of": as_of,
        "interruptions": debt.prescription_interruptions.select_related("created_by"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "legal/debt_prescription.html", context, status=status)
