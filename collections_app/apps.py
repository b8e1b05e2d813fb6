from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionsAppConfig(AppConfig):
    name = "collections_app"
    verbose_name = _("Collections")

    def ready(self):
        from collections_app import reasons  # noqa: F401  (registers its reason codes)
        from collections_app.services.cycle import cycle_run_date, last_completed_date
        from collections_app.services.policies import policy_ensure_defaults
        from messaging import hooks as messaging
        from portfolio.hooks import creditor_created

        creditor_created.register(policy_ensure_defaults, key="collections.default-policy")
        messaging.cycle_last_completed_date.register(last_completed_date, key="collections")
        messaging.cycle_run_date.register(cycle_run_date, key="collections")
        # The debt page: notes in its header, the work panel on its first screen (phones and
        # the log form), then the case timeline (folded) and the escalation panel. The keys
        # name the panels an action refreshes (collections_app.views.workspace.CONTACT_PANELS).
        from collections_app.selectors.page_reads import case_page_reads
        from portfolio import hooks as portfolio

        portfolio.debt_page_reads.register(case_page_reads, key="collections")
        from collections_app.selectors.reversals import corrections_page_reads

        portfolio.debt_page_reads.register(corrections_page_reads, key="collections.corrections")
        portfolio.debt_page_header_panels.register(
            lambda: "{% load workspace_tags %}{% debt_case_notes debt %}",
            key="collections.notes",
            order=10,
        )
        portfolio.debt_page_work_panels.register(
            lambda: "{% load workspace_tags %}{% debt_case_panel debt request.user %}",
            key="collections.work",
            order=10,
        )
        portfolio.debt_page_case_panels.register(
            lambda: "{% load workspace_tags %}{% debt_case_timeline debt request.user %}",
            key="collections.timeline",
            order=5,
        )
        portfolio.debt_page_case_panels.register(
            lambda: (
                "{% load workspace_tags %}"
                "{% debt_escalation debt request.user as_of as escalation %}"
                '{% include "collections_app/_debt_escalation.html" %}'
            ),
            key="collections.escalation",
            order=10,
        )
        # The payments list with each payment's reversal and the managers' reverse action.
        portfolio.debt_page_payments_panels.register(
            lambda: '{% include "collections_app/_debt_payments.html" %}',
            key="collections.payments",
        )
