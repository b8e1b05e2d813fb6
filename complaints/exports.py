"""The reputation page's tables as (headers, rows); core.exports writes them as CSV or Excel."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BREAKDOWN_TITLES = {
    "kind": gettext_lazy("By type"),
    "root_cause": gettext_lazy("By root cause"),
    "creditor": gettext_lazy("By creditor"),
    "collector": gettext_lazy("By collector"),
    "channel": gettext_lazy("By channel received"),
    "template": gettext_lazy("By message template"),
}
BREAKDOWN_KEYS = {
    "kind": gettext_lazy("Type"),
    "root_cause": gettext_lazy("Root cause"),
    "creditor": gettext_lazy("Creditor"),
    "collector": gettext_lazy("Collector"),
    "channel": gettext_lazy("Channel"),
    "template": gettext_lazy("Template"),
}
# Where the per-10,000 figure has its own denominator, and what it is.
DENOMINATORS = {
    "creditor": gettext_lazy("Accounts worked"),
    "collector": gettext_lazy("Accounts worked"),
    "template": gettext_lazy("Messages sent"),
}


def _counts_headers() -> list:
    return [
        _("Received"),
        _("Answered"),
        _("On time"),
        _("Late"),
        _("On-time rate"),
        _("Median days to answer"),
        _("Open"),
        _("Overdue"),
    ]


def _counts(r: dict) -> list:
    return [
        r["received"],
        r["answered"],
        r["on_time"],
        r["late"],
        r["on_time_rate"],
        r["median_days"],
        r["open"],
        r["overdue"],
    ]


def reputation_tables(report: dict) -> dict[str, tuple[list, list[list]]]:
    """Every table of the page, keyed by the name used in export URLs."""
    h = report["headline"]
    tables = {
        "headline": (
            [
                _("From"),
                _("To"),
                _("Accounts worked"),
                _("Complaints per 10,000 accounts worked"),
                *_counts_headers(),
                _("Open now"),
                _("Overdue now"),
            ],
            [
                [
                    report["date_from"],
                    report["date_to"],
                    h["accounts_worked"],
                    h["per_10k"],
                    *_counts(h),
                    h["open_now"],
                    h["overdue_now"],
                ]
            ],
        ),
        "trend": (
            [
                _("Month"),
                _("Accounts worked"),
                _("Complaints per 10,000 accounts worked"),
                *_counts_headers(),
            ],
            [
                [r["month"].strftime("%Y-%m"), r["accounts_worked"], r["per_10k"], *_counts(r)]
                for r in report["trend"]
            ],
        ),
    }
    for name, rows in report["breakdowns"].items():
        headers = [str(BREAKDOWN_KEYS[name]), _("Code"), *_counts_headers(), _("Share")]
        if name in DENOMINATORS:
            headers += [str(DENOMINATORS[name]), _("Per 10,000")]
        body = []
        for r in rows:
            row = [r["label"], "" if r["key"] is None else r["key"], *_counts(r), r["share"]]
            if name in DENOMINATORS:
                row += [r.get("messages_sent", r.get("worked")), r["per_10k"]]
            body.append(row)
        tables[name.replace("_", "-")] = (headers, body)
    return tables
