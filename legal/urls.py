from django.urls import path

from legal.views import (
    alerts,
    cases,
    cases_manager,
    costs,
    documents,
    firms,
    handoff,
    kpis,
    prescription,
    workspace,
)

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
    # manager side
    path("firms/", firms.firm_list_view, name="firm-list"),
    path("firms/new/", firms.firm_new, name="firm-new"),
    path("firms/<int:pk>/", firms.firm_detail, name="firm-detail"),
    path("firms/<int:pk>/lawyers/add/", firms.firm_lawyer_add, name="firm-lawyer-add"),
    path("firms/<int:pk>/lawyers/new/", firms.firm_lawyer_create, name="firm-lawyer-create"),
    path(
        "firms/<int:pk>/lawyers/<int:lawyer_pk>/remove/",
        firms.firm_lawyer_remove,
        name="firm-lawyer-remove",
    ),
    path("handoff/", handoff.handoff_view, name="handoff"),
    path("manage/cases/", cases_manager.manager_case_list, name="manager-cases"),
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("alerts/seen/", alerts.alert_mark_seen, name="alert-mark-seen"),
    path("alerts/badge/", alerts.alert_badge, name="alert-badge"),
    path(
        "debts/<int:debt_pk>/prescription/",
        prescription.debt_prescription,
        name="debt-prescription",
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
    # KPIs
    path("kpis/", kpis.kpis, name="kpis"),
]
