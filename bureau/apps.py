from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BureauConfig(AppConfig):
    name = "bureau"
    verbose_name = _("Credit bureau reporting")

    def ready(self):
        from bureau.selectors.pages import debt_page_reads as bureau_reads
        from portfolio.hooks import debt_page_case_panels, debt_page_reads

        # The debt's bureau lines are read with the page's debt: the panel costs no query.
        debt_page_reads.register(bureau_reads, key="bureau")
        debt_page_case_panels.register(
            lambda: "{% load bureau_tags %}{% debt_bureau_panel debt %}", key="bureau", order=30
        )
