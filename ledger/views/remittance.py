"""Staff pages of remittance: the statements, a new one, a statement with its lines, its
issue and void, its PDF and CSV; and the commission rates.

Managers and administrators only (core.decorators.manager_required), each seeing the creditors
they manage: someone else's statement is a 404, exactly like a missing one. A refusal of a
service (ApplicationError) comes back on the page with a 400 and nothing changed; a success
redirects (post/redirect/get) with a message.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.paging import list_page, list_query, valid_filters
from ledger.commission import rate_bucket_label
from ledger.files import statement_csv_response, statement_pdf_response
from ledger.forms.remittance import (
    CommissionRateForm,
    RemittanceFilterForm,
    RemittancePrepareForm,
    RemittanceVoidForm,
)
from ledger.selectors import remittance as selectors
from ledger.services import remittance as services
from ledger.statements import kind_label, line_stage_age
from portfolio.selectors import creditor_list

PAGE_SIZE = 50
LINES_PAGE_SIZE = 50


def _creditors(request):
    return creditor_list(user=request.user).order_by("name")


@manager_required
@require_GET
def remittance_list_view(request):
    """The statements of the manager's creditors, latest period first."""
    query = list_query(request)
    form = RemittanceFilterForm(query or None, creditors=_creditors(request))
    filters = valid_filters(form)
    if filters.get("creditor"):
        filters["creditor"] = filters["creditor"].pk
    rows = selectors.remittance_list(user=request.user, filters=filters)
    context = list_page(request, form=form, queryset=rows, query=query, size=PAGE_SIZE)
    return render(
        request, "ledger/remittances.html", context, status=400 if context["invalid"] else 200
    )


@manager_required
@require_http_methods(["GET", "POST"])
def remittance_new_view(request):
    """A creditor, a currency and a period: the statement is prepared as a draft."""
    creditors = _creditors(request)
    if request.method == "GET":
        form = RemittancePrepareForm(initial=request.GET.dict() or None, creditors=creditors)
        return render(request, "ledger/remittance_new.html", {"form": form})
    form = RemittancePrepareForm(request.POST, creditors=creditors)
    if form.is_valid():
        try:
            remittance = services.remittance_prepare(
                user=request.user, as_of=business_today(), **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The statement was prepared as a draft: check it."))
            return redirect("ledger:remittance-detail", pk=remittance.pk)
    return render(request, "ledger/remittance_new.html", {"form": form}, status=400)


def _remittance_or_404(request, pk):
    remittance = selectors.remittance_get(user=request.user, remittance_id=pk)
    if remittance is None:
        raise Http404  # someone else's statement looks exactly like a missing one
    return remittance


def _detail(request, remittance, *, void_form=None, error=None, status=200):
    lines = selectors.remittance_lines(remittance=remittance)
    paginator = Paginator(lines, LINES_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for line in rows:
        line.stage_age = line_stage_age(line)
        line.kind_label = kind_label(line.kind)
    sources = selectors.remittances_by_id(line.carried_from for line in rows)
    for line in rows:
        line.source = sources.get(line.carried_from)
    context = {
        "remittance": remittance,
        "page": page,
        "rows": rows,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "no_rate": selectors.lines_without_rate(remittance),
        "audit": selectors.remittance_audit(remittance=remittance),
        "void_form": void_form or RemittanceVoidForm(),
        "error": error,
    }
    return render(request, "ledger/remittance_detail.html", context, status=status)


@manager_required
@require_GET
def remittance_detail_view(request, pk):
    """The statement: totals, warnings, its lines by debt (paged), who did what."""
    return _detail(request, _remittance_or_404(request, pk))


@manager_required
@require_POST
def remittance_issue_view(request, pk):
    remittance = _remittance_or_404(request, pk)
    try:
        services.remittance_issue(remittance=remittance, user=request.user)
    except ApplicationError as exc:
        return _detail(request, remittance, error=exc.message, status=400)
    messages.success(request, _("The statement was issued: its PDF is final."))
    return redirect("ledger:remittance-detail", pk=remittance.pk)


@manager_required
@require_POST
def remittance_void_view(request, pk):
    remittance = _remittance_or_404(request, pk)
    form = RemittanceVoidForm(request.POST)
    if form.is_valid():
        try:
            services.remittance_void(
                remittance=remittance, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The statement was voided: its entries are free again."))
            return redirect("ledger:remittance-detail", pk=remittance.pk)
    error = next(iter(form.errors.values()))[0] if form.errors else None
    return _detail(request, remittance, void_form=form, error=error, status=400)


@manager_required
@require_GET
def remittance_pdf_view(request, pk):
    """The statement's PDF (an issued one's SHA-256 in the X-Checksum-SHA256 header)."""
    remittance = _remittance_or_404(request, pk)
    return statement_pdf_response(request, remittance)


@manager_required
@require_GET
def remittance_csv_view(request, pk):
    """The statement's lines as CSV (formula-safe, through core.exports)."""
    return statement_csv_response(request, _remittance_or_404(request, pk))


@manager_required
@require_http_methods(["GET", "POST"])
def commission_list_view(request):
    """The commission rates of the manager's creditors, and a form to add one."""
    creditors = _creditors(request)
    status = 200
    if request.method == "POST":
        form = CommissionRateForm(request.POST, creditors=creditors)
        if form.is_valid():
            try:
                services.commission_rate_create(user=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The commission rate was added."))
                return redirect("ledger:commission-list")
        status = 400
    else:
        form = CommissionRateForm(creditors=creditors)
    rates = list(selectors.commission_rate_list(user=request.user))
    in_force = selectors.rate_sets_in_force(rates=rates, as_of=business_today())
    for rate in rates:
        rate.bucket = rate_bucket_label(rate) if rate.basis == "age" else ""
        rate.in_force = (rate.creditor_id, rate.valid_from) in in_force
    paginator = Paginator(rates, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": list(page.object_list),
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "ledger/commission.html", context, status=status)
