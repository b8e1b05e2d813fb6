from django.urls import path
from rest_framework.routers import DefaultRouter

from collections_app.apis import escalation, payments, suspense
from collections_app.apis.workspace import InteractionViewSet

router = DefaultRouter()
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("payments", payments.PaymentViewSet, basename="payment")
router.register("suspense", suspense.SuspenseViewSet, basename="suspense")

urlpatterns = [
    path(
        "debts/<int:pk>/transitions/",
        escalation.DebtTransitionsApi.as_view(),
        name="debt-transitions",
    ),
    path("debts/<int:pk>/holds/", escalation.DebtHoldsApi.as_view(), name="debt-holds"),
    path("debts/<int:pk>/disputes/", escalation.DebtDisputesApi.as_view(), name="debt-disputes"),
    path("holds/<int:pk>/close/", escalation.HoldCloseApi.as_view(), name="hold-close"),
    *router.urls,
]
