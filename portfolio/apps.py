from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_segments(sender, **kwargs):
    # Every install has the catch-all and the default segments (idempotent; edits survive).
    from django.db import connection

    from portfolio.models import SegmentDefinition
    from portfolio.segmentation.rules import segment_ensure_defaults

    # Also runs after a partial `migrate portfolio 0007` (rolling back): no table, nothing to do.
    if SegmentDefinition._meta.db_table in connection.introspection.table_names():
        segment_ensure_defaults()


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self):
        post_migrate.connect(_ensure_segments, sender=self)
