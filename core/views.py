from django.db import connection
from django.http import JsonResponse

from core.models import Heartbeat


def health(request):
    """Liveness for load balancers and the docker-compose health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(name="beat").first()
    return JsonResponse(
        {
            "status": "ok",
            "database": connection.vendor,
            "beat_last_run_at": beat.last_run_at.isoformat() if beat else None,
            "beat_runs": beat.runs if beat else 0,
        }
    )
