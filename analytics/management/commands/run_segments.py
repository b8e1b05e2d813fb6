import datetime

from django.core.management.base import BaseCommand, CommandError

from analytics.services.nightly import nightly_run
from analytics.services.snapshots import collection_days_backfill
from core.dates import business_today


class Command(BaseCommand):
    help = (
        "Run the nightly job for a business date: behaviour scores, segments (only changes are "
        "recorded) and the KPI snapshot tables. A rerun for the same date changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="Business date YYYY-MM-DD (default: today in the operation's time zone).",
        )
        parser.add_argument(
            "--collections-from",
            type=datetime.date.fromisoformat,
            default=None,
            help="Also rebuild the daily collection figures (payments are facts) from this date.",
        )

    def handle(self, *args, as_of=None, collections_from=None, **options):
        as_of = as_of or business_today()
        if collections_from and collections_from >= as_of:
            raise CommandError("--collections-from must be earlier than --as-of.")
        if collections_from:
            days = collection_days_backfill(start=collections_from, end=as_of)
            self.stdout.write(f"collection figures rebuilt for {days} days")
        run = nightly_run(as_of=as_of)
        self.stdout.write(
            f"{run.as_of}: {run.debts} debts segmented, {run.segment_changes} segment changes, "
            f"{run.scores_written} scores written in {run.seconds:.1f} s"
        )
