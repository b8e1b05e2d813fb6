from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def debt_list(request):  # placeholder until the UI helper lands
    return HttpResponse("debts")


@login_required
def debt_detail(request, pk):  # placeholder until the UI helper lands
    return HttpResponse("debt")


urlpatterns = [
    path("debts/", debt_list, name="debt-list"),
    path("debts/<int:pk>/", debt_detail, name="debt-detail"),
]
