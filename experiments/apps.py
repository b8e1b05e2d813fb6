from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = _("Experiments")

    def ready(self):
        from experiments import hooks

        hooks.register()
        # The debt page's header names the experiment and arm the debtor is in, read with the
        # page's debt (no extra query).
        from experiments.selectors.experiments import debt_page_reads
        from portfolio.hooks import debt_page_header_panels
        from portfolio.hooks import debt_page_reads as page_reads

        page_reads.register(debt_page_reads, key="experiments")
        debt_page_header_panels.register(
            lambda: "{% load experiments_tags %}{% debt_experiment_note debt request.user %}",
            key="experiments.arm",
            order=30,
        )
