from rest_framework.routers import DefaultRouter

from ledger.apis import remittance

router = DefaultRouter()
router.register("remittances", remittance.RemittanceViewSet, basename="api-remittance")
router.register(
    "commission-rates", remittance.CommissionRateViewSet, basename="api-commission-rate"
)

urlpatterns = [*router.urls]
