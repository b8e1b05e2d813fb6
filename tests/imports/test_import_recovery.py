"""A worker killed in the middle of an import: the batch is run again, never twice at once."""

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from imports.models import ImportBatch
from imports.services.portfolio_file import (
    BATCH_LOCK_NAMESPACE,
    import_batch_create,
    import_batch_run,
)
from portfolio.models import Debt
from tests.imports.test_import_service import HEADER, csv_bytes, row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def abandoned_batch(creditor) -> ImportBatch:
    # the worker marked the batch running, then died: its import transaction rolled back
    batch = import_batch_create(
        kind=ImportBatch.Kind.PORTFOLIO,
        creditor=creditor,
        uploaded_file=SimpleUploadedFile("cartera.csv", csv_bytes(row(), header=HEADER)),
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    return batch


def test_a_batch_abandoned_by_a_dead_worker_is_run_again(creditor):
    batch = abandoned_batch(creditor)
    # when the task is delivered again
    import_batch_run(batch_id=batch.pk)
    # then the import runs to the end, once
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMPLETED and batch.created_count == 1
    assert Debt.objects.filter(creditor=creditor).count() == 1


def test_a_batch_another_worker_is_running_is_left_alone(creditor):
    batch = abandoned_batch(creditor)
    settings = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    try:
        with other.cursor() as cursor:  # a live worker holds the runner lock
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [BATCH_LOCK_NAMESPACE, batch.pk])
        import_batch_run(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.RUNNING
        assert not Debt.objects.filter(creditor=creditor).exists()
    finally:
        other.close()
