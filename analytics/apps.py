from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_segments(sender, **kwargs):
    # Every install has the catch-all and the default segments (idempotent; edits survive).
    from django.db import connection

    from analytics.models import SegmentDefinition
    from analytics.services.rules import segment_ensure_defaults

    # Also runs after a partial migrate (rolling back): no table, nothing to do.
    if SegmentDefinition._meta.db_table in connection.introspection.table_names():
        segment_ensure_defaults()


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        post_migrate.connect(_ensure_segments, sender=self)
        from analytics import (
            hooks,
            reasons,  # noqa: F401  (registers its reason codes)
        )

        hooks.register()
        from portfolio.hooks import debt_page_case_panels

        debt_page_case_panels.register(
            lambda: "{% load kpi_tags %}{% debt_segment_panel debt request.user %}",
            key="analytics",
            order=30,
        )
