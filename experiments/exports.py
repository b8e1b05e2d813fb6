"""The experiments' table in the KPI exports (analytics.hooks.kpi_export_extra): each arm's
latest nightly snapshot (ArmSnapshot) on or before the export's end date, one row per currency.
core.exports writes it, so names typed by people (experiments, arms) cannot run as formulas."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from analytics.exports import ExtraTable
from experiments.models import ArmSnapshot

_RATE = Decimal("0.0001")
_CENT = Decimal("0.01")


def _ratio(top, bottom, quantum=_RATE) -> Decimal | None:
    if not bottom:
        return None
    return (Decimal(top) / Decimal(bottom)).quantize(quantum, ROUND_HALF_UP)


def arm_table(*, filters) -> tuple[list[str], list[list]]:
    """(headers, rows) of the arms of the creditors in `filters.creditor_ids`."""
    latest = (
        ArmSnapshot.objects.filter(
            experiment_id=OuterRef("experiment_id"), as_of__lte=filters.date_to
        )
        .order_by("-as_of")
        .values("as_of")[:1]
    )
    snapshots = (
        ArmSnapshot.objects.filter(
            experiment__creditor_id__in=filters.creditor_ids, as_of=Subquery(latest)
        )
        .select_related("experiment__creditor", "arm")
        .order_by("experiment__creditor__code", "experiment_id", "arm__bucket_from", "currency")
    )
    if filters.currency:
        snapshots = snapshots.filter(currency__in=[filters.currency, ""])
    headers = [
        _("Creditor"),
        _("Experiment"),
        _("Primary metric"),
        _("Arm"),
        _("Role"),
        _("Arm status"),
        _("As of"),
        _("Accounts"),
        _("Past due at assignment"),
        _("Cured"),
        _("Cure rate"),
        _("Currency"),
        _("Collected"),
        _("Payments"),
        _("Collected per account"),
        _("Promises made"),
        _("Promises kept"),
        _("Promises broken"),
        _("Promise-kept rate"),
        _("Complaints"),
        _("Opt-outs"),
        _("Messages planned"),
        _("Messages suppressed"),
        _("Contacts"),
    ]
    rows = [
        [
            s.experiment.creditor.code,
            s.experiment.name,
            s.experiment.get_primary_metric_display(),
            s.arm.name,
            s.arm.get_role_display(),
            s.arm.get_status_display(),
            s.as_of,
            s.accounts,
            s.delinquent,
            s.cured,
            _ratio(s.cured, s.delinquent),
            s.currency,
            s.collected,
            s.payments,
            _ratio(s.collected, s.accounts, _CENT) if s.currency else None,
            s.promises_made,
            s.promises_kept,
            s.promises_broken,
            _ratio(s.promises_kept, s.promises_kept + s.promises_broken),
            s.complaints,
            s.opt_outs,
            s.messages_planned,
            s.messages_suppressed,
            s.contacts,
        ]
        for s in snapshots
    ]
    return headers, rows


def kpi_export_extra() -> list[ExtraTable]:
    return [ExtraTable("experiment-arms", _("Experiments: figures per arm"), arm_table)]
