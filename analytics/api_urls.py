from django.urls import path

from analytics import apis

urlpatterns = [
    path("kpis/", apis.KpiApi.as_view(), name="api-kpis"),
    path("segments/", apis.SegmentListApi.as_view(), name="api-segments"),
]
