from django.urls import path

from ledger.views import overview, statement

app_name = "ledger"

urlpatterns = [
    path("", overview.overview_view, name="overview"),
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
]
