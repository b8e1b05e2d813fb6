"""The REDECO-style quarterly file: Mexico's complaints about collection for CONDUSEF.

One row per complaint received in the quarter (`received_on`, the debtor's local date) whose
jurisdiction is Mexico (the debtor's country when it was filed), in the reader's scope.
"""

import datetime
import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from complaints.models.complaint import (
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Outcome,
    RootCause,
)
from complaints.selectors.reputation import ReputationFilters, reputation_complaints

REDECO_COUNTRY = "MX"
QUARTER = re.compile(r"([0-9]{4})-?Q([1-4])", re.IGNORECASE)


def quarter_parse(text: str) -> tuple[datetime.date, datetime.date] | None:
    """ "2026Q4" → (2026-10-01, 2026-12-31); None when it is not a quarter between 2000 and 2100."""
    match = QUARTER.fullmatch((text or "").strip())
    if not match:
        return None
    year, quarter = int(match[1]), int(match[2])
    if not 2000 <= year <= 2100:
        return None
    first = datetime.date(year, 3 * quarter - 2, 1)
    after = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, after - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def redeco_complaints(*, user, filters: ReputationFilters) -> QuerySet:
    """Mexico's complaints received between the filters' dates, oldest first."""
    return (
        reputation_complaints(user=user, filters=filters)
        .filter(
            country=REDECO_COUNTRY,
            received_on__gte=filters.date_from,
            received_on__lte=filters.date_to,
        )
        .select_related("creditor")
        .order_by("received_on", "number")
    )


def redeco_headers() -> list[str]:
    return [
        _("Number"),
        _("Regulator's reference"),
        _("Received on"),
        _("Type"),
        _("Received through"),
        _("Status"),
        _("Answered on"),
        _("Answered on time"),
        _("Outcome"),
        _("Root cause"),
        _("Creditor"),
    ]


def redeco_rows(*, user, filters: ReputationFilters) -> list[list]:
    """The file's rows (labels in the active language, dates as dates)."""
    kinds, channels = dict(ComplaintKind.choices), dict(ComplaintChannel.choices)
    statuses, outcomes = dict(ComplaintStatus.choices), dict(Outcome.choices)
    causes = dict(RootCause.choices)
    yes, no = _("Yes"), _("No")
    rows = []
    for c in redeco_complaints(user=user, filters=filters):
        on_time = c.answered_on_time
        rows.append(
            [
                c.number,
                c.regulator_reference,
                c.received_on,
                str(kinds.get(c.kind, c.kind)),
                str(channels.get(c.channel, c.channel)),
                str(statuses.get(c.status, c.status)),
                c.answered_on,
                "" if on_time is None else (yes if on_time else no),
                str(outcomes.get(c.outcome, c.outcome)) if c.outcome else "",
                str(causes.get(c.root_cause, c.root_cause)) if c.root_cause else "",
                c.creditor.name,
            ]
        )
    return rows
