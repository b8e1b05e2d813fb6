from django.urls import path

from legal.views import costs, documents

app_name = "legal"

urlpatterns = [
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        documents.document_download,
        name="document-download",
    ),
]

# costs, bundle and settlement
urlpatterns += [
    path("cases/<int:pk>/costs/", costs.case_costs, name="case-costs"),
    path("cases/<int:pk>/costs/add/", costs.cost_add, name="cost-add"),
    path("costs/<int:pk>/decide/", costs.cost_decide_view, name="cost-decide"),
    path("costs/pending/", costs.costs_pending, name="costs-pending"),
    path("settings/", costs.settings_index, name="settings"),
    path("settings/<int:creditor_pk>/", costs.settings_edit, name="settings-edit"),
    path("cases/<int:pk>/bundle/", costs.case_bundle, name="case-bundle"),
    path("cases/<int:pk>/settlement/", costs.case_settlement, name="case-settlement"),
]
