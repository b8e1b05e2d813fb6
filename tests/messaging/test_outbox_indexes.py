"""The outbox's indexes: what every planned message pays for, and the lookups they serve."""

import pytest
from django.db import IntegrityError, connection, transaction

from messaging.models import Message
from tests.factories.messaging import make_message
from tests.factories.portfolio import DebtFactory
from tests.table_schema import table_schema

pytestmark = pytest.mark.django_db


def _indexes_on(column: str) -> list[str]:
    indexes, _constraints = table_schema([Message._meta.db_table])
    return [definition for _table, _name, definition in indexes if f"({column}" in definition]


def test_the_idempotency_key_has_one_unique_index_and_no_pattern_index():
    # One index of the keys (the unique one), not a second varchar_pattern_ops copy of them:
    # the date's keys are found through the business date (planning_sets.DAY_MESSAGES_SQL).
    (definition,) = _indexes_on("idempotency_key")
    assert definition.startswith("CREATE UNIQUE INDEX") and "pattern_ops" not in definition
    message = make_message(debt=DebtFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        make_message(debt=message.debts.get(), idempotency_key=message.idempotency_key)


def test_messages_without_a_provider_id_are_not_indexed_by_it_and_lookups_use_it():
    # Planned messages (no provider id yet) stay out of the provider id's index
    (definition,) = _indexes_on("provider_message_id")
    assert "WHERE" in definition and "''" in definition
    # and a webhook's lookup by a given id is still an index scan
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM messaging_message"
            " WHERE provider_message_id = 'SM0123' AND channel = 'sms'"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "message_provider_id" in plan, plan
