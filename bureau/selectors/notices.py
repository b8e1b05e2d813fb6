"""The notice ledger: every bureau prior notice the messaging engine sent, per debt.

A bureau notice is a Message with one of BUREAU_NOTICE_TEMPLATES; MessageDebt says which
debts it covered. Its date is the day it left in the debtor's own time zone (the 20 / 14 days
are calendar days where the debtor lives); it counts as a notice once sent or delivered.
A letter the certified-notice rule names (messaging.services.compliance.certified) counts
only once its proof of receipt is recorded, and from the day of receipt on the proof.
"""

import datetime

from django.db.models import BooleanField, Case, DateField, F, Func, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from core.scoping import scope_for_user
from messaging.models import LetterProof, Message, MessageDebt
from messaging.services.compliance.bureau import BUREAU_NOTICE_STATUSES, BUREAU_NOTICE_TEMPLATES
from messaging.services.compliance.certified import certified_q, certified_sql, notice_on_sql

# SQL for the local sending date of message `m` to debtor `p` (the aliases the loaders use).
SENT_ON_SQL = "(timezone(p.timezone, m.sent_at))::date"


def _ledger() -> QuerySet:
    sent_on = Cast(
        Func(F("debt__debtor__timezone"), F("message__sent_at"), function="timezone"),
        DateField(),
    )
    certified = certified_q(prefix="message__")
    proved = Q(message__letter_proof__isnull=False)
    return (
        MessageDebt.objects.filter(message__template__in=BUREAU_NOTICE_TEMPLATES)
        .select_related("message", "debt", "debt__debtor", "debt__creditor")
        .annotate(
            sent_on=sent_on,
            certified=Case(
                When(certified, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            received_on=F("message__letter_proof__received_on"),
            counts=Case(
                When(
                    Q(message__status__in=BUREAU_NOTICE_STATUSES)
                    & Q(message__sent_at__isnull=False)
                    & (~certified | proved),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            # The day the notice counts from: the receipt's for a certified letter.
            counts_from=Case(
                When(certified, then=F("message__letter_proof__received_on")),
                default=sent_on,
                output_field=DateField(),
            ),
            delivered=Case(
                When(certified & proved, then=Value(True)),
                When(certified, then=Value(False)),
                When(
                    Q(message__status=Message.Status.DELIVERED)
                    | Q(message__delivered_at__isnull=False),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def notices(*, user, filters: dict | None = None) -> QuerySet:
    """The bureau notices `user` may see (MessageDebt rows annotated with sent_on, counts,
    delivered), newest first. Filters: creditor, debt (an instance or an id), channel,
    delivered (bool), counts (bool), sent_from / sent_to (dates), template."""
    filters = filters or {}
    rows = scope_for_user(
        _ledger(), user=user, creditor="debt__creditor", collector="debt__assigned_to"
    )
    if filters.get("creditor"):
        rows = rows.filter(
            debt__creditor_id=getattr(filters["creditor"], "pk", filters["creditor"])
        )
    if filters.get("debt"):
        rows = rows.filter(debt_id=getattr(filters["debt"], "pk", filters["debt"]))
    if filters.get("channel"):
        rows = rows.filter(message__channel=filters["channel"])
    if filters.get("template"):
        rows = rows.filter(message__template=filters["template"])
    if filters.get("delivered") is not None:
        rows = rows.filter(delivered=bool(filters["delivered"]))
    if filters.get("counts") is not None:
        rows = rows.filter(counts=bool(filters["counts"]))
    if isinstance(filters.get("sent_from"), datetime.date):
        rows = rows.filter(sent_on__gte=filters["sent_from"])
    if isinstance(filters.get("sent_to"), datetime.date):
        rows = rows.filter(sent_on__lte=filters["sent_to"])
    return rows.order_by("-message__planned_for", "-message_id", "debt_id")


def debt_notices(debt_id: int) -> list[dict]:
    """One debt's bureau notices, oldest first: message, template, channel, status, sent_on,
    delivered, counts (whether it counts as a notice), certified (a letter that counts only
    with its proof), received_on (its proof's day) and counts_from (the day it counts from).
    The caller checks access to the debt."""
    rows = _ledger().filter(debt_id=debt_id).order_by("message__planned_for", "message_id")
    return [
        {
            "message_id": row.message_id,
            "template": row.message.template,
            "channel": row.message.channel,
            "status": row.message.status,
            "planned_for": row.message.planned_for,
            "sent_at": row.message.sent_at,
            "sent_on": row.sent_on,
            "delivered_at": row.message.delivered_at,
            "delivered": row.delivered,
            "counts": row.counts,
            "certified": row.certified,
            "received_on": row.received_on,
            "counts_from": row.counts_from if row.counts else None,
        }
        for row in rows
    ]


def notice_dates_sql(*, pairs_table: str) -> str:
    """SQL: per (debt_id, as_of) row of `pairs_table`, the distinct local dates of the notices
    that count and were sent on or before as_of: their number, the first and the second. A
    certified letter counts only with its proof of receipt, dated by it."""
    return f"""
        SELECT t.debt_id, t.as_of,
               count(DISTINCT n.sent_on) AS n_dates,
               min(n.sent_on) AS first_on,
               (array_agg(DISTINCT n.sent_on ORDER BY n.sent_on))[2] AS second_on
          FROM {pairs_table} t
          LEFT JOIN (
                SELECT md.debt_id, {notice_on_sql(message="m", debtor="p", proof="lp")} AS sent_on
                  FROM {MessageDebt._meta.db_table} md
                  JOIN {Message._meta.db_table} m ON m.id = md.message_id
                  JOIN portfolio_debtor p ON p.id = m.debtor_id
                  LEFT JOIN {LetterProof._meta.db_table} lp ON lp.message_id = m.id
                 WHERE m.template IN ({", ".join(f"'{t}'" for t in BUREAU_NOTICE_TEMPLATES)})
                   AND m.status IN ({", ".join(f"'{s}'" for s in BUREAU_NOTICE_STATUSES)})
                   AND m.sent_at IS NOT NULL
                   AND (NOT {certified_sql(message="m", debtor="p")} OR lp.id IS NOT NULL)
          ) n ON n.debt_id = t.debt_id AND n.sent_on <= t.as_of
         GROUP BY t.debt_id, t.as_of
    """
