from django.urls import path

from legal.views import cases, costs, documents, workspace

app_name = "legal"

urlpatterns = [
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        documents.document_download,
        name="document-download",
    ),
    # counsel workspace and case page
    path("", workspace.workspace_view, name="workspace"),
    path("cases/<int:pk>/", cases.case_detail_view, name="case-detail"),
    path("cases/<int:pk>/update/", cases.case_update_view, name="case-update"),
    path("cases/<int:pk>/transition/", cases.case_transition_view, name="case-transition"),
    path("cases/<int:pk>/measures/", cases.measure_save_view, name="measure-add"),
    path(
        "cases/<int:pk>/measures/<int:measure_pk>/",
        cases.measure_save_view,
        name="measure-edit",
    ),
    path("cases/<int:pk>/deposits/", cases.deposit_save_view, name="deposit-add"),
    path(
        "cases/<int:pk>/deposits/<int:deposit_pk>/",
        cases.deposit_save_view,
        name="deposit-edit",
    ),
    path("cases/<int:pk>/documents/", cases.document_upload_view, name="document-upload"),
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
