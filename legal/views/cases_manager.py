"""Every legal case of the manager's creditors (each links to the case page)."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from core.decorators import manager_required
from core.paging import list_page, list_query, valid_filters
from legal.forms.manager import CaseFilterForm
from legal.selectors.cases import firms_for_user
from legal.selectors.manager import manager_cases
from portfolio.selectors import creditor_list

PAGE_SIZE = 50


def case_page_url(pk: int) -> str:
    """The case page (legal:case-detail, built in another part of the legal stage)."""
    try:
        return reverse("legal:case-detail", args=[pk])
    except NoReverseMatch:
        return f"/legal/cases/{pk}/"


@manager_required
@require_GET
def manager_case_list(request):
    query = list_query(request)
    form = CaseFilterForm(
        query or None,
        firms=firms_for_user(request.user).order_by("name"),
        creditors=creditor_list(user=request.user).order_by("name"),
    )
    cases = manager_cases(user=request.user, filters=valid_filters(form))
    context = list_page(request, form=form, queryset=cases, query=query, size=PAGE_SIZE)
    for case in context["rows"]:
        case.page_url = case_page_url(case.pk)
    return render(
        request, "legal/cases_manager.html", context, status=400 if context["invalid"] else 200
    )
