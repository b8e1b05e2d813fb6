from django.urls import path

from complaints import apis_reputation

urlpatterns = [
    path(
        "complaints/kpis/", apis_reputation.ReputationKpisApi.as_view(), name="api-complaint-kpis"
    ),
]
