from django.urls import path

from ledger.views import overview, rules

app_name = "ledger"

urlpatterns = [
    path("", overview.overview_view, name="overview"),
    path("rules/", rules.rules_view, name="rules"),
    path(
        "rules/fees/<int:pk>/deactivate/",
        rules.fee_rule_deactivate_view,
        name="fee-rule-deactivate",
    ),
    path("usury/", rules.usury_list_view, name="usury-list"),
    path("usury/upload/", rules.usury_upload_view, name="usury-upload"),
]
