from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from ledger.selectors.debt_page import debt_page_reads as rate_reads
        from portfolio.hooks import debt_page_case_panels, debt_page_reads

        # The debt page's late interest panel (contract rate, ceiling today, accrued so far),
        # read with the page's debt.
        debt_page_reads.register(rate_reads, key="ledger")
        debt_page_case_panels.register(
            lambda: "{% load ledger_tags %}{% debt_rate_panel_tag debt %}", key="ledger", order=22
        )
