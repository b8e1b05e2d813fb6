import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from bureau.models import Bureau
from bureau.services.runs import (
    SYSTEM,
    run_create,
    run_generate,
    run_submit,
    run_validate,
)
from core.exceptions import ApplicationError
from portfolio.models import Creditor


class Command(BaseCommand):
    help = (
        "Make a creditor's credit-bureau run for a cut-off date (the preview: one line per "
        "debt reported, updated, deleted or withdrawn); with --generate also validate it and "
        "write the file, with --submit also mark it submitted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--creditor", required=True, help="Creditor code.")
        parser.add_argument("--bureau", required=True, choices=Bureau.values)
        parser.add_argument("--cut-off", required=True, type=datetime.date.fromisoformat)
        parser.add_argument("--generate", action="store_true", help="Validate, write the file.")
        parser.add_argument("--submit", action="store_true", help="Also mark it submitted.")
        parser.add_argument(
            "--withdrawals-only",
            action="store_true",
            help="An urgent run carrying only the withdrawals due.",
        )
        parser.add_argument(
            "--user", default="", help="Username acting (a manager of the creditor); default: "
            "the operator."
        )  # fmt: skip

    def handle(self, *args, **options):
        try:
            creditor = Creditor.objects.get(code=options["creditor"])
        except Creditor.DoesNotExist:
            raise CommandError(f"No creditor with code {options['creditor']!r}.") from None
        user = SYSTEM
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            run = run_create(
                creditor=creditor,
                bureau=options["bureau"],
                cut_off=options["cut_off"],
                user=user,
                withdrawals_only=options["withdrawals_only"],
            )
            self._counts(run)
            if options["generate"] or options["submit"]:
                run = run_validate(run=run, user=user)
                errors = [f for f in run.findings if f["severity"] == "error"]
                self.stdout.write(
                    f"checks: {len(errors)} errors, {len(run.findings) - len(errors)} warnings"
                )
                if errors:
                    for finding in errors[:20]:
                        self.stdout.write(
                            f"  {finding['code']} debt {finding['debt_id']}: {finding['message']}"
                        )
                    raise CommandError(f"Run {run.pk} did not validate; no file written.")
                run = run_generate(run=run, user=user)
                self.stdout.write(f"file: {run.file.path} ({run.file_name})")
                self.stdout.write(f"sha256: {run.checksum}")
            if options["submit"]:
                run = run_submit(run=run, user=user)
                self.stdout.write(f"submitted at {run.submitted_at:%Y-%m-%d %H:%M} UTC")
        except (ApplicationError, PermissionDenied) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc

    def _counts(self, run):
        self.stdout.write(
            f"run {run.pk}: {run.creditor.code} {run.bureau} cut-off {run.cut_off}: "
            f"{run.accounts} accounts"
        )
        by_action = run.lines.values_list("action").annotate(n=Count("id")).order_by("action")
        by_code = run.lines.values_list("status_code").annotate(n=Count("id")).order_by()
        actions = ", ".join(f"{n} {action}" for action, n in by_action)
        self.stdout.write(f"actions: {actions or 'none'}")
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(by_code))
        self.stdout.write(f"status codes: {codes or 'none'}")
