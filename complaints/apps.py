from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from collections_app.hooks import dispute_opened
        from complaints.selectors.complaints import debt_page_reads as complaint_reads
        from complaints.services import disputes
        from portfolio.hooks import debt_page_case_panels, debt_page_reads, hold_closing

        # The debt's complaints are read with the page's debt: the panel costs no query.
        debt_page_reads.register(complaint_reads, key="complaints")
        debt_page_case_panels.register(
            lambda: "{% load complaints_tags %}{% debt_complaints_panel debt as_of %}",
            key="complaints",
            order=25,
        )
        # Every dispute is a complaint with a clock; a hold a complaint owns ends with it.
        dispute_opened.register(disputes.dispute_opened, key="complaints")
        hold_closing.register(disputes.hold_closing, key="complaints")
