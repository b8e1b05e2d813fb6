"""Reads of the bureau's pages: a run's counts, a debt's bureau history for its case page (read
with the page's debt), and what the debtor's portal says about one debt.

The runs' scoping, the eligibility rules and the notice ledger are bureau.selectors' (the core);
this module only narrows and shapes them for a page.
"""

import datetime

import pandas as pd
from django.db.models import Count, OuterRef, QuerySet

from bureau.models import FurnishedAccount, FurnishingRun
from bureau.models.runs import BUREAU_COUNTRY, Bureau, ReportAction, RunStatus
from bureau.selectors.eligibility import debt_eligibility
from bureau.selectors.notices import debt_notices
from core.memo import keep, read_once
from core.page_reads import JSONRows, rows_from_json
from messaging.models import Message
from messaging.services.compliance.bureau import BUREAU_NOTICE_TEMPLATES

# The runs whose lines count as "reported" to the debtor: the file reached the bureau.
REPORTED_STATUSES = (RunStatus.SUBMITTED,)


def run_counts(run: FurnishingRun) -> list[dict]:
    """The run's lines counted by action and status code (what the file says, in one query)."""
    rows = list(
        run.lines.order_by()
        .values("action", "status_code")
        .annotate(n=Count("id"))
        .order_by("action", "status_code")
    )
    labels = dict(ReportAction.choices)
    for row in rows:
        row["action_label"] = labels.get(row["action"], row["action"])
    return rows


def bureaus_for_country(country: str) -> list[str]:
    return [bureau for bureau, of in BUREAU_COUNTRY.items() if of == country]


def _debt_lines(*, debt_id) -> QuerySet:
    return (
        FurnishedAccount.objects.filter(debt_id=debt_id)
        .exclude(run__status=RunStatus.CANCELLED)
        .order_by("-run__cut_off", "-run_id")[:24]
    )


def debt_bureau_lines(debt) -> list[FurnishedAccount]:
    """What each run reported for the debt, newest cut-off first, with its run."""
    return read_once(
        debt,
        "debt_bureau_lines",
        lambda: list(_debt_lines(debt_id=debt.pk).select_related("run")),
    )


def _debt_notice_messages(*, debt_id) -> QuerySet:
    # The ledger's rows (bureau.selectors.notices) as the messages themselves, newest first:
    # what the panel shows of each (sent, channel, delivered) is on the message.
    return Message.objects.filter(
        covered__debt_id=debt_id, template__in=BUREAU_NOTICE_TEMPLATES
    ).order_by("-planned_for", "-id")[:20]


def debt_notice_messages(debt) -> list[Message]:
    """The debt's bureau prior notices for its page (read with the page's debt when it was)."""
    return read_once(
        debt, "debt_bureau_notices", lambda: list(_debt_notice_messages(debt_id=debt.pk))
    )


def debt_page_reads(*, user) -> dict:
    """The bureau panel's notices and lines, read with the page's debt
    (portfolio.hooks.debt_page_reads)."""
    return {
        "_read_debt_bureau_lines": (
            JSONRows(_debt_lines(debt_id=OuterRef("pk")), related=("run",)),
            lambda debt, text: keep(
                debt, "debt_bureau_lines", rows_from_json(FurnishedAccount, text, related=("run",))
            ),
        ),
        "_read_debt_bureau_notices": (
            JSONRows(_debt_notice_messages(debt_id=OuterRef("pk"))),
            lambda debt, text: keep(debt, "debt_bureau_notices", rows_from_json(Message, text)),
        ),
    }


def debt_last_report(debt_id: int) -> FurnishedAccount | None:
    """The latest line a submitted run carried for the debt (the portal's "reported as")."""
    return (
        FurnishedAccount.objects.filter(debt_id=debt_id, run__status__in=REPORTED_STATUSES)
        .select_related("run")
        .order_by("-run__cut_off", "-run_id")
        .first()
    )


def next_cut_off(as_of: datetime.date) -> datetime.date:
    """The month's last day: the cut-off the monthly runs are made at."""
    first_next = (as_of.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_next - datetime.timedelta(days=1)


def debt_bureau_outlook(debt, *, as_of: datetime.date) -> dict:
    """What the debtor's portal says about the credit bureau for one of their debts:

    - "reported": a submitted run carried it (`line`: the latest, with its run);
    - "may_report": it may be reported at the next cut-off (`notice_on`, `cut_off`);
    - "notice_waiting": a notice was sent; from `eligible_on` it may be reported;
    - "second_notice": a small debt; a second notice comes before any report;
    - "no_notice": no notice yet, so no report before one;
    - "not_reported": nothing is or will be reported (paid, current, on hold, disputed, too
      old, closed).
    Plus `bureaus` (the names) and `reason_code`."""
    cut_off = next_cut_off(as_of)
    outlook = {"cut_off": cut_off, "bureaus": _bureau_names(debt), "line": None}
    outlook["notice_on"] = _last_notice_on(debt)
    line = debt_last_report(debt.pk)
    if line is not None and line.action == ReportAction.REPORT:
        return {**outlook, "state": "reported", "line": line, "reason_code": ""}
    row = debt_eligibility(debt=debt, cut_off=cut_off) if debt.is_open else None
    code = row["reason_code"] if row else "closed"
    state = {
        "": "may_report",
        "notice_too_recent": "notice_waiting",
        "small_debt_second_notice": "second_notice",
        "no_notice": "no_notice",
    }.get(code, "not_reported")
    return {
        **outlook,
        "state": state,
        "reason_code": code,
        "eligible_on": _date_or_none(row["eligible_on"]) if row else None,
    }


def _bureau_names(debt) -> list[str]:
    """The bureaus the creditor reports to (its runs), else those of the debtor's country."""
    used = list(
        FurnishingRun.objects.filter(creditor_id=debt.creditor_id)
        .exclude(status=RunStatus.CANCELLED)
        .order_by()
        .values_list("bureau", flat=True)
        .distinct()
    )
    codes = used or bureaus_for_country(debt.debtor.country or debt.creditor.country)
    labels = dict(Bureau.choices)
    # The label's country in brackets ("Datacrédito Experian (CO)") says nothing to the debtor.
    return sorted(str(labels[code]).rsplit(" (", 1)[0] for code in codes if code in labels)


def _last_notice_on(debt) -> datetime.date | None:
    """The day the latest bureau notice that counts left, in the debtor's time zone."""
    days = [n["sent_on"] for n in debt_notices(debt.pk) if n["counts"] and n["sent_on"]]
    return max(days) if days else None


def _date_or_none(value) -> datetime.date | None:
    # A frame's missing date comes back as NaT or NaN, not None.
    return value if isinstance(value, datetime.date) and not pd.isna(value) else None
