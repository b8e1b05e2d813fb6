import pytest

from core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_beat(client):
    # given the beat has run once
    heartbeat()
    # when a load balancer asks
    body = client.get("/health/").json()
    # then it sees the database answering and the beat's last run
    assert body["status"] == "ok"
    assert body["beat_runs"] == 1
    assert body["beat_last_run_at"]
