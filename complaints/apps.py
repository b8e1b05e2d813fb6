from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from complaints.selectors import debt_page_reads as complaint_reads
        from portfolio.hooks import debt_page_case_panels, debt_page_reads

        # The debt's complaints are read with the page's debt: the panel costs no query.
        debt_page_reads.register(complaint_reads, key="complaints")
        debt_page_case_panels.register(
            lambda: "{% load complaints_tags %}{% debt_complaints_panel debt as_of %}",
            key="complaints",
            order=25,
        )
