"""Furnishing runs: create (the preview: facts and lines), validate, generate, submit, cancel.

Manager-only: an admin, or a manager of the run's creditor. A run is one creditor's file for
one bureau at one cut-off; a second live run for the same three is refused (the database's
constraint says so too). Every write is set-based: the lines go in with COPY.
"""

import csv
import datetime
import hashlib
import io

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bureau.layouts.base import AccountFacts, FileHeader, layout_for
from bureau.models import BUREAU_COUNTRY, Bureau, FurnishedAccount, FurnishingRun, ReportAction
from bureau.models.runs import RunStatus
from bureau.permanence import remove_after
from bureau.selectors.withdrawals import latest_lines
from bureau.services.facts import facts_for
from bureau.services.legends import legends_record
from bureau.services.selection import previous_cut_off, run_selection
from core.exceptions import ApplicationError
from core.roles import is_manager
from core.scoping import user_manages_creditor

LINE_COLUMNS = [
    "run_id", "debt_id", "action", "status_code", "currency", "balance", "amount_past_due",
    "original_amount", "days_late", "opened_on", "first_delinquency_on", "last_payment_on",
    "closed_on", "compliance_code", "payment_history", "remove_after",
]  # fmt: skip
COMPLIANCE_CODES = {"open": "XB", "resolved": "XH"}


class _System:
    """The operator running `manage.py bureau_run` (shell access is the admin's): no user."""

    pk = None

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()


def _user(user):
    return None if user is SYSTEM else user


def _check_manager(*, user, creditor) -> None:
    if user is SYSTEM:
        return
    if not (is_manager(user) and user_manages_creditor(user=user, creditor_id=creditor.pk)):
        raise PermissionDenied(_("Only a manager of this creditor handles its bureau runs."))


def _layout(bureau: str):
    if bureau not in Bureau.values:
        raise ApplicationError(_("Unknown bureau %(code)s.") % {"code": bureau}, field="bureau")
    try:
        return layout_for(bureau)
    except KeyError:
        raise ApplicationError(
            _("No file layout is installed for %(bureau)s.") % {"bureau": Bureau(bureau).label},
            field="bureau",
        ) from None


def run_header(run: FurnishingRun) -> FileHeader:
    return FileHeader(
        bureau=run.bureau,
        furnisher_id=run.creditor.code,
        furnisher_name=run.creditor.name,
        cut_off=run.cut_off,
        created_on=timezone.localdate(),
    )


def line_remove_after(facts: AccountFacts, *, country: str) -> datetime.date | None:
    """When the negative data of this account leaves the bureau (bureau.permanence)."""
    paid_on = facts.closed_on if facts.state in ("paid", "settled") else None
    amount = facts.balance if facts.balance > 0 else facts.original_amount
    return remove_after(
        country=country,
        first_delinquency_on=facts.first_delinquency_on,
        paid_on=paid_on,
        amount=amount,
    )


def _lines_copy(run: FurnishingRun, facts: list[AccountFacts], layout) -> None:
    country = BUREAU_COUNTRY.get(run.bureau, "")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    null = "\\N"
    for account in facts:
        values = [
            run.pk,
            account.debt_id,
            account.action,
            layout.status_code(account),
            account.currency,
            account.balance,
            account.amount_past_due,
            account.original_amount,
            account.days_late,
            account.opened_on,
            account.first_delinquency_on,
            account.last_payment_on,
            account.closed_on,
            COMPLIANCE_CODES.get(account.disputed, ""),
            account.payment_history,
            line_remove_after(account, country=country),
        ]
        writer.writerow([null if v is None else v for v in values])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {FurnishedAccount._meta.db_table} ({', '.join(LINE_COLUMNS)}) "
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )


@transaction.atomic
def run_create(
    *,
    creditor,
    bureau: str,
    cut_off: datetime.date,
    user,
    withdrawals_only: bool = False,
) -> FurnishingRun:
    """The preview: compute the facts and write one line per debt with the layout's status
    code. `withdrawals_only`: an urgent run carrying only the withdrawals due."""
    _check_manager(user=user, creditor=creditor)
    layout = _layout(bureau)
    if not isinstance(cut_off, datetime.date):
        raise ApplicationError(_("Give the cut-off date."), field="cut_off")
    exists = FurnishingRun.objects.filter(creditor=creditor, bureau=bureau, cut_off=cut_off)
    if exists.exclude(status=RunStatus.CANCELLED).exists():
        raise ApplicationError(
            _(
                "There is already a run for %(creditor)s, %(bureau)s, cut-off %(date)s: "
                "cancel it first to make it again."
            )
            % {"creditor": creditor.code, "bureau": bureau, "date": cut_off.isoformat()},
            field="cut_off",
        )
    try:
        with transaction.atomic():
            run = FurnishingRun.objects.create(
                creditor=creditor,
                bureau=bureau,
                layout_version=str(getattr(layout, "version", "")),
                cut_off=cut_off,
                created_by=_user(user),
            )
    except IntegrityError:
        raise ApplicationError(
            _("Another run for this creditor, bureau and cut-off was just created."),
            field="cut_off",
        ) from None
    selection = run_selection(
        creditor=creditor, bureau=bureau, cut_off=cut_off, withdrawals_only=withdrawals_only
    )
    facts = facts_for(creditor=creditor, bureau=bureau, cut_off=cut_off, selection=selection)
    _lines_copy(run, facts, layout)
    run.accounts = len(facts)
    run.save(update_fields=["accounts", "updated_at"])
    return run


def run_facts(run: FurnishingRun) -> list[AccountFacts]:
    """The run's facts again (for check and render), from the books as of its cut-off, with
    the actions its lines recorded and the previous lines' history."""
    latest = latest_lines(creditor_id=run.creditor_id, bureau=run.bureau, before=run.cut_off)
    reported = latest[latest["action"] == ReportAction.REPORT]
    history = dict(zip(reported["debt_id"], reported["payment_history"], strict=True))
    dofd = dict(zip(reported["debt_id"], reported["first_delinquency_on"], strict=True))
    lines = list(run.lines.order_by("debt_id").values_list("debt_id", "action"))
    selection = pd.DataFrame(
        [
            {
                "debt_id": debt_id,
                "action": action,
                "prev_history": history.get(debt_id) or "",
                "prev_dofd": dofd.get(debt_id),
                "reason_code": "",
            }
            for debt_id, action in lines
        ],
        columns=["debt_id", "action", "prev_history", "prev_dofd", "reason_code"],
    )
    selection.attrs["prev_cut_off"] = previous_cut_off(latest)
    return facts_for(
        creditor=run.creditor, bureau=run.bureau, cut_off=run.cut_off, selection=selection
    )


def _locked(run: FurnishingRun) -> FurnishingRun:
    return FurnishingRun.objects.select_for_update().select_related("creditor").get(pk=run.pk)


def _require(run: FurnishingRun, *statuses: str, doing: str) -> None:
    if run.status not in statuses:
        raise ApplicationError(
            _("A %(status)s run cannot be %(doing)s.")
            % {"status": run.get_status_display().lower(), "doing": doing},
            field="status",
        )


@transaction.atomic
def run_validate(*, run: FurnishingRun, user) -> FurnishingRun:
    """Run the layout's pre-submission checks; only a run without errors validates."""
    _check_manager(user=user, creditor=run.creditor)
    run = _locked(run)
    _require(run, RunStatus.DRAFT, RunStatus.VALIDATED, doing=_("validated"))
    layout = _layout(run.bureau)
    findings = layout.check(run_header(run), run_facts(run))
    run.findings = [
        {
            "severity": f.severity,
            "code": f.code,
            "message": str(f.message),
            "debt_id": f.debt_id,
            "field": f.field_name,
        }
        for f in findings
    ]
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        run.save(update_fields=["findings", "updated_at"])
        return run
    run.validate()
    run.save(update_fields=["findings", "status", "updated_at"])
    return run


@transaction.atomic
def run_generate(*, run: FurnishingRun, user) -> FurnishingRun:
    """Write the file (layout.render), keep it with its SHA-256 and name."""
    _check_manager(user=user, creditor=run.creditor)
    run = _locked(run)
    _require(run, RunStatus.VALIDATED, doing=_("generated (validate it first)"))
    layout = _layout(run.bureau)
    data = layout.render(run_header(run), run_facts(run))
    extension = str(getattr(layout, "file_extension", "txt")).lstrip(".")
    name = f"{run.creditor.code}_{run.bureau}_{run.cut_off:%Y%m%d}_{run.pk}.{extension}"
    run.checksum = hashlib.sha256(data).hexdigest()
    run.file_name = name
    run.file.save(name, ContentFile(data), save=False)
    run.generated_at = timezone.now()
    run.generate()
    run.save(
        update_fields=["file", "file_name", "checksum", "generated_at", "status", "updated_at"]
    )
    return run


@transaction.atomic
def run_submit(*, run: FurnishingRun, user) -> FurnishingRun:
    """Someone uploaded the file to the bureau: record it, and the dispute legends it carried."""
    _check_manager(user=user, creditor=run.creditor)
    run = _locked(run)
    _require(run, RunStatus.GENERATED, doing=_("marked submitted (generate it first)"))
    run.submit()
    run.submitted_at = timezone.now()
    run.submitted_by = _user(user)
    run.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    legends_record(run=run, user=_user(user))
    return run


@transaction.atomic
def run_cancel(*, run: FurnishingRun, user) -> FurnishingRun:
    """Drop a run before submission (its cut-off may then be run again)."""
    _check_manager(user=user, creditor=run.creditor)
    run = _locked(run)
    _require(run, RunStatus.DRAFT, RunStatus.VALIDATED, RunStatus.GENERATED, doing=_("cancelled"))
    run.cancel()
    run.save(update_fields=["status", "updated_at"])
    return run


__all__ = [
    "SYSTEM",
    "ReportAction",
    "run_cancel",
    "run_create",
    "run_generate",
    "run_submit",
    "run_validate",
]
