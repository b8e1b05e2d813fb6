from django.urls import path

from legal.views import alerts, cases_manager, documents, firms, handoff, prescription

app_name = "legal"

urlpatterns = [
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        documents.document_download,
        name="document-download",
    ),
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
