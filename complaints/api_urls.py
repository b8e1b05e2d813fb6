from django.urls import path
from rest_framework.routers import DefaultRouter

from complaints.apis import complaints, reputation

router = DefaultRouter()
router.register("complaints", complaints.ComplaintViewSet, basename="complaint")

# The KPIs first: the router's complaints/{pk}/ would otherwise read "kpis" as an id.
urlpatterns = [
    path("complaints/kpis/", reputation.ReputationKpisApi.as_view(), name="api-complaint-kpis"),
    *router.urls,
]
