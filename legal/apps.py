from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "legal"
    verbose_name = _("Legal stage")

    def ready(self):
        from agreements.hooks import agreement_completed
        from collections_app.hooks import payment_reversed, payments_applied
        from legal.selectors.debt_page import debt_page_reads as legal_reads
        from legal.services.settlement import (
            on_agreement_completed,
            on_payment_reversed,
            on_payments_applied,
        )
        from portfolio.hooks import debt_page_case_panels, debt_page_reads

        # A paid debt or a completed settlement closes its court case (paid / settled).
        payments_applied.register(on_payments_applied, key="legal.close_paid")
        agreement_completed.register(on_agreement_completed, key="legal.close_settled")
        # A reversed payment reopens the case it had closed (the debt is owed again).
        payment_reversed.register(on_payment_reversed, key="legal.reopen")
        # The debt page shows its court case (read with the page's debt: no extra query).
        debt_page_reads.register(legal_reads, key="legal")
        debt_page_case_panels.register(
            lambda: "{% load legal_tags %}{% debt_legal_panel debt %}", key="legal", order=27
        )
