"""The reputation page's URLs (mounted at complaints/reputation/, namespace
"complaints-reputation")."""

from django.urls import path

from complaints import views_reputation

app_name = "complaints-reputation"
urlpatterns = [
    path("", views_reputation.reputation, name="page"),
    path("export/redeco.<str:fmt>", views_reputation.redeco_export, name="redeco"),
    path("export/<slug:table>.<str:fmt>", views_reputation.reputation_export, name="export"),
]
