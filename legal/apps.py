from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = _("Legal stage")

    def ready(self):
        from agreements.hooks import agreement_completed
        from collections_app.hooks import payments_applied
        from legal.services.settlement import on_agreement_completed, on_payments_applied

        # A paid debt or a completed settlement closes its court case (paid / settled).
        payments_applied.register(on_payments_applied, key="legal.close_paid")
        agreement_completed.register(on_agreement_completed, key="legal.close_settled")
