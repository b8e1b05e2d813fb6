"""The dashboard's plain tables as column specs, drawn by analytics/includes/kpi_table.html.

Each table: id, title, optional note, export (its CSV/Excel name), empty (text when there are
no rows; without it an empty table is not drawn), rows and columns (label, key, kind, link: the
row key of the cell's drill-down URL, rate: for a count shown with its rate).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _col(label, key, kind="text", link=None, rate=None) -> dict:
    return {"label": label, "key": key, "kind": kind, "link": link, "rate": rate}


def dashboard_tables(data: dict, buckets: dict) -> dict[str, dict]:
    """The dashboard's plain tables, each drawn by includes/kpi_table.html with its export."""
    currency = _col(_("Currency"), "currency")
    for row in data["aging"]:
        row["bucket_label"] = buckets.get(row["bucket"], row["bucket"])
    effectiveness = [
        currency,
        _col(pgettext_lazy("message count", "Sent"), "sent", "num"),
        _col(pgettext_lazy("message count", "Delivered"), "delivered", "num"),
        _col(_("Paid within 7 days"), "followed", "num"),
        _col(_("Effectiveness"), "effectiveness", "pct"),
    ]
    return {
        "aging": {
            "id": "aging",
            "export": "aging",
            "title": _("Aging by bucket"),
            "rows": data["aging"],
            "columns": [
                currency,
                _col(_("Aging bucket"), "bucket_label"),
                _col(_("Debts"), "debts", "num", link="link"),
                _col(_("Balance"), "balance", "money"),
            ],
        },
        "contact_channels": {
            "id": "contact-channels",
            "export": "contact-channels",
            "title": _("Contacts by channel"),
            "note": _(
                "Attempts are outbound calls and field visits; messages sent by hand and calls "
                "from the debtor are logged but are not attempts."
            ),
            "empty": _("No contacts logged in this period."),
            "rows": data["contact_channels"],
            "columns": [
                _col(_("Channel"), "label"),
                currency,
                _col(_("Contacts logged"), "interactions", "num", link="link"),
                _col(_("Attempts"), "attempts", "num"),
                _col(
                    _("Reached a person (contact rate)"),
                    "reached",
                    "count_rate",
                    rate="contact_rate",
                ),
                _col(_("RPCs (RPC rate)"), "rpc", "count_rate", rate="rpc_rate"),
                _col(_("Promises (promise rate)"), "promises", "count_rate", rate="promise_rate"),
            ],
        },
        "collectors": {
            "id": "collectors",
            "export": "collectors",
            "title": _("Collector productivity"),
            "note": _(
                "Cases worked, attempts, RPCs and promises: the contacts each collector logged "
                "(a case counts once per day it was worked). Collected, payments and the "
                "promise-kept rate: their assigned debts. Per day: the collector-days export."
            ),
            "empty": _("No contacts, payments or promises for collectors in this period."),
            "rows": data["collector_productivity"],
            "columns": [
                _col(_("Collector"), "collector", link="link"),
                currency,
                _col(_("Days worked"), "days_worked", "num"),
                _col(_("Cases worked"), "cases_worked", "num", link="worked_link"),
                _col(_("Attempts"), "attempts", "num", link="attempts_link"),
                _col(_("RPCs (RPC rate)"), "rpc", "count_rate", link="rpc_link", rate="rpc_rate"),
                _col(
                    _("Promises (promise rate)"),
                    "promises",
                    "count_rate",
                    link="promises_link",
                    rate="promise_rate",
                ),
                _col(_("Collected"), "collected", "money", link="collected_link"),
                _col(_("Payments"), "payments", "num"),
                _col(_("Promises on assigned debts"), "promises_made", "num"),
                _col(_("Promise-kept rate"), "promise_kept_rate", "pct"),
            ],
        },
        "segments": {
            "id": "segments",
            "export": "segments",
            "title": _("Segments"),
            "empty": _("No segmented debts in the snapshot."),
            "rows": data["segments"],
            "columns": [
                _col(_("Segment"), "name"),
                currency,
                _col(_("Debts"), "debts", "num", link="link"),
                _col(_("Balance"), "balance", "money"),
            ],
        },
        "migrations": {
            "id": "migrations",
            "export": "segment-migrations",
            "title": _("Moves between segments in the period"),
            "empty": _("No debt changed segment in this period."),
            "rows": data["segment_migrations"],
            "columns": [
                _col(_("From segment"), "from"),
                _col(_("To segment"), "to"),
                _col(_("Debts"), "debts", "num"),
            ],
        },
        "cumulative": {
            "id": "cumulative",
            "export": "cumulative-recovery",
            "title": _("Cumulative recovery by placement"),
            "rows": data["cumulative_recovery"],
            "columns": [
                _col(_("Portfolio"), "portfolio"),
                currency,
                _col(_("Balance at placement"), "placed_balance", "money"),
                _col(_("Recovery by months since placement"), "points", "points"),
            ],
        },
        "channels": {
            "id": "channels",
            "export": "channels",
            "title": _("Effectiveness by channel"),
            "rows": data["channel_effectiveness"],
            "columns": [_col(_("Channel"), "label"), *effectiveness],
        },
        "templates": {
            "id": "templates",
            "export": "templates",
            "title": _("Effectiveness by template"),
            "rows": data["template_effectiveness"],
            "columns": [_col(_("Template"), "label"), *effectiveness],
        },
        "suppressions": {
            "id": "suppressions",
            "export": "suppressions",
            "title": _("Suppressed contacts by rule"),
            "empty": _("No messages suppressed in this period."),
            "rows": data["suppressions"],
            "columns": [
                _col(_("Rule"), "rule", "code"),
                _col(_("Channel"), "channel_label"),
                currency,
                _col(_("Messages"), "messages", "num"),
            ],
        },
    }
