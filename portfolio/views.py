from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def debt_list(request):  # placeholder until the UI helper lands
    return HttpResponse("debts")


@login_required
def debt_detail(request, pk):  # placeholder until the UI helper lands
    return HttpResponse("debt")
