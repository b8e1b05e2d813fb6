"""Import a portfolio file synchronously (same service as the web page and the API)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from imports.models import ImportBatch
from imports.services.portfolio_file import import_batch_create, import_batch_run
from portfolio.models import Creditor

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import a portfolio CSV file for a creditor."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--creditor", required=True, help="creditor code")
        parser.add_argument("--portfolio", default=None, help="portfolio name for new debts")
        parser.add_argument("--strict", action="store_true", help="write nothing if a row is bad")
        parser.add_argument("--dry-run", action="store_true", help="validate and count only")

    def handle(self, *args, **options):
        creditor = Creditor.objects.filter(code=options["creditor"]).first()
        if creditor is None:
            raise CommandError(_("Unknown creditor: %(code)s") % {"code": options["creditor"]})
        try:
            batch = import_batch_create(
                kind=ImportBatch.Kind.PORTFOLIO,
                creditor=creditor,
                path=options["file"],
                portfolio_name=options["portfolio"],
                strict=options["strict"],
                dry_run=options["dry_run"],
                source="cli",
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        batch = import_batch_run(batch_id=batch.id)
        self._report(batch)
        if batch.status != ImportBatch.Status.COMPLETED:
            raise CommandError(batch.error_display or batch.get_status_display())

    def _report(self, batch: ImportBatch) -> None:
        prefix = _("[dry run] ") if batch.dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "Import #%(id)s %(status)s: %(rows)d rows; debts created %(created)d, "
                "updated %(updated)d, unchanged %(unchanged)d, rejected %(rejected)d; "
                "debtors created %(dc)d, updated %(du)d."
            )
            % {
                "id": batch.id,
                "status": batch.status,
                "rows": batch.rows_total,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
                "rejected": batch.rejected_count,
                "dc": batch.debtors_created,
                "du": batch.debtors_updated,
            }
        )
        if batch.capped_count:
            self.stdout.write(
                _("  %(count)d rows have a late interest rate above the ceiling in force: "
                  "loaded, and capped when interest accrues.") % {"count": batch.capped_count}
            )  # fmt: skip
        errors = list(batch.row_errors.all()[:SHOWN_ERRORS])
        for error in errors:
            self.stdout.write(
                _("  row %(row)d, %(column)s: %(reason)s (%(value)s)")
                % {
                    "row": error.row,
                    "column": error.column,
                    "reason": error.reason_display,
                    "value": error.value,
                }
            )
        more = batch.row_errors.count() - len(errors)
        if more > 0:
            self.stdout.write(_("  ... and %(count)d more errors.") % {"count": more})
