from django.urls import path

from legal.views import documents, kpis

app_name = "legal"

urlpatterns = [
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        documents.document_download,
        name="document-download",
    ),
    # KPIs
    path("kpis/", kpis.kpis, name="kpis"),
]
