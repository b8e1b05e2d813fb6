from django.urls import path

from ledger.views import overview

app_name = "ledger"

urlpatterns = [
    path("", overview.overview_view, name="overview"),
]
