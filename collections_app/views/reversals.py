"""Corrections: the debt page's reverse action, and the managers' list of reversed payments and
write-offs (with their recoveries) and its export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms.reversals import CorrectionFilterForm
from collections_app.selectors.reversals import reversal_list, write_off_list
from collections_app.services.reversals import payment_reverse
from core.dates import business_today
from core.decorators import manager_required
from core.exceptions import ApplicationError
from core.exports import export_response
from core.paging import list_page, list_query, valid_filters
from ledger.models import ReversalSource
from portfolio.panels import debt_page_refresh
from portfolio.selectors import creditor_list, debt_detail_get, payment_queryset

PAGE_SIZE = 50
# The debt page's panels a reversal changes: the payments, the escalation panel (the stage),
# the agreements (an agreement active again, a promise) and legal (a case reopened).
REVERSAL_PANELS = ("collections.payments", "collections.escalation", "agreements", "legal")


@login_required
@require_POST
def payment_reverse_view(request, pk):
    """Reverse one payment from the debt page (a manager of its creditor, after confirming)."""
    payment = payment_queryset(user=request.user).filter(pk=pk).first()
    if payment is None:
        raise Http404  # someone else's payment looks exactly like a missing one
    try:
        _reversal, created = payment_reverse(
            payment_id=payment.pk,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            source=ReversalSource.STAFF,
            user=request.user,
            business_date=business_today(),
        )
    except PermissionDenied:
        messages.error(request, _("Only a manager of this creditor may reverse its payments."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if created:
            messages.success(
                request,
                _("Payment %(reference)s reversed: the debt owes it again.")
                % {"reference": payment.reference},
            )
        else:
            messages.info(request, _("This payment had already been reversed."))
    if not request.htmx:
        return redirect(reverse("portfolio:debt-detail", args=[payment.debt_id]) + "#payments")
    debt = debt_detail_get(user=request.user, pk=payment.debt_id)
    html = debt_page_refresh(request=request, debt=debt, panels=REVERSAL_PANELS, summary=True)
    return HttpResponse(html)


def _filtered(request):
    query = list_query(request)
    query.pop("format", None)
    form = CorrectionFilterForm(query or None, creditors=_creditors(request))
    filters = valid_filters(form)
    kind = filters.get("kind") or "reversals"
    select = reversal_list if kind == "reversals" else write_off_list
    return query, form, kind, select(user=request.user, filters=filters)


def _creditors(request):
    return creditor_list(user=request.user).order_by("name")


@manager_required
@require_GET
def reversal_list_view(request):
    """Reversed payments, or write-offs with what was recovered since, of the manager's
    creditors; `?format=csv` downloads the filtered list."""
    query, form, kind, rows = _filtered(request)
    if request.GET.get("format") == "csv":
        if form.is_bound and not form.is_valid():
            return HttpResponse(status=400)
        return _export(request, kind=kind, rows=rows)
    context = list_page(request, form=form, queryset=rows, query=query, size=PAGE_SIZE)
    context["kind"] = kind
    return render(
        request,
        "collections_app/reversal_list.html",
        context,
        status=400 if context["invalid"] else 200,
    )


def _export(request, *, kind, rows):
    day = business_today().isoformat()
    if kind == "reversals":
        headers = [
            _("Reversed on"),
            _("Creditor"),
            _("Debt"),
            _("Debtor"),
            _("Payment reference"),
            _("Paid at"),
            _("Amount"),
            _("Currency"),
            _("Reason"),
            _("Source"),
            _("Note"),
            _("Reversed by"),
        ]
        data = (
            [
                r.business_date.isoformat(),
                r.payment.creditor.name,
                r.payment.debt.debt_ref,
                r.payment.debt.debtor.full_name,
                r.payment.reference,
                r.payment.paid_at.isoformat(),
                r.payment.amount,
                r.payment.currency,
                r.get_reason_display(),
                r.get_source_display(),
                r.note,
                r.reversed_by.username if r.reversed_by else "",
            ]
            for r in rows.iterator()
        )
        name = f"reversals-{day}.csv"
    else:
        headers = [
            _("Written off on"),
            _("Creditor"),
            _("Debt"),
            _("Debtor"),
            _("Principal"),
            _("Interest"),
            _("Fees"),
            _("Amount written off"),
            _("Recovered since"),
            _("Currency"),
            _("Reason"),
            _("Note"),
            _("Written off by"),
        ]
        data = (
            [
                w.business_date.isoformat(),
                w.debt.creditor.name,
                w.debt.debt_ref,
                w.debt.debtor.full_name,
                w.principal,
                w.interest,
                w.fees,
                w.amount,
                w.recovered,
                w.currency,
                w.get_reason_display(),
                w.note,
                w.written_off_by.username if w.written_off_by else "",
            ]
            for w in rows.iterator()
        )
        name = f"write-offs-{day}.csv"
    return export_response(
        request=request,
        export=f"collections.{kind}",
        file_name=name,
        fmt="csv",
        headers=headers,
        rows=data,
    )
