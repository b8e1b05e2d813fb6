"""The dashboard's tables as (headers, rows); core.exports writes them as CSV or Excel."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analytics.hooks import kpi_export_extra


@dataclass(frozen=True)
class ExtraTable:
    """A table another app adds to the KPI exports (analytics.hooks.kpi_export_extra).

    `build(filters=KpiFilters)` returns (headers, rows) for the creditors in
    `filters.creditor_ids` (already what the user may see) as of `filters.date_to`."""

    name: str
    label: str
    build: Callable[..., tuple[list, list]]


def extra_tables() -> dict[str, ExtraTable]:
    """The tables the apps above add to the exports, by name (no query is run)."""
    return {table.name: table for fn in kpi_export_extra for table in fn()}


def kpi_tables(data: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the dashboard, keyed by the name used in export URLs."""
    return {
        "headline": (
            [
                _("Currency"),
                _("Collected"),
                _("Collected (previous period)"),
                _("Payments"),
                _("Placed balance"),
                _("Recovery rate"),
                _("Cure rate"),
                _("Average days to collect"),
                _("Open balance"),
                _("Open debts"),
            ],
            [
                [
                    h["currency"],
                    h["collected"],
                    h["collected_previous"],
                    h["payments"],
                    h["placed_balance"],
                    h["recovery_rate"],
                    h["cure_rate"],
                    h["avg_days_to_collect"],
                    h["open_balance"],
                    h["open_debts"],
                ]
                for h in data["headline"]
            ],
        ),
        "aging": (
            [_("Currency"), _("Aging bucket"), _("Debts"), _("Balance")],
            [[r["currency"], r["bucket"], r["debts"], r["balance"]] for r in data["aging"]],
        ),
        "collected": (
            [_("Date"), _("Currency"), _("Collected"), _("Payments")],
            [
                [r["date"], r["currency"], r["collected"], r["payments"]]
                for r in data["collected_per_day"]
            ],
        ),
        "roll-rates": (
            [_("Currency"), _("From"), _("To"), _("Debts"), _("Balance at month start"), _("Rate")],
            [
                [
                    block["currency"],
                    row["from"],
                    cell["to"],
                    cell["debts"],
                    cell["balance"],
                    cell["rate"],
                ]
                for block in data["roll_rates"]
                for row in block["matrix"]
                for cell in row["cells"]
            ],
        ),
        "collectors": (
            [
                _("Collector"),
                _("Currency"),
                _("Days worked"),
                _("Cases worked"),
                _("Contacts logged"),
                _("Attempts"),
                _("Reached a person"),
                _("Right-party contacts"),
                _("Promises obtained"),
                _("Contact rate"),
                _("RPC rate"),
                _("Promise rate"),
                _("Collected"),
                _("Payments"),
                _("Promises made"),
                _("Promises kept"),
                _("Promises broken"),
                _("Promise-kept rate"),
            ],
            [
                [
                    r["collector"],
                    r["currency"],
                    r["days_worked"],
                    r["cases_worked"],
                    r["interactions"],
                    r["attempts"],
                    r["reached"],
                    r["rpc"],
                    r["promises"],
                    r["contact_rate"],
                    r["rpc_rate"],
                    r["promise_rate"],
                    r["collected"],
                    r["payments"],
                    r["promises_made"],
                    r["promises_kept"],
                    r["promises_broken"],
                    r["promise_kept_rate"],
                ]
                for r in data["collector_productivity"]
            ],
        ),
        "collector-days": (
            [
                _("Collector"),
                _("Date"),
                _("Currency"),
                _("Cases worked"),
                _("Attempts"),
                _("Right-party contacts"),
                _("Promises obtained"),
                _("Collected"),
                _("Payments"),
                _("Promises kept"),
                _("Promises broken"),
                _("Promise-kept rate"),
            ],
            [
                [
                    r["collector"],
                    r["date"],
                    r["currency"],
                    r["cases_worked"],
                    r["attempts"],
                    r["rpc"],
                    r["promises"],
                    r["collected"],
                    r["payments"],
                    r["promises_kept"],
                    r["promises_broken"],
                    r["promise_kept_rate"],
                ]
                for r in data["collector_days"]
            ],
        ),
        "contacts": (
            [
                _("Currency"),
                _("Contacts logged"),
                _("Cases worked"),
                _("Attempts"),
                _("Reached a person"),
                _("Right-party contacts"),
                _("Promises obtained"),
                _("Contact rate"),
                _("Contact rate (previous period)"),
                _("RPC rate"),
                _("RPC rate (previous period)"),
                _("Promise rate"),
                _("Promise rate (previous period)"),
            ],
            [
                [
                    h["currency"],
                    h["contacts_logged"],
                    h["cases_worked"],
                    h["attempts"],
                    h["attempts_reached"],
                    h["rpcs"],
                    h["contact_promises"],
                    h["contact_rate"],
                    h["contact_rate_previous"],
                    h["rpc_rate"],
                    h["rpc_rate_previous"],
                    h["promise_rate"],
                    h["promise_rate_previous"],
                ]
                for h in data["headline"]
            ],
        ),
        "contact-channels": (
            [
                _("Channel"),
                _("Currency"),
                _("Contacts logged"),
                _("Attempts"),
                _("Reached a person"),
                _("Right-party contacts"),
                _("Promises obtained"),
                _("Contact rate"),
                _("RPC rate"),
                _("Promise rate"),
            ],
            [
                [
                    r["channel"],
                    r["currency"],
                    r["interactions"],
                    r["attempts"],
                    r["reached"],
                    r["rpc"],
                    r["promises"],
                    r["contact_rate"],
                    r["rpc_rate"],
                    r["promise_rate"],
                ]
                for r in data["contact_channels"]
            ],
        ),
        "promises-agreements": (
            [
                _("Currency"),
                _("Promises made"),
                _("Promises due"),
                _("Promises kept"),
                _("Promises broken"),
                _("Promises in grace"),
                _("Promise-kept rate"),
                _("Instalments due"),
                _("Instalments paid on time"),
                _("Instalments partly or late paid"),
                _("Instalments in grace"),
                _("Agreement compliance"),
                _("Agreements active"),
                _("Agreements broken"),
                _("Broken-agreement rate"),
            ],
            [
                [
                    h["currency"],
                    h["promises_made"],
                    h["promises_due"],
                    h["promises_kept"],
                    h["promises_broken"],
                    h["promises_awaiting"],
                    h["promise_kept_rate"],
                    h["instalments_due"],
                    h["instalments_kept"],
                    h["instalments_partial"],
                    h["instalments_awaiting"],
                    h["agreement_compliance"],
                    h["agreements_active"],
                    h["agreements_broken"],
                    h["broken_agreement_rate"],
                ]
                for h in data["headline"]
            ],
        ),
        "funnel": (
            [
                _("Currency"),
                pgettext("message count", "Planned"),
                _("Suppressed"),
                pgettext("message count", "Sent"),
                pgettext("message count", "Delivered"),
                _("Delivery confirmed"),
                _("Opened"),
                _("Clicked"),
                _("Paid within 7 days"),
                _("Effectiveness"),
                _("Failed or bounced after sending"),
                _("Notices failed or bounced"),
                _("Stuck without delivery news"),
                _("Notices stuck"),
            ],
            [
                [
                    r["currency"],
                    r["planned"],
                    r["suppressed"],
                    r["sent"],
                    r["delivered"],
                    r["confirmed"],
                    r["opened"],
                    r["clicked"],
                    r["followed"],
                    r["effectiveness"],
                    r["failed"],
                    r["failed_notices"],
                    r["stuck"],
                    r["stuck_notices"],
                ]
                for r in data["message_funnel"]
            ],
        ),
        "channels": _effectiveness(data["channel_effectiveness"], "channel", _("Channel")),
        "templates": _effectiveness(data["template_effectiveness"], "template", _("Template")),
        "suppressions": (
            [_("Rule"), _("Channel"), _("Currency"), _("Messages")],
            [[r["rule"], r["channel"], r["currency"], r["messages"]] for r in data["suppressions"]],
        ),
        "segments": (
            [_("Segment"), _("Code"), _("Currency"), _("Debts"), _("Balance")],
            [
                [r["name"], r["code"], r["currency"], r["debts"], r["balance"]]
                for r in data["segments"]
            ],
        ),
        "segment-migrations": (
            [_("From segment"), _("To segment"), _("Debts")],
            [[r["from"], r["to"], r["debts"]] for r in data["segment_migrations"]],
        ),
        "cumulative-recovery": (
            [
                _("Portfolio"),
                _("Currency"),
                _("Balance at placement"),
                _("Months since placement"),
                _("Collected to date"),
                _("Recovery"),
            ],
            [
                [
                    s["portfolio"],
                    s["currency"],
                    s["placed_balance"],
                    p["month"],
                    p["collected"],
                    p["rate"],
                ]
                for s in data["cumulative_recovery"]
                for p in s["points"]
            ],
        ),
    }


def _effectiveness(rows, key, label):
    return (
        [
            label,
            _("Currency"),
            pgettext("message count", "Sent"),
            pgettext("message count", "Delivered"),
            _("Paid within 7 days"),
            _("Effectiveness"),
        ],
        [
            [r[key], r["currency"], r["sent"], r["delivered"], r["followed"], r["effectiveness"]]
            for r in rows
        ],
    )
