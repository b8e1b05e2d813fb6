from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Debtor portal")

    def ready(self):
        from messaging import hooks as messaging
        from portal.selectors import preferred_hours
        from portal.services.links import portal_link

        messaging.portal_link.register(portal_link, key="portal")
        messaging.preferred_hours.register(preferred_hours, key="portal")
        from portal.selectors import debt_page_reads as portal_reads
        from portfolio.hooks import debt_page_case_panels, debt_page_reads

        debt_page_reads.register(portal_reads, key="portal")

        debt_page_case_panels.register(
            lambda: "{% load portal_tags %}{% debt_portal_panel debt request.user %}",
            key="portal",
            order=40,
        )
