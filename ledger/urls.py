from django.urls import path

from ledger.views import journal, overview

app_name = "ledger"

urlpatterns = [
    path("", overview.overview_view, name="overview"),
    path("journal/", journal.journal_view, name="journal"),
    path("journal/export.csv", journal.journal_export_view, name="journal-export"),
]
