from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        from portfolio import reasons  # noqa: F401  (registers its reason codes)
        from portfolio.hooks import debt_page_reads
        from portfolio.selectors import debt_page_reads as own_reads

        debt_page_reads.register(own_reads, key="portfolio")
