"""The manager's legal KPIs page (the same figures as `GET /api/v1/legal-cases/kpis/`)."""

from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.dates import business_today
from core.decorators import manager_required
from legal.forms.kpis import LegalKpisFilterForm
from legal.models import CaseState
from legal.selectors.kpis import legal_kpis


@manager_required
@require_GET
def kpis(request):
    # A field left blank in the form means its default, like a parameter left out.
    data = QueryDict(mutable=True)
    for key in request.GET:
        values = [v for v in request.GET.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
    form = LegalKpisFilterForm(data, user=request.user, as_of=business_today())
    report = None
    if form.is_valid():
        report = legal_kpis(user=request.user, **form.selector_arguments())
        labels = dict(CaseState.choices)
        for row in (*report["creditors"], *report["firms"]):
            row["states_shown"] = [(labels[s], n) for s, n in row["cases_by_state"].items()]
    context = {"form": form, "report": report}
    return render(request, "legal/kpis.html", context, status=400 if form.errors else 200)
