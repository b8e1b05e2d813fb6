from celery import shared_task
from django.db.models import F
from django.utils import timezone

from core.models import Heartbeat


@shared_task
def heartbeat() -> None:
    """Prove the beat schedule reaches a worker (shown on /health/)."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name="beat").update(last_run_at=now, runs=F("runs") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name="beat", defaults={"last_run_at": now, "runs": 1})
