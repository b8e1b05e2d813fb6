"""The journal: every entry of the manager's creditors' books, its totals, and a CSV."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.decorators import manager_required
from core.exports import export_csv_stream_response
from core.paging import list_page, list_query, valid_filters
from core.scoping import scope_for_user
from ledger.forms.journal import JournalFilterForm
from ledger.selectors.journal import journal_entries, journal_export_rows, journal_totals
from portfolio.models import Creditor

PAGE_SIZE = 50
# A CSV is built for an auditor's period, not the whole history at once.
EXPORT_LIMIT = 500_000
EXPORT_HEADERS = [
    "entry_id", "business_date", "recorded_at", "debt_ref", "kind", "currency", "principal",
    "interest", "fees", "amount", "payment_id", "stage", "days_past_due", "rate_pct",
    "rate_capped", "source_id", "user_id", "memo",
]  # fmt: skip


def _form(request, query):
    creditors = scope_for_user(Creditor.objects.order_by("name"), user=request.user, creditor="")
    return JournalFilterForm(query or None, creditors=creditors)


@manager_required
@require_GET
def journal_view(request):
    query = list_query(request)
    form = _form(request, query)
    filters = valid_filters(form)
    if filters.get("creditor"):
        filters["creditor"] = filters["creditor"].pk
    entries = journal_entries(user=request.user, filters=filters)
    context = list_page(request, form=form, queryset=entries, query=query, size=PAGE_SIZE)
    context["totals"] = [] if context["invalid"] else journal_totals(entries)
    return render(
        request, "ledger/journal.html", context, status=400 if context["invalid"] else 200
    )


@manager_required
@require_GET
def journal_export_view(request):
    query = list_query(request)
    form = _form(request, query)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "ledger/journal.html",
            {"form": form, "rows": [], "totals": [], "invalid": True, "query": query.urlencode()},
            status=400,
        )
    filters = valid_filters(form)
    if filters.get("creditor"):
        filters["creditor"] = filters["creditor"].pk
    entries = journal_entries(user=request.user, filters=filters)
    count = min(entries.count(), EXPORT_LIMIT)
    return export_csv_stream_response(
        request=request,
        export=_("Ledger journal"),
        file_name="ledger-journal.csv",
        headers=EXPORT_HEADERS,
        rows=journal_export_rows(entries, limit=EXPORT_LIMIT),
        row_count=count,
    )
