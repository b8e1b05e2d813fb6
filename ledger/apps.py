from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from portfolio.hooks import debt_page_case_panels

        # The debt page links to the debt's statement (no read: the page costs no query more).
        debt_page_case_panels.register(
            lambda: '{% include "ledger/_debt_panel.html" %}', key="ledger", order=28
        )
