from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from collections_app.hooks import dispute_opened
        from complaints.services import disputes
        from portfolio.hooks import hold_closing

        dispute_opened.register(disputes.dispute_opened, key="complaints")
        hold_closing.register(disputes.hold_closing, key="complaints")
