from django.urls import path
from rest_framework.routers import DefaultRouter

from legal.apis import LegalCaseViewSet, LegalKpisApi

router = DefaultRouter()
router.register("legal-cases", LegalCaseViewSet, basename="legal-case")

# The KPIs first: the router's legal-cases/{pk}/ would otherwise read "kpis" as an id.
urlpatterns = [
    path("legal-cases/kpis/", LegalKpisApi.as_view(), name="api-legal-kpis"),
    *router.urls,
]
