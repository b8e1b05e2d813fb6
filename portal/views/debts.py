"""What the debtor owes: their debts, one debt in detail, a PDF statement."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bureau.selectors.pages import debt_bureau_outlook
from ledger.selectors.statement import debt_statement
from portal import selectors
from portal.services.statement import stage_in_words, statement_pdf
from portal.session import portal_login_required
from portfolio.models import Debtor


def _debtor(request) -> Debtor:
    return Debtor.objects.select_related("creditor").get(pk=request.portal_debtor_id)


@require_GET
@portal_login_required
def debt_list(request):
    today = timezone.localdate()
    debts = list(selectors.debtor_debts(request.portal_debtor_id))
    rows = [
        {"debt": d, "dpd": d.days_past_due(today), "stage": stage_in_words(d.stage)} for d in debts
    ]
    return render(request, "portal/debts.html", {"debtor": _debtor(request), "rows": rows})


@require_GET
@portal_login_required
def debt_detail(request, debt_id):
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    today = timezone.localdate()
    # How each payment was applied and the late interest charged, from the debt's ledger.
    books = debt_statement(debt=debt)
    return render(
        request,
        "portal/debt_detail.html",
        {
            "debtor": _debtor(request),
            "debt": debt,
            "dpd": debt.days_past_due(today),
            "stage": stage_in_words(debt.stage),
            "applied": list(reversed(books.payments)),
            "late_interest": books.late_interest,
            "waiting_intents": selectors.debt_waiting_intents(debt),
            "agreement": selectors.debt_agreement(debt),
            "disputes": selectors.debt_disputes(debt),
            "bureau": debt_bureau_outlook(debt, as_of=today),
        },
    )


@require_GET
@portal_login_required
def statement(request, debt_id):
    debt = selectors.debtor_debt(request.portal_debtor_id, debt_id)
    pdf = statement_pdf(debt=debt, as_of=timezone.localdate())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = _("statement") + f"-{debt.debt_ref}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
