"""`python manage.py import_payments FILE --creditor CODE [--strict] [--dry-run]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from imports.models import ImportBatch
from imports.services.payments_file import payments_import_run
from imports.services.portfolio_file import import_batch_create
from portfolio.models import Creditor

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Record the payments of a payments CSV file for one creditor (idempotent by reference)."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="CSV: debt_ref, amount, currency, paid_at, method, reference"
        )
        parser.add_argument("--creditor", required=True, help="Creditor code")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Write nothing if a row is bad (money sent to suspense is not bad)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        creditor = Creditor.objects.filter(code=options["creditor"]).first()
        if creditor is None:
            raise CommandError(f"Unknown creditor: {options['creditor']}")

        try:
            batch = import_batch_create(
                kind=ImportBatch.Kind.PAYMENTS,
                creditor=creditor,
                path=path,
                strict=options["strict"],
                dry_run=options["dry_run"],
                source="cli",
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        batch = payments_import_run(batch=batch)

        prefix = "[dry run] " if batch.dry_run else ""
        self.stdout.write(
            f"{prefix}import #{batch.pk} {batch.status}: rows={batch.rows_total} "
            f"created={batch.created_count} unchanged={batch.unchanged_count} "
            f"rejected={batch.rejected_count}"
        )
        held = getattr(batch, "suspense_summary", None)
        if held and held["count"]:
            # Money received that no debt could take: held, not rejected (see
            # docs/ledger/suspense.md); the suspense queue applies or refunds it.
            amounts = ", ".join(f"{a} {c}" for c, a in sorted(held["amounts"].items()))
            self.stdout.write(f"  sent to suspense: {held['count']} ({amounts})")
        errors = list(batch.row_errors.all()[:SHOWN_ERRORS])
        for error in errors:
            self.stdout.write(
                f"  line {error.row} {error.column}: {error.reason_display} [{error.value}]"
            )
        if batch.row_errors.count() > len(errors):
            self.stdout.write(f"  ... {batch.row_errors.count() - len(errors)} more errors")
        if batch.status in (ImportBatch.Status.REJECTED, ImportBatch.Status.FAILED):
            raise CommandError(batch.error_display or "File refused, nothing written.")
