from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from agreements import reasons  # noqa: F401  (registers its reason codes)
        from agreements.selectors import accrual_frozen_debts_sql
        from agreements.selectors import debt_page_reads as promise_reads
        from ledger.hooks import accrual_frozen_sql
        from portfolio.hooks import (
            debt_page_case_panels,
            debt_page_header_panels,
            debt_page_reads,
        )

        debt_page_reads.register(promise_reads, key="agreements")
        accrual_frozen_sql.register(accrual_frozen_debts_sql, key="agreements")

        debt_page_case_panels.register(
            lambda: "{% load agreements_tags %}{% debt_agreements_panel debt request.user %}",
            key="agreements",
            order=20,
        )
        debt_page_header_panels.register(
            lambda: "{% load agreements_tags %}{% debt_promise_note debt %}",
            key="agreements.promise",
            order=20,
        )
