import datetime

from django.core.management.base import BaseCommand, CommandError

from core.dates import business_today
from ledger.services.accrual import DEFAULT_CHUNK, accrual_run
from portfolio.models import Creditor


class Command(BaseCommand):
    help = (
        "Accrue one day of late interest for a business date (the daily cycle does it too). "
        "Replaying a date already accrued writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="Business date YYYY-MM-DD (default: today in the operation's time zone).",
        )
        parser.add_argument("--creditor", default=None, help="Only this creditor (its code).")
        parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="Debts per statement.")

    def handle(self, *args, as_of=None, creditor=None, chunk=DEFAULT_CHUNK, **options):
        as_of = as_of or business_today()
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        creditor_ids = None
        if creditor:
            found = Creditor.objects.filter(code=creditor).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No creditor with code {creditor!r}.")
            creditor_ids = [found]
        written = accrual_run(as_of=as_of, creditor_ids=creditor_ids, chunk=chunk)
        self.stdout.write(f"{as_of}: {written} accrual entries written")
