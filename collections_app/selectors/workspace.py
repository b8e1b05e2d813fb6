"""Reads of the collector workspace: the work queue, the case timeline, tasks, approvals."""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import pgettext

from collections_app.hooks import debtor_score_queryset
from collections_app.models import Interaction
from core.money import format_money
from core.roles import COLLECTOR, user_role
from portfolio.models import OPEN_STAGES, Debt, Hold, Payment, Stage, StageChange, Task
from portfolio.selectors import CASE_TASKS_LIMIT, case_tasks, debt_queryset

# The work queue's priority, highest first (documented on the page and in the README):
#   1. a pending promise falls due today (or is already past its date, within grace);
#   2. a callback / follow-up task is due (today or overdue);
#   3. a broken agreement or promise waits for a call;
#   4. everything else past due, by risk × balance × staleness: (100 - behaviour score) / 100
#      × balance × (1 + min(days since the last contact, 30) / 30); no score counts as 50,
#      never contacted as 30 days;
#   5. debts not yet due (a pre-due reminder is the most they need), in the same order.
# Cases on hold come after all of these. Legal-stage debts are not in the queue at all: they
# belong to counsel, who work them outside the collectors' calls.
TIER_PROMISE, TIER_CALLBACK, TIER_BROKEN, TIER_REST, TIER_NOT_DUE = 1, 2, 3, 4, 5
QUEUE_STAGES = tuple(s for s in OPEN_STAGES if s != Stage.LEGAL)
CALLBACK_KINDS = (Task.Kind.CALLBACK, Task.Kind.FOLLOW_UP, Task.Kind.CALL)
BROKEN_KINDS = (Task.Kind.BROKEN_AGREEMENT, Task.Kind.BROKEN_PROMISE)
STALE_CAP_DAYS = 30


class DaysSince(Func):
    """Whole days from a timestamp to now."""

    output_field = IntegerField()
    template = "CAST(EXTRACT(DAY FROM (NOW() - %(expressions)s)) AS INTEGER)"


ONE_DAY = datetime.timedelta(days=1)


def _end_of_day(as_of: datetime.date) -> datetime.datetime:
    tz = timezone.get_current_timezone()
    return datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time(), tz)


def work_queue_base(*, user) -> QuerySet[Debt]:
    """The open debts a user works, legal-stage ones aside: a collector their own;
    managers/admins what they see."""
    qs = debt_queryset(user=user).filter(stage__in=QUEUE_STAGES, balance__gt=0)
    if user_role(user) == COLLECTOR:
        qs = qs.filter(assigned_to=user)
    return qs


def _last_contact() -> Subquery:
    """When the debt's debtor was last contacted (any logged interaction), per queue row."""
    return Subquery(
        Interaction.objects.filter(debtor_id=OuterRef("debtor_id"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )


class _Found(Func):
    """Whether a LIMIT 1 subquery found a row: EXISTS written so that PostgreSQL probes an index
    once per queue row, never as a hashed subplan over every matching row of the table."""

    template = "(%(expressions)s IS NOT NULL)"
    output_field = BooleanField()


def _exists(qs: QuerySet, *, per_row: bool):
    # A collector's queue is a few thousand cases: a probe per case (microseconds each) costs
    # far less than the hashed subplan PostgreSQL prefers, which reads every open task or
    # pending promise of the whole database (200k tasks at 1M debts: 20-160 ms, growing with
    # the portfolio). Over a whole portfolio (a manager's queue) the hashed subplan wins.
    if per_row:
        return _Found(Subquery(qs.order_by().values("pk")[:1]))
    return Exists(qs)


def work_queue_annotate(
    qs: QuerySet[Debt], *, as_of: datetime.date, per_row: bool = False
) -> QuerySet[Debt]:
    """Priority tier and score in SQL (one query per page, whatever the portfolio size);
    `per_row`: the set is one collector's cases (see _exists)."""
    from agreements.models import PromiseToPay

    end = _end_of_day(as_of)
    promise_due = PromiseToPay.objects.filter(
        debt_id=OuterRef("pk"), status=PromiseToPay.Status.PENDING, promised_date__lte=as_of
    )
    callback_due = Task.objects.filter(
        debt_id=OuterRef("pk"), status=Task.Status.OPEN, kind__in=CALLBACK_KINDS, due_at__lt=end
    )
    broken = Task.objects.filter(
        debt_id=OuterRef("pk"), status=Task.Status.OPEN, kind__in=BROKEN_KINDS
    )
    on_hold = Hold.objects.filter(debtor_id=OuterRef("debtor_id"), closed_at__isnull=True).filter(
        Q(debt_id=OuterRef("pk")) | Q(debt__isnull=True)
    )
    score = debtor_score_queryset.call_one()
    score = Value(50) if score is None else Subquery(score.values("score")[:1])
    money = DecimalField(max_digits=24, decimal_places=4)
    return (
        qs.annotate(
            promise_due=_exists(promise_due, per_row=per_row),
            callback_due=_exists(callback_due, per_row=per_row),
            broken=_exists(broken, per_row=per_row),
            on_hold=Exists(on_hold),
            last_contact_at=_last_contact(),
            # By debtor_id, not through the debtor row: ranking a queue then never reads the
            # debtors (only the page's rows are fetched with them).
            risk=Value(100) - Coalesce(score, Value(50), output_field=IntegerField()),
        )
        .annotate(
            tier=Case(
                When(promise_due=True, then=Value(TIER_PROMISE)),
                When(callback_due=True, then=Value(TIER_CALLBACK)),
                When(broken=True, then=Value(TIER_BROKEN)),
                When(due_date__gt=as_of, then=Value(TIER_NOT_DUE)),
                default=Value(TIER_REST),
                output_field=IntegerField(),
            ),
            stale_days=Least(
                Coalesce(
                    DaysSince(F("last_contact_at")),
                    Value(STALE_CAP_DAYS),
                    output_field=IntegerField(),
                ),
                Value(STALE_CAP_DAYS),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            priority=ExpressionWrapper(
                F("balance")
                * F("risk")
                / Value(100)
                * (Value(1.0) + F("stale_days") / Value(30.0)),
                output_field=money,
            )
        )
    )


def work_queue(*, user, as_of: datetime.date, base: QuerySet[Debt] | None = None):
    """The ordered queue; `base` is the (filtered) set from work_queue_base."""
    qs = base if base is not None else work_queue_base(user=user)
    return (
        work_queue_annotate(qs, as_of=as_of, per_row=queue_per_row(user=user))
        .select_related("debtor", "creditor")
        .order_by(*QUEUE_ORDER)
    )


QUEUE_ORDER = ("on_hold", "tier", F("priority").desc(nulls_last=True), "id")
# The same order in the ranking query's own SQL (over the annotated columns of its subquery).
_QUEUE_ORDER_SQL = "q.on_hold, q.tier, q.priority DESC NULLS LAST, q.id"
# The same order as one row value, compared with < and > (the priority is never NULL: the
# balance is not, and risk and staleness have defaults).
_QUEUE_KEY_SQL = "(q.on_hold, q.tier, -q.priority, q.id)"
QUEUE_COUNTS = ("total", "promises", "callbacks", "broken", "not_due", "on_hold")


def queue_per_row(*, user) -> bool:
    """Whether `user`'s queue is ranked with a probe per case (a collector's: see _exists)."""
    return user_role(user) == COLLECTOR


def _ranked_subquery(
    qs: QuerySet[Debt], *, as_of: datetime.date, per_row: bool = False
) -> tuple[str, tuple] | None:
    """The ranked set as a FROM item `q` (id, on_hold, tier, priority) and its parameters;
    None when `qs` can match nothing (e.g. `.none()` after an invalid filter)."""
    # OFFSET 0 keeps PostgreSQL from pulling the subquery up, which would evaluate the
    # subqueries behind `tier` once per reference (order, each count) instead of once.
    inner = work_queue_annotate(qs.order_by(), as_of=as_of, per_row=per_row).values(
        "id", "on_hold", "tier", "priority"
    )
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        return None
    return f"({sql} OFFSET 0) q", params


def _queue_rank(
    qs: QuerySet[Debt], *, as_of: datetime.date, offset: int, limit: int, per_row: bool = False
):
    """(ids of the slice in queue order, tier counts of the whole set) in one query.

    The priority is computed once per case in a subquery that reads only the debts' own
    columns (plus the per-case subqueries), and window sums count the tiers over the whole set
    before LIMIT/OFFSET cut the page: no second pass for the counts, no debtor/creditor rows
    read for cases off the page. An empty slice gives no counts (None)."""
    ranked = _ranked_subquery(qs, as_of=as_of, per_row=per_row)
    if ranked is None:
        return [], None
    source, params = ranked
    tiers = ", ".join(
        f"SUM(CASE WHEN q.tier = {tier} THEN 1 ELSE 0 END) OVER ()"
        for tier in (TIER_PROMISE, TIER_CALLBACK, TIER_BROKEN, TIER_NOT_DUE)
    )
    query = (
        f"SELECT q.id, q.on_hold, q.tier, COUNT(*) OVER (), {tiers},"
        f" SUM(CASE WHEN q.on_hold THEN 1 ELSE 0 END) OVER ()"
        f" FROM {source} ORDER BY {_QUEUE_ORDER_SQL} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, (*params, limit, offset))
        rows = cursor.fetchall()
    if not rows:
        return [], None
    first = rows[0]
    counts = dict(
        zip(
            QUEUE_COUNTS,
            map(int, first[3:]),
            strict=True,
        )
    )
    return [(pk, bool(on_hold), tier) for pk, on_hold, tier, *_ in rows], counts


def work_queue_page(
    *, qs: QuerySet[Debt], as_of: datetime.date, number: int, per_page: int, per_row: bool = False
) -> tuple[list[Debt], dict, int]:
    """One page of the queue (page `number`, the last one when past the end) with the tier
    counts of the whole set: (rows in queue order, counts, page number); two queries.
    `per_row`: queue_per_row of the viewer."""
    # Any page past the end shows the last one; the cap only keeps OFFSET a sane integer.
    number = min(max(1, number), 1_000_000)
    rank = functools.partial(_queue_rank, qs, as_of=as_of, per_row=per_row)
    ranked, counts = rank(offset=(number - 1) * per_page, limit=per_page)
    if counts is None:
        # Past the last page (or an empty queue): count, then show the last page.
        _top, counts = rank(offset=0, limit=1)
        if counts is None:
            return [], dict.fromkeys(QUEUE_COUNTS, 0), 1
        number = max(1, -(-counts["total"] // per_page))
        ranked, counts = rank(offset=(number - 1) * per_page, limit=per_page)
    by_id = (
        Debt.objects.filter(pk__in=[pk for pk, _hold, _tier in ranked])
        .select_related("debtor", "creditor")
        .annotate(last_contact_at=_last_contact())
        .in_bulk()
    )
    rows = []
    for pk, on_hold, tier in ranked:
        debt = by_id[pk]
        debt.on_hold, debt.tier = on_hold, tier
        rows.append(debt)
    return rows, counts, number


def work_queue_position(
    *, qs: QuerySet[Debt], as_of: datetime.date, debt_id: int, per_row: bool = False
):
    """Where the debt stands in the queue `qs` now: its ranking key (compare it with
    work_queue_next's `after`), or None when the debt is not in the queue. One query."""
    ranked = _ranked_subquery(qs.filter(pk=debt_id), as_of=as_of, per_row=per_row)
    if ranked is None:
        return None
    source, params = ranked
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT q.on_hold, q.tier, -q.priority, q.id FROM {source}", params)
        row = cursor.fetchone()
    return tuple(row) if row else None


def work_queue_next(
    *,
    qs: QuerySet[Debt],
    as_of: datetime.date,
    after=None,
    exclude_id: int | None = None,
    per_row: bool = False,
) -> int | None:
    """The id of the first case of the queue `qs` that ranks after the key `after` (from
    work_queue_position; None: the top of the queue) and whose debtor nobody has contacted on
    `as_of` yet, never `exclude_id`; None when none is left. One query, ranked in SQL like the
    queue page.

    "Save and next" passes the key the case held *before* its contact was logged: logging
    moves the case itself down (it was just contacted), and the key keeps the collector going
    down the queue instead of back to a case whose tier has not changed (a promise due today
    stays due until it is paid). Cases worked earlier the same day may rank after it now
    (contacted, they dropped): they are not offered again."""
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    contacted = Interaction.objects.filter(
        debtor_id=OuterRef("debtor_id"), occurred_at__gte=_end_of_day(as_of - ONE_DAY)
    )
    qs = qs.filter(~Exists(contacted))
    ranked = _ranked_subquery(qs, as_of=as_of, per_row=per_row)
    if ranked is None:
        return None
    source, params = ranked
    where = f"WHERE {_QUEUE_KEY_SQL} > (%s, %s, %s, %s)" if after is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.id FROM {source} {where} ORDER BY {_QUEUE_ORDER_SQL} LIMIT 1",
            (*params, *(after or ())),
        )
        row = cursor.fetchone()
    return row[0] if row else None


# --- the case timeline -----------------------------------------------------------------------


@dataclass
class Event:
    at: datetime.datetime
    kind: str  # stage, message, reply, interaction, payment, agreement, promise, hold, task
    title: str
    detail: str = ""
    status: str = ""
    actor: str = ""
    link: str = ""  # where the event is shown in full (a reply: its thread)


TIMELINE_LIMIT = CASE_TASKS_LIMIT


def case_holds(*, debt: Debt, limit: int = TIMELINE_LIMIT) -> list[Hold]:
    """The newest `limit` + 1 holds on the debt or its debtor as a whole (open or closed), for
    the timeline; fewer than that is every one, so the call check can take the open ones."""
    return list(
        Hold.objects.filter(debtor_id=debt.debtor_id)
        .filter(Q(debt=debt) | Q(debt__isnull=True))
        .select_related("opened_by")[: limit + 1]
    )


def timeline_messages(*, debt_id):
    """The messages covering a debt as the timeline shows them, newest first."""
    from messaging.models import Message

    return (
        Message.objects.filter(covered__debt_id=debt_id)
        .order_by("-planned_for", "-id")
        .only(*timeline_messages.fields)
    )


timeline_messages.fields = (
    "id",
    "channel",
    "template",
    "status",
    "planned_for",
    "sent_at",
    "suppression_rule",
)


def timeline_inbound(*, debt_id, inner_debt_id=None):
    """What the debtor wrote back about a debt (bound to it, or answering a message covering
    it), newest first. `inner_debt_id`: the same debt as seen one subquery deeper (OuterRef)."""
    from messaging.models import InboundMessage, MessageDebt

    covering = MessageDebt.objects.filter(
        debt_id=debt_id if inner_debt_id is None else inner_debt_id
    ).values("message_id")
    return (
        InboundMessage.objects.filter(Q(debt_id=debt_id) | Q(in_reply_to_id__in=covering))
        .order_by("-received_at", "-id")
        .only(*timeline_inbound.fields)
    )


timeline_inbound.fields = (
    "id",
    "channel",
    "status",
    "received_at",
    "subject",
    "body",
    "is_opt_out",
)


def timeline_agreement_changes(*, debt_id):
    """The changes of the agreements covering a debt, newest first (with actor, agreement)."""
    from agreements.models import AgreementChange

    return (
        AgreementChange.objects.filter(agreement__lines__debt_id=debt_id)
        .select_related("actor", "agreement")
        .order_by("-occurred_at", "-id")
    )


def case_timeline(
    *,
    debt: Debt,
    limit: int = TIMELINE_LIMIT,
    holds: list[Hold] | None = None,
    stage_changes: list[StageChange] | None = None,
    payments: list[Payment] | None = None,
    promises: list | None = None,
    tasks: list[Task] | None = None,
    interactions: list[Interaction] | None = None,
    messages: list | None = None,
    agreement_changes: list | None = None,
    inbound: list | None = None,
) -> tuple[list[Event], bool]:
    """Everything that happened on the debt (and its debtor's messages / holds), newest first;
    capped at `limit` (each source reads at most `limit` rows: 9 queries whatever the history).
    Returns (events, truncated).

    `holds` (from case_holds, or every hold of the debt / its debtor), `stage_changes` and
    `payments` (every one of the debt's, newest first), `promises` (the debt's, newest
    created first), `tasks` (from case_tasks) and `interactions` (the debt's newest `limit` + 1)
    are used instead of a query when the page already read them, as are `messages` and
    `agreement_changes` (timeline_messages, timeline_agreement_changes: the newest
    `limit` + 1), and `inbound` (timeline_inbound, the debtor's replies)."""
    from agreements.models import PromiseToPay
    from messaging.models.templates import template_label

    events: list[Event] = []
    n = limit + 1
    if stage_changes is None:
        stage_changes = StageChange.objects.filter(debt=debt).select_related("actor")[:n]
    for c in stage_changes[:n]:
        events.append(
            Event(
                c.occurred_at,
                "stage",
                f"{c.get_from_stage_display()} → {c.get_to_stage_display()}",
                c.reason_display,
                actor=c.actor_label,
            )
        )
    if messages is None:
        messages = timeline_messages(debt_id=debt.pk)[:n]
    for m in messages[:n]:
        detail = m.suppression_rule or ""
        events.append(
            Event(
                m.sent_at or m.planned_for,
                "message",
                f"{m.get_channel_display()} · {template_label(m.template)}",
                detail,
                status=m.get_status_display(),
            )
        )
    if inbound is None:
        inbound = timeline_inbound(debt_id=debt.pk)[:n]
    for r in inbound[:n]:
        text = (r.subject + " · " if r.subject else "") + r.body
        status = r.get_status_display()
        if r.is_opt_out:
            status = pgettext("inbound status", "Opt-out")
        events.append(
            Event(
                r.received_at,
                "reply",
                r.get_channel_display(),
                text[:300],
                status=status,
                link=reverse("collections:inbound-detail", args=[r.pk]),
            )
        )
    if interactions is None:
        interactions = Interaction.objects.filter(debt=debt).select_related("collector")[:n]
    for i in interactions[:n]:
        events.append(
            Event(
                i.occurred_at,
                "interaction",
                f"{i.get_channel_display()} · {i.get_outcome_display()}",
                i.note,
                actor=str(i.collector or ""),
            )
        )
    if payments is None:
        payments = Payment.objects.filter(debt=debt).order_by("-paid_at", "-id")[:n]
    for p in payments[:n]:
        events.append(
            Event(p.paid_at, "payment", format_money(p.amount, p.currency), p.get_method_display())
        )
    if agreement_changes is None:
        agreement_changes = timeline_agreement_changes(debt_id=debt.pk)[:n]
    for a in agreement_changes[:n]:
        events.append(
            Event(
                a.occurred_at,
                "agreement",
                a.get_to_status_display(),
                a.reason_display,
                actor=str(a.actor or ""),
            )
        )
    if promises is None:
        promises = PromiseToPay.objects.filter(debt=debt).order_by("-created_at", "-id")[:n]
    for p in promises[:n]:
        events.append(
            Event(
                p.created_at,
                "promise",
                f"{format_money(p.amount, p.currency)} · {formats.date_format(p.promised_date)}",
                p.note,
                status=p.get_status_display(),
            )
        )
    if holds is None:
        holds = case_holds(debt=debt, limit=limit)
    for h in holds[:n]:
        events.append(
            Event(
                h.opened_at,
                "hold",
                h.get_kind_display(),
                h.reason,
                status=h.get_outcome_display() if h.closed_at else "",
                actor=str(h.opened_by or ""),
            )
        )
    if tasks is None:
        tasks, _complete = case_tasks(debt=debt, limit=limit)
    for t in tasks[:n]:
        events.append(
            Event(
                t.created_at,
                "task",
                f"{t.get_kind_display()}: {t.title_display}",
                t.note_display,
                status=t.get_status_display(),
                actor=str(t.created_by or ""),
            )
        )
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit], len(events) > limit


def assignment_preview(
    *, plan: dict[int, list[int]], debts: list[tuple[int, str, Decimal]], collectors: list
) -> list[dict]:
    """Who gets how many debts and how much of each currency under an assignment plan: one row
    per collector with `count` and `balances` [(currency, total)], currencies never added."""
    by_id = {debt_id: (currency, balance) for debt_id, currency, balance in debts}
    names = {c.pk: c for c in collectors}
    rows = []
    for collector_id, debt_ids in plan.items():
        totals: dict[str, Decimal] = {}
        for debt_id in debt_ids:
            currency, balance = by_id[debt_id]
            totals[currency] = totals.get(currency, Decimal("0")) + balance
        rows.append(
            {
                "collector": names[collector_id],
                "count": len(debt_ids),
                "balances": sorted(totals.items()),
            }
        )
    return rows


def my_tasks(*, user) -> QuerySet[Task]:
    """Open tasks of the user's cases, soonest first (overdue first of all)."""
    return (
        Task.objects.filter(status=Task.Status.OPEN, debt__in=debt_queryset(user=user))
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True, debt__assigned_to=user))
        .exclude(kind=Task.Kind.LEGAL_REVIEW)
        .select_related("debt__debtor", "debt__creditor")
        .order_by("due_at", "id")
    )


def legal_requests(*, user) -> QuerySet[Task]:
    """Open legal-escalation requests on debts the manager manages."""
    return (
        Task.objects.filter(
            status=Task.Status.OPEN,
            kind=Task.Kind.LEGAL_REVIEW,
            debt__in=debt_queryset(user=user),
        )
        .select_related("debt__debtor", "debt__creditor", "created_by")
        .order_by("due_at", "id")
    )


def legal_request_rows(*, user, as_of: datetime.date, limit: int = 50) -> list[Task]:
    """The open legal requests (as legal_requests), each with `legal`: the policy's verdict on
    `as_of` (allowed, why not, and from which date when only time is missing)."""
    from collections_app.services.transitions import legal_check

    rows = list(legal_requests(user=user)[:limit])
    for task in rows:
        task.legal = legal_check(debt=task.debt, as_of=as_of)
    return rows


def pre_legal_candidates(*, user, as_of: datetime.date, limit: int = 25) -> list[Debt]:
    """Pre-legal debts the manager manages that the policy lets go to legal now (oldest first;
    each candidate is checked by the ladder's own legal_check)."""
    from collections_app.services.transitions import legal_check

    debts = (
        debt_queryset(user=user)
        .filter(stage="pre_legal")
        .select_related("debtor", "creditor", "assigned_to")
        .order_by("due_date", "id")[: limit * 4]
    )
    eligible = []
    for debt in debts:
        check = legal_check(debt=debt, as_of=as_of)
        if check.allowed:
            eligible.append(debt)
            if len(eligible) >= limit:
                break
    return eligible
