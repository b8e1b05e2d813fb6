from django.urls import path

from collections_app import apis

urlpatterns = [
    path(
        "debts/<int:pk>/transitions/",
        apis.DebtTransitionsApi.as_view(),
        name="debt-transitions",
    ),
    path("debts/<int:pk>/holds/", apis.DebtHoldsApi.as_view(), name="debt-holds"),
    path("debts/<int:pk>/disputes/", apis.DebtDisputesApi.as_view(), name="debt-disputes"),
    path("holds/<int:pk>/close/", apis.HoldCloseApi.as_view(), name="hold-close"),
]
