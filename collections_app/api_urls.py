from django.urls import path
from rest_framework.routers import DefaultRouter

from collections_app import apis, apis_payments
from collections_app.workspace.apis import InteractionViewSet

router = DefaultRouter()
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("payments", apis_payments.PaymentViewSet, basename="payment")

urlpatterns = [
    path(
        "debts/<int:pk>/transitions/",
        apis.DebtTransitionsApi.as_view(),
        name="debt-transitions",
    ),
    path("debts/<int:pk>/holds/", apis.DebtHoldsApi.as_view(), name="debt-holds"),
    path("debts/<int:pk>/disputes/", apis.DebtDisputesApi.as_view(), name="debt-disputes"),
    path("holds/<int:pk>/close/", apis.HoldCloseApi.as_view(), name="hold-close"),
    *router.urls,
]
