from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_templates(sender, **kwargs):
    from messaging.services.templates import templates_ensure_defaults

    templates_ensure_defaults()


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self):
        from messaging import reasons  # noqa: F401  (registers its reason codes)

        # Seed data for messaging lives in a service (the initial migration is regenerated when
        # branches merge), run after every migrate; it only adds what is missing.
        post_migrate.connect(_ensure_templates, sender=self, dispatch_uid="messaging-templates")
        from messaging.selectors import debt_page_reads as messages_reads
        from portfolio.hooks import debt_page_activity_panels, debt_page_reads

        debt_page_reads.register(messages_reads, key="messaging")

        # The e-mail provider's tracking webhooks (django-anymail) feed the outbox's events.
        # Replies by e-mail reach the inbox.
        from anymail.signals import inbound, tracking

        from messaging.email_webhooks import inbound_email_receive, tracking_receive

        tracking.connect(tracking_receive, dispatch_uid="messaging-email-tracking")
        inbound.connect(inbound_email_receive, dispatch_uid="messaging-email-inbound")

        debt_page_activity_panels.register(
            lambda: "{% load messaging_tags %}{% debt_messages_panel debt request.user %}",
            key="messaging",
            order=10,
        )
