"""Staff HTML pages for debts: the filterable list and the debt page."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from core.dates import business_today
from core.documents import document_display
from core.http import client_ip, query_without_blanks
from portfolio.filters import AGING_BUCKETS, DebtFilter
from portfolio.models import Country, DebtorDataAccess, Product, Stage
from portfolio.selectors import (
    DEBT_LIST_SORTS,
    creditor_list,
    debt_detail_get,
    debt_history,
    debt_list_queryset,
    debt_list_totals,
    debt_page_other_debts,
    debt_page_payments,
)
from portfolio.services.data_access import debtor_data_access_record
from portfolio.services.documents import debtor_document_reveal, document_reveal_allowed

PAGE_SIZE = 50

# Column headers of the list: (sort key or None, label).
DEBT_LIST_COLUMNS = [
    ("ref", _("Debt")),
    ("debtor", _("Debtor")),
    ("creditor", _("Creditor")),
    ("product", _("Product")),
    ("balance", _("Balance")),
    ("due", _("Due date")),
    ("dpd", _("Days past due")),
    ("stage", _("Stage")),
    ("collector", _("Collector")),
]


@login_required
@require_GET
def debt_list(request):
    query = query_without_blanks(request.GET)
    sort = query.get("sort", "due")
    if sort.lstrip("-") not in DEBT_LIST_SORTS:
        sort = "due"
    filterset = DebtFilter(query, queryset=debt_list_queryset(user=request.user, sort=sort))
    debts = filterset.qs
    paginator = Paginator(debts, PAGE_SIZE)
    page = paginator.get_page(query.get("page"))
    # Today's business date unless the query names one (`as_of`), as the DPD filters do.
    as_of = filterset.business_date
    rows = list(page.object_list)
    for debt in rows:
        debt.dpd = debt.days_past_due(as_of)

    # Links keep the filters: pages keep the sort too, sort links start again at page 1.
    keep = query.copy()
    keep.pop("page", None)
    filters_only = keep.copy()
    filters_only.pop("sort", None)
    columns = []
    for key, label in DEBT_LIST_COLUMNS:
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        link = filters_only.copy()
        link["sort"] = key if (not current or descending) else f"-{key}"
        columns.append(
            {
                "label": label,
                "query": link.urlencode(),
                "current": current,
                "descending": descending,
            }
        )

    context = {
        "filter": filterset,
        "filter_errors": filterset.error_list,
        "applied_filters": filterset.applied_list(),
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "rows": rows,
        "totals": debt_list_totals(queryset=debts),
        "count": paginator.count,
        "columns": columns,
        "page_query": keep.urlencode(),
        "is_filtered": bool(filters_only),
        "as_of": as_of,
        "creditors": creditor_list(user=request.user).order_by("name"),
        "stages": Stage.choices,
        "products": Product.choices,
        "aging_buckets": list(AGING_BUCKETS),
        "query": query,
    }
    # A filter that cannot be applied is the request's fault: the page says which, lists
    # nothing (DebtFilter selects nothing) and answers 400.
    status = 400 if filterset.errors else 200
    # htmx asks for the results only; a history restore needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "portfolio/_debt_results.html", context, status=status)
        # The address bar gets the clean query (no empty fields), so it can be shared.
        response["HX-Push-Url"] = f"{request.path}?{query.urlencode()}" if query else request.path
    else:
        response = render(request, "portfolio/debt_list.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _debt_or_404(request, pk: int):
    debt = debt_detail_get(user=request.user, pk=pk, page_reads=True)
    if debt is None:
        # Someone else's debt looks exactly like a missing one: no hint that it exists.
        raise Http404
    return debt


def _debt_page(request, debt, *, revealed_document: str = ""):
    as_of = business_today()
    other_debts = debt_page_other_debts(user=request.user, debt=debt)
    for other in other_debts:
        other.dpd = other.days_past_due(as_of)
    context = {
        "debt": debt,
        "debtor": debt.debtor,
        "country_name": dict(Country.choices).get(debt.debtor.country, debt.debtor.country),
        "dpd": debt.days_past_due(as_of),
        "time_barred": debt.is_time_barred(as_of),
        "as_of": as_of,
        "contact_points": debt.debtor.contact_points.all(),
        "other_debts": other_debts,
        "payments": debt_page_payments(user=request.user, debt=debt),
        "history": debt_history(debt=debt),
        "can_reveal_document": document_reveal_allowed(user=request.user),
        "revealed_document": revealed_document,
    }
    return render(request, "portfolio/debt_detail.html", context)


@login_required
@require_GET
def debt_detail(request, pk):
    debt = _debt_or_404(request, pk)
    # The page shows the debtor's address, contact points and the addresses messages went to.
    debtor_data_access_record(
        user=request.user,
        debtor_ids=[debt.debtor_id],
        data=DebtorDataAccess.Data.CONTACTS,
        via=DebtorDataAccess.Via.DEBT_PAGE,
        ip_address=client_ip(request),
        purpose=f"debt page {debt.debt_ref}",
    )
    return _debt_page(request, debt)


@login_required
@require_POST
def debt_document_reveal(request, pk):
    debt = _debt_or_404(request, pk)
    document = debtor_document_reveal(
        user=request.user,
        debtor=debt.debtor,
        via=DebtorDataAccess.Via.DEBT_PAGE,
        ip_address=client_ip(request),
        purpose=f"debt page {debt.debt_ref}",
    )
    # Stored compact; shown as people write it ("123-45-6789").
    document = document_display(debt.debtor.document_type, document)
    if request.htmx:
        return render(
            request,
            "portfolio/_debtor_document.html",
            {"debtor": debt.debtor, "debt": debt, "revealed_document": document},
        )
    return _debt_page(request, debt, revealed_document=document)
