"""The reputation page (complaint KPIs) and its exports: CSV / Excel of its tables and the
REDECO-style quarterly file of Mexico's complaints."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from complaints.exports import (
    BREAKDOWN_KEYS,
    BREAKDOWN_TITLES,
    DENOMINATORS,
    reputation_tables,
)
from complaints.forms.reputation import ReputationFilterForm
from complaints.selectors.redeco import redeco_headers, redeco_rows
from complaints.selectors.reputation import reputation_report
from core.dates import business_today
from core.exports import export_response
from core.roles import handles_complaints

FORMATS = ("csv", "xlsx")


def complaints_handler_required(view):
    """Admins, managers and complaints officers; collectors and others get a 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not handles_complaints(request.user):
            raise PermissionDenied(
                _("Only complaints officers, managers and administrators may open this page.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def _form(request, *, quarter=False) -> ReputationFilterForm:
    data = QueryDict(mutable=True)
    for key in request.GET:
        values = [v for v in request.GET.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
    return ReputationFilterForm(data, user=request.user, as_of=business_today(), quarter=quarter)


def _bad_request(form) -> HttpResponse:
    return HttpResponse(
        "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@complaints_handler_required
@require_GET
def reputation(request):
    form = _form(request)
    context = {"form": form, "report": None}
    if form.is_valid():
        report = reputation_report(user=request.user, filters=form.filters())
        breakdowns = [
            {
                "name": name,
                "export": name.replace("_", "-"),
                "title": BREAKDOWN_TITLES[name],
                "key_label": BREAKDOWN_KEYS[name],
                "denominator": DENOMINATORS.get(name),
                "rows": rows,
            }
            for name, rows in report["breakdowns"].items()
        ]
        headline = report["headline"]
        context.update(
            {
                "report": report,
                "breakdowns": breakdowns,
                "has_data": bool(headline["received"] or headline["open_now"]),
                "export_query": request.GET.urlencode(),
                "trend_max": max((r["received"] for r in report["trend"]), default=0),
            }
        )
    return render(
        request, "complaints/reputation.html", context, status=400 if form.errors else 200
    )


@complaints_handler_required
@require_GET
def reputation_export(request, table: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return _bad_request(form)
    tables = reputation_tables(reputation_report(user=request.user, filters=form.filters()))
    if table not in tables:
        raise Http404
    headers, rows = tables[table]
    return export_response(
        request=request,
        export=f"complaints-reputation:{table}",
        file_name=f"complaints-{table}-{form.cleaned_data['to'].isoformat()}.{fmt}",
        fmt=fmt,
        title=table,
        headers=headers,
        rows=rows,
    )


@complaints_handler_required
@require_GET
def redeco_export(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    form = _form(request, quarter=True)
    if not form.is_valid():
        return _bad_request(form)
    quarter = form.cleaned_data["quarter"]
    return export_response(
        request=request,
        export="complaints-reputation:redeco",
        file_name=f"redeco-{quarter}.{fmt}",
        fmt=fmt,
        title=f"REDECO {quarter}",
        headers=redeco_headers(),
        rows=redeco_rows(user=request.user, filters=form.filters()),
    )
