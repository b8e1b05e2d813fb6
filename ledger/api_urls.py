from django.urls import path
from rest_framework.routers import DefaultRouter

from ledger.apis import remittance
from ledger.apis.statement import DebtStatementApi

router = DefaultRouter()
router.register("remittances", remittance.RemittanceViewSet, basename="api-remittance")
router.register(
    "commission-rates", remittance.CommissionRateViewSet, basename="api-commission-rate"
)

urlpatterns = [
    # Under the debts API (portfolio's), served here: portfolio sits below the ledger.
    path("debts/<int:pk>/statement/", DebtStatementApi.as_view(), name="api-debt-statement"),
    *router.urls,
]
