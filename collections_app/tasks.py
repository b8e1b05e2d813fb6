from celery import shared_task

from collections_app.services.cycle import cycle_run
from core.dates import business_today


@shared_task(acks_late=True)
def cycle_run_task(as_of: str | None = None) -> list[str]:
    """The morning run of the daily cycle (replays missed dates; a rerun changes nothing)."""
    import datetime

    day = datetime.date.fromisoformat(as_of) if as_of else business_today()
    return [str(run.business_date) for run in cycle_run(as_of=day)]
