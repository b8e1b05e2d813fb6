"""The ledger's front page for managers."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.dates import business_today
from core.decorators import manager_required
from ledger.selectors.overview import ledger_overview


@manager_required
@require_GET
def overview_view(request):
    context = {"overview": ledger_overview(user=request.user, as_of=business_today())}
    return render(request, "ledger/overview.html", context)
