import datetime

from django.core.management.base import BaseCommand, CommandError

from collections_app.services.cycle import cycle_run
from core.dates import business_today
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Run the daily cycle for a business date: days past due, stage changes and the day's "
        "contact actions. Missed dates since the last run are replayed in order."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="Business date YYYY-MM-DD (default: today in the operation's time zone).",
        )
        parser.add_argument(
            "--dispatch",
            action="store_true",
            help="Also deliver the messages planned for the date through the channel backends.",
        )

    def handle(self, *args, as_of=None, dispatch=False, **options):
        as_of = as_of or business_today()
        try:
            runs = cycle_run(as_of=as_of)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for run in runs:
            self.stdout.write(
                f"{run.business_date}: {run.debts_evaluated} debts evaluated, "
                f"{run.debts_moved} moved, {run.debts_held} on hold, "
                f"{run.actions_planned} contact actions planned"
            )
        if dispatch:
            from messaging.services.dispatch import messages_dispatch_date

            for run in runs:
                counts = messages_dispatch_date(business_date=run.business_date)
                summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
                self.stdout.write(f"{run.business_date}: messages {summary or 'none planned'}")
