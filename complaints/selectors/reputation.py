"""Reputation KPIs of complaints (issue #18): how often people complain, how fast they hear back.

Definitions (every figure for the reader's scope, `complaints.selectors.complaints_visible`,
narrowed by the creditor filter):

- **Accounts worked** in a period: distinct debts with a contact in it, a collector's logged
  interaction (its date in the operation's time zone, as analytics' "cases worked") or a
  message actually sent (`sent_at` set; its business date, as analytics' message funnel).
- **Complaints per 10,000 accounts worked**: complaints received in the period / accounts
  worked in the period x 10,000. Per creditor and per collector (the debt's assigned collector
  today) against that creditor's or collector's accounts worked; per template against the
  messages of that template sent in the period.
- The period's complaints are those **received** in it (`received_on`). Of them:
  **on-time rate** = answered by the answer date (`answered_on <= extended_due_on or due_on`)
  / those whose answer is due: answered, or still open past their date (a complaint left
  unanswered is late, not missing); withdrawn ones closed unanswered are neither.
  **Median days to answer**: calendar days from `received_on` to `answered_on` of the answered.
- **Open** and **overdue** in the headline are now (`as_of`), whenever received; in the
  breakdowns they are the period's complaints still open (overdue: past their answer date).

Everything is a grouped aggregate in PostgreSQL: a fixed number of queries whatever the size.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Aggregate, Count, F, FloatField, Func, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from collections_app.models import Interaction
from complaints.models.complaint import (
    OPEN_STATUSES,
    ComplaintChannel,
    ComplaintKind,
    RootCause,
)
from complaints.selectors.complaints import complaints_visible
from core.scoping import scope_for_user
from messaging.models import Message, MessageDebt
from portfolio.models import Creditor, Debt

PER = 10_000
TREND_MONTHS = 12
BREAKDOWNS = ("kind", "root_cause", "creditor", "collector", "channel", "template")


@dataclass(frozen=True)
class ReputationFilters:
    date_from: datetime.date
    date_to: datetime.date
    as_of: datetime.date  # the business date "now" is read at (open, overdue)
    creditor_ids: tuple[int, ...] | None = None  # None: every creditor the reader may see


class _DaysBetween(Func):
    """Calendar days between two dates (PostgreSQL's date - date is an integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()


class _Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def rate(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def per_10k(count, worked) -> Decimal | None:
    if not worked:
        return None
    return (Decimal(count) * PER / Decimal(worked)).quantize(Decimal("0.01"))


def _median(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def reputation_complaints(*, user, filters: ReputationFilters) -> QuerySet:
    """The reader's complaints, narrowed to the filtered creditors."""
    queryset = complaints_visible(user=user)
    if filters.creditor_ids is not None:
        queryset = queryset.filter(creditor_id__in=filters.creditor_ids)
    return queryset


def _debts(*, user, filters: ReputationFilters) -> QuerySet:
    # Complaints are seen by creditor for managers and officers, by assigned debt for
    # collectors: the same rule for the debts they worked.
    debts = scope_for_user(Debt.objects.all(), user=user, collector="assigned_to")
    if filters.creditor_ids is not None:
        debts = debts.filter(creditor_id__in=filters.creditor_ids)
    return debts


WORKED_GROUPS = {
    "": "NULL",
    "creditor": "d.creditor_id",
    "collector": "d.assigned_to_id",
    "month": "date_trunc('month', w.day)::date",
}


def accounts_worked(
    *, user, filters: ReputationFilters, date_from=None, date_to=None, by: str = ""
) -> dict:
    """Distinct debts with a contact in the period, {group key: count} (key None for `by=""`).

    By month a debt worked in two months counts in each.
    """
    date_from = date_from or filters.date_from
    date_to = date_to or filters.date_to
    group = WORKED_GROUPS[by]
    scoped = _debts(user=user, filters=filters).values("id")
    try:
        scoped_sql, scoped_params = scoped.query.sql_with_params()
    except EmptyResultSet:  # no creditor in scope (or an empty creditor filter)
        return {}
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min), tz)
    end = timezone.make_aware(
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min), tz
    )
    # Interactions are dated in the operation's time zone (analytics.services.loading).
    sql = f"""
        SELECT {group} AS key, count(DISTINCT w.debt_id)
          FROM (
                SELECT i.debt_id, (i.occurred_at AT TIME ZONE %s)::date AS day
                  FROM {Interaction._meta.db_table} i
                 WHERE i.occurred_at >= %s AND i.occurred_at < %s
                UNION ALL
                SELECT md.debt_id, m.business_date AS day
                  FROM {Message._meta.db_table} m
                  JOIN {MessageDebt._meta.db_table} md ON md.message_id = m.id
                 WHERE m.business_date BETWEEN %s AND %s AND m.sent_at IS NOT NULL
               ) w
          JOIN {Debt._meta.db_table} d ON d.id = w.debt_id
         WHERE d.id IN ({scoped_sql})
         GROUP BY 1
    """
    params = [settings.TIME_ZONE, start, end, date_from, date_to, *scoped_params]
    # From the database the debts are read from (the replica on the dashboard, when one is
    # configured: core.replica).
    with connections[router.db_for_read(Debt)].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _figures(open_q: Q, as_of: datetime.date, cohort: Q | None = None) -> dict:
    """The aggregates of a set of complaints (`cohort`: those of the period, None: all)."""

    def where(q: Q) -> Q:
        return q if cohort is None else cohort & q

    answered = Q(answered_on__isnull=False)
    overdue = Q(status__in=OPEN_STATUSES, _answer_due__lt=as_of)
    return {
        "received": Count("id", filter=cohort),
        "answered": Count("id", filter=where(answered)),
        "on_time": Count("id", filter=where(answered & Q(answered_on__lte=F("_answer_due")))),
        "due": Count("id", filter=where(answered | overdue)),
        "open": Count("id", filter=where(open_q)),
        "overdue": Count("id", filter=where(overdue)),
        "median_days": _Median(_DaysBetween("answered_on", "received_on"), filter=cohort),
    }


def _with_rates(row: dict, worked=None) -> dict:
    row = dict(row)
    row["on_time_rate"] = rate(row["on_time"], row["due"])
    row["late"] = row["due"] - row["on_time"]
    row["median_days"] = _median(row["median_days"])
    row["per_10k"] = per_10k(row["received"], worked) if worked is not None else None
    return row


def _annotated(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(_answer_due=Coalesce("extended_due_on", "due_on"))


def reputation_headline(*, user, filters: ReputationFilters) -> dict:
    """The period's figures and what is open and overdue now: two queries."""
    period = Q(received_on__gte=filters.date_from, received_on__lte=filters.date_to)
    open_q = Q(status__in=OPEN_STATUSES)
    complaints = _annotated(reputation_complaints(user=user, filters=filters))
    figures = _figures(open_q, filters.as_of, cohort=period)
    # Open and overdue now count whenever the complaint came in.
    figures["open_now"] = Count("id", filter=open_q)
    figures["overdue_now"] = Count("id", filter=open_q & Q(_answer_due__lt=filters.as_of))
    row = complaints.aggregate(**figures)
    worked = accounts_worked(user=user, filters=filters).get(None, 0)
    headline = _with_rates(row, worked=worked)
    headline["accounts_worked"] = worked
    return headline


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def _grouped(queryset: QuerySet, key: str, filters: ReputationFilters) -> list[dict]:
    period = Q(received_on__gte=filters.date_from, received_on__lte=filters.date_to)
    return list(
        _annotated(queryset.filter(period))
        .values(key)
        .annotate(**_figures(Q(status__in=OPEN_STATUSES), filters.as_of))
        .order_by(key)
    )


def reputation_breakdowns(*, user, filters: ReputationFilters) -> dict[str, list[dict]]:
    """The period's complaints by kind, root cause, creditor, collector, channel and template."""
    complaints = reputation_complaints(user=user, filters=filters)
    result: dict[str, list[dict]] = {}
    simple = {
        "kind": ("kind", _labels(ComplaintKind.choices)),
        "root_cause": ("root_cause", {"": _("Not given yet"), **_labels(RootCause.choices)}),
        "channel": ("channel", _labels(ComplaintChannel.choices)),
    }
    for name, (key, labels) in simple.items():
        rows = []
        for r in _grouped(complaints, key, filters):
            value = r.pop(key)
            rows.append({"key": value, "label": labels.get(value, value), **_with_rates(r)})
        result[name] = rows
    total = sum(r["received"] for r in result["kind"])
    for rows in result.values():
        for r in rows:
            r["share"] = rate(r["received"], total)

    worked = accounts_worked(user=user, filters=filters, by="creditor")
    rows = _grouped(complaints, "creditor_id", filters)
    names = dict(
        Creditor.objects.filter(pk__in={r["creditor_id"] for r in rows}).values_list("pk", "name")
    )
    result["creditor"] = _keyed_rows(rows, "creditor_id", names, worked, total)

    worked = accounts_worked(user=user, filters=filters, by="collector")
    rows = _grouped(complaints, "debt__assigned_to", filters)
    users = get_user_model().objects.in_bulk({r["debt__assigned_to"] for r in rows} - {None})
    names = {pk: (u.get_full_name() or u.username) for pk, u in users.items()}
    names[None] = _("Not assigned, or no debt")
    result["collector"] = _keyed_rows(rows, "debt__assigned_to", names, worked, total)

    sent = _messages_sent(user=user, filters=filters)
    rows = _grouped(complaints, "related_message__template", filters)
    names = {r["related_message__template"]: r["related_message__template"] for r in rows}
    names[None] = _("No message named")
    result["template"] = _keyed_rows(rows, "related_message__template", names, sent, total)
    for r in result["template"]:
        r["messages_sent"] = sent.get(r["key"]) if r["key"] is not None else None
    return result


def _keyed_rows(rows, key, names, worked: dict, total) -> list[dict]:
    """Rows of one breakdown whose per-10k has its own denominator (`worked[key]`)."""
    result = []
    for r in rows:
        value = r.pop(key)
        row = _with_rates(r, worked=worked.get(value, 0) if value is not None else None)
        row.update(key=value, label=names.get(value, str(value)), share=rate(r["received"], total))
        if value is not None:
            row["worked"] = worked.get(value, 0)
        result.append(row)
    result.sort(key=lambda r: (r["key"] is None, str(r["label"]).lower()))
    return result


def _messages_sent(*, user, filters: ReputationFilters) -> dict[str, int]:
    """Messages sent in the period per template, about debts in the reader's scope."""
    debts = _debts(user=user, filters=filters)
    rows = (
        Message.objects.filter(
            business_date__gte=filters.date_from,
            business_date__lte=filters.date_to,
            sent_at__isnull=False,
            debts__in=debts,
        )
        .values("template")
        .annotate(n=Count("id", distinct=True))
    )
    return {r["template"]: r["n"] for r in rows}


def _month_add(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def reputation_trend(*, user, filters: ReputationFilters) -> list[dict]:
    """The last 12 months up to the period's end, one row per month (months without any
    complaint included)."""
    last = filters.date_to.replace(day=1)
    first = _month_add(last, -(TREND_MONTHS - 1))
    complaints = reputation_complaints(user=user, filters=filters)
    window = Q(received_on__gte=first, received_on__lte=filters.date_to)
    rows = {
        r["month"]: r
        for r in _annotated(complaints.filter(window))
        .annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(**_figures(Q(status__in=OPEN_STATUSES), filters.as_of))
        .order_by("month")
    }
    worked = accounts_worked(
        user=user, filters=filters, date_from=first, date_to=filters.date_to, by="month"
    )
    empty = {
        "received": 0,
        "answered": 0,
        "on_time": 0,
        "due": 0,
        "open": 0,
        "overdue": 0,
        "median_days": None,
    }
    trend = []
    for i in range(TREND_MONTHS):
        month = _month_add(first, i)
        row = {k: v for k, v in rows.get(month, empty).items() if k != "month"}
        worked_then = worked.get(month, 0)
        trend.append(
            {"month": month, **_with_rates(row, worked=worked_then), "accounts_worked": worked_then}
        )
    return trend


def reputation_report(*, user, filters: ReputationFilters) -> dict:
    """Everything the reputation page, its API and its exports show."""
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "as_of": filters.as_of,
        "headline": reputation_headline(user=user, filters=filters),
        "breakdowns": reputation_breakdowns(user=user, filters=filters),
        "trend": reputation_trend(user=user, filters=filters),
    }
