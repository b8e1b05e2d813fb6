"""My cases: the counsel workspace (a lawyer's start page; managers see their creditors')."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.dates import business_today
from core.roles import is_lawyer
from legal.forms.cases import WorkspaceFilterForm
from legal.models import OPEN_CASE_STATES
from legal.selectors.cases import cases_for_user

PAGE_SIZE = 25


def _filtered(user, data: dict, *, as_of: datetime.date):
    cases = cases_for_user(user)
    state = data.get("state")
    cases = cases.filter(state=state) if state else cases.filter(state__in=OPEN_CASE_STATES)
    if data.get("within") is not None:
        cases = cases.filter(next_action_on__lte=as_of + datetime.timedelta(days=data["within"]))
    if data.get("scope") == WorkspaceFilterForm.MINE:
        cases = cases.filter(lawyer=user)
    query = (data.get("q") or "").strip()
    if query:
        compact = "".join(ch for ch in query if ch.isalnum())
        match = Q(case_number__icontains=compact or query) | Q(
            debt__debtor__full_name__icontains=query
        )
        if compact:
            match |= Q(debt__debtor__document_number__icontains=compact)
        cases = cases.filter(match)
    # Overdue first (the earliest dates), cases without a next action last.
    return cases.order_by(F("next_action_on").asc(nulls_last=True), "id")


@login_required
@require_GET
def workspace_view(request):
    as_of = business_today()
    form = WorkspaceFilterForm(request.GET or None)
    if not is_lawyer(request.user):
        # Cases are assigned to lawyers: "assigned to me" means nothing to a manager.
        del form.fields["scope"]
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    page = Paginator(_filtered(request.user, data, as_of=as_of), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "legal/workspace.html",
        {
            "form": form,
            "page": page,
            "as_of": as_of,
            "query": query.urlencode(),
            "page_range": page.paginator.get_elided_page_range(page.number),
            "is_filtered": bool(data and any(v not in (None, "") for v in data.values())),
        },
        status=200 if valid else 400,
    )
