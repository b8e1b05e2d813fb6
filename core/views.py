from django.db import connection
from django.http import JsonResponse
from django.views.defaults import page_not_found
from rest_framework.exceptions import NotFound

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


def not_found(request, exception):
    """Django's 404 page, but JSON under /api/: an API client reads every error the same way.

    An API URL that matches no route at all (`/api/v1/debts/abc/transitions/` where the id must
    be a number) never reaches DRF, whose own 404s are JSON.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return page_not_found(request, exception)
