from django.urls import path

from ledger.views import journal, overview, remittance, rules, statement

app_name = "ledger"

urlpatterns = [
    path("", overview.overview_view, name="overview"),
    path("journal/", journal.journal_view, name="journal"),
    path("journal/export.csv", journal.journal_export_view, name="journal-export"),
    path("remittances/", remittance.remittance_list_view, name="remittance-list"),
    path("remittances/new/", remittance.remittance_new_view, name="remittance-new"),
    path("remittances/<int:pk>/", remittance.remittance_detail_view, name="remittance-detail"),
    path("remittances/<int:pk>/issue/", remittance.remittance_issue_view, name="remittance-issue"),
    path("remittances/<int:pk>/void/", remittance.remittance_void_view, name="remittance-void"),
    path("remittances/<int:pk>/pdf/", remittance.remittance_pdf_view, name="remittance-pdf"),
    path("remittances/<int:pk>/csv/", remittance.remittance_csv_view, name="remittance-csv"),
    path("commission/", remittance.commission_list_view, name="commission-list"),
    path(
        "debts/<int:debt_pk>/statement/",
        statement.debt_statement_view,
        name="debt-statement",
    ),
    path(
        "debts/<int:debt_pk>/statement/csv/",
        statement.debt_statement_csv,
        name="debt-statement-csv",
    ),
    path(
        "debts/<int:debt_pk>/statement/pdf/",
        statement.debt_statement_pdf,
        name="debt-statement-pdf",
    ),
    path("rules/", rules.rules_view, name="rules"),
    path(
        "rules/fees/<int:pk>/deactivate/",
        rules.fee_rule_deactivate_view,
        name="fee-rule-deactivate",
    ),
    path("usury/", rules.usury_list_view, name="usury-list"),
    path("usury/upload/", rules.usury_upload_view, name="usury-upload"),
]
