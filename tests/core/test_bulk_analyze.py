"""Planner statistics refreshed after a bulk step wrote a good part of a table."""

import pytest
from django.db import connection

from core.bulk import tables_analyze_after_bulk
from portfolio.models import Debt
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

TABLE = Debt._meta.db_table


def counted() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        return cursor.fetchone()[0]


def test_a_table_rewritten_in_bulk_is_analyzed_inside_the_transaction():
    DebtFactory.create_batch(12)
    assert tables_analyze_after_bulk({TABLE: 12}, minimum=10) == [TABLE]
    assert counted() == 12  # the transaction's own new rows are counted


def test_small_changes_leave_the_statistics_to_autovacuum():
    DebtFactory.create_batch(12)
    assert tables_analyze_after_bulk({TABLE: 12}, minimum=10) == [TABLE]
    # Below the minimum, or under a tenth of the rows counted: nothing to do.
    assert tables_analyze_after_bulk({TABLE: 5}, minimum=10) == []
    assert tables_analyze_after_bulk({TABLE: 1}, minimum=1) == []
    assert tables_analyze_after_bulk({TABLE: 2}, minimum=1) == [TABLE]
