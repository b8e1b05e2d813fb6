"""A debt's account statement for staff: the page, its CSV and its PDF.

Whoever may see the debt may see its statement (collectors their assigned debts, managers
their creditors': portfolio's debt selector); anyone else gets the same 404 as a missing debt.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import export_response
from core.http import query_without_blanks
from ledger.exports import statement_pdf, statement_table
from ledger.forms.statement import StatementPeriodForm
from ledger.selectors.statement import debt_statement
from portfolio.models import Debt
from portfolio.selectors import debt_queryset

PAGE_SIZE = 100


def _debt(request, debt_pk: int) -> Debt:
    return get_object_or_404(
        debt_queryset(user=request.user).select_related("debtor", "creditor"), pk=debt_pk
    )


def _form(request) -> StatementPeriodForm:
    return StatementPeriodForm(query_without_blanks(request.GET))


def _bad_request(form: StatementPeriodForm) -> HttpResponse:
    return HttpResponse(form.error_text(), status=400, content_type="text/plain; charset=utf-8")


def _file_name(debt: Debt, form: StatementPeriodForm, ext: str) -> str:
    period = form.period()
    parts = [_("statement"), debt.debt_ref]
    parts += [d.isoformat() for d in (period["date_from"], period["date_to"]) if d]
    # The reference comes from the creditor's file: only safe characters in a header.
    name = "-".join(parts)
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) + f".{ext}"


@login_required
@require_GET
def debt_statement_view(request, debt_pk: int):
    debt = _debt(request, debt_pk)
    form = _form(request)
    context = {"debt": debt, "form": form, "statement": None}
    if not form.is_valid():
        return render(request, "ledger/debt_statement.html", context, status=400)
    statement = debt_statement(debt=debt, **form.period())
    page = Paginator(statement.lines, PAGE_SIZE).get_page(request.GET.get("page"))
    query = query_without_blanks(request.GET)
    query.pop("page", None)
    context.update(
        {
            "statement": statement,
            "page": page,
            "lines": page.object_list,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            ),
            "query": query.urlencode(),
        }
    )
    return render(request, "ledger/debt_statement.html", context)


@login_required
@require_GET
def debt_statement_csv(request, debt_pk: int):
    debt = _debt(request, debt_pk)
    form = _form(request)
    if not form.is_valid():
        return _bad_request(form)
    headers, rows = statement_table(debt_statement(debt=debt, **form.period()))
    return export_response(
        request=request,
        export="ledger-debt-statement",
        file_name=_file_name(debt, form, "csv"),
        fmt="csv",
        headers=headers,
        rows=rows,
    )


@login_required
@require_GET
def debt_statement_pdf(request, debt_pk: int):
    debt = _debt(request, debt_pk)
    form = _form(request)
    if not form.is_valid():
        return _bad_request(form)
    pdf = statement_pdf(debt_statement(debt=debt, **form.period()))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(debt, form, "pdf")}"'
    response["Cache-Control"] = "no-store"
    return response
