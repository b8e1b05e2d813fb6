"""The dashboard's figures, kept in the cache until the snapshot tables change.

Every figure is read from snapshot tables that the nightly job (or a backfill) rewrites, so
the same filters give the same answer all day: computing it once per worker and filter set
saves the ~40 snapshot queries on every other request. The key holds a stamp of the snapshot
tables (latest nightly run, newest aging, collection-day and contact-day rows) read in one
cheap query, so a new run is seen at once; the timeout bounds anything else (a renamed
collector).
"""

import hashlib

from django.core.cache import cache
from django.db import connections, router
from django.utils import translation

from analytics.forms import KpiFilters

TIMEOUT_SECONDS = 300


def snapshots_stamp() -> str:
    """Changes whenever the nightly job or a backfill rewrites the snapshots."""
    from analytics.models import NightlyRun

    # From the database the figures are read from (the replica, when the dashboard uses one),
    # so a stamp never runs ahead of the rows it stands for.
    with connections[router.db_for_read(NightlyRun)].cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(finished_at) FROM analytics_nightlyrun),"
            " (SELECT max(id) FROM analytics_agingsnapshot),"
            " (SELECT max(id) FROM analytics_collectionday),"
            " (SELECT max(id) FROM analytics_contactday)"
        )
        return repr(cursor.fetchone())


def kpi_dashboard_cached(*, filters: KpiFilters, collector_days: bool = True) -> dict:
    """`kpi_dashboard` for these filters, from the cache while the snapshots are unchanged
    (`collector_days`: productivity per collector and day, for the API and exports)."""
    from analytics.selectors.kpis import kpi_dashboard

    # Labels in the figures are translated when computed: one entry per language.
    raw = repr((filters, collector_days, translation.get_language(), snapshots_stamp()))
    key = "kpi-dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = kpi_dashboard(filters=filters, collector_days=collector_days)
        cache.set(key, data, TIMEOUT_SECONDS)
    return data
