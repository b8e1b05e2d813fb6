"""KPIs of promises, agreements and messages, read from their snapshot tables.

Per currency (a message covering debts of two currencies counts once in each; nothing here
adds amounts of two currencies). Rates are None when there is nothing to divide by.
"""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, Sum

from analytics.models import (
    AgreementSpan,
    DebtSegment,
    InstalmentDay,
    MessageDay,
    PromiseDay,
    SuppressionDay,
)
from messaging.delivery import NOTICE_TEMPLATES, stuck_q
from messaging.models import DeliveryEvent, Message, MessageDebt


def _rate(numerator, denominator):
    from analytics.selectors.kpis import rate

    return rate(numerator, denominator)


def kpi_promises(cut: Q, date_from, date_to) -> dict[str, dict]:
    """Promises made in the period, and the kept rate of those whose date fell in it.

    Promises still in their grace period (`awaiting`) are not judged yet and stay out of the
    rate; the promise rate (promises / right-party contacts) is read from ContactDay.
    """
    rows = (
        PromiseDay.objects.filter(cut, as_of__gte=date_from, as_of__lte=date_to)
        .values("currency")
        .annotate(
            made=Sum("made"),
            made_amount=Sum("made_amount"),
            due=Sum("due"),
            kept=Sum("kept"),
            broken=Sum("broken"),
            awaiting=Sum("awaiting"),
        )
    )
    return {
        r["currency"]: {**r, "kept_rate": _rate(r["kept"], r["kept"] + r["broken"])} for r in rows
    }


def kpi_agreements(cut: Q, date_from, date_to) -> dict[str, dict]:
    """Agreement compliance (instalments) and the broken-agreement rate per currency."""
    instalments = {
        r["currency"]: r
        for r in InstalmentDay.objects.filter(cut, as_of__gte=date_from, as_of__lte=date_to)
        .values("currency")
        .annotate(
            due=Sum("due"),
            kept=Sum("kept"),
            partial=Sum("partial"),
            awaiting=Sum("awaiting"),
        )
    }
    spans = AgreementSpan.objects.filter(cut, active_from__lte=date_to).filter(
        Q(active_until__isnull=True) | Q(active_until__gte=date_from)
    )
    active = defaultdict(int)
    broken = defaultdict(int)
    for currency, broken_on in spans.values_list("currency", "broken_on"):
        active[currency] += 1
        if broken_on and date_from <= broken_on <= date_to:
            broken[currency] += 1
    result = {}
    for currency in sorted(set(instalments) | set(active)):
        inst = instalments.get(currency, {})
        judged = (inst.get("due") or 0) - (inst.get("awaiting") or 0)
        result[currency] = {
            "instalments_due": inst.get("due") or 0,
            "instalments_kept": inst.get("kept") or 0,
            "instalments_partial": inst.get("partial") or 0,
            "instalments_awaiting": inst.get("awaiting") or 0,
            "agreement_compliance": _rate(inst.get("kept") or 0, judged),
            "agreements_active": active.get(currency, 0),
            "agreements_broken": broken.get(currency, 0),
            "broken_agreement_rate": _rate(broken.get(currency, 0), active.get(currency, 0)),
        }
    return result


def _message_rows(cut: Q, date_from, date_to, by: str) -> list[dict]:
    rows = (
        MessageDay.objects.filter(cut, as_of__gte=date_from, as_of__lte=date_to)
        .values("currency", by)
        .annotate(delivered=Sum("delivered"), followed=Sum("followed"), sent=Sum("sent"))
        .filter(sent__gt=0)
        .order_by("currency", by)
    )
    return [
        {
            "currency": r["currency"],
            by: r[by],
            "sent": r["sent"],
            "delivered": r["delivered"],
            "followed": r["followed"],
            "effectiveness": _rate(r["followed"], r["delivered"]),
        }
        for r in rows
    ]


def kpi_channel_effectiveness(cut: Q, date_from, date_to) -> list[dict]:
    return _message_rows(cut, date_from, date_to, "channel")


def kpi_template_effectiveness(cut: Q, date_from, date_to) -> list[dict]:
    return _message_rows(cut, date_from, date_to, "template")


# The snapshot tables' cut columns, as lookups from a message's covered debt.
_DEBT_LOOKUPS = {
    "creditor_id": "debt__creditor_id",
    "portfolio_id": "debt__portfolio_id",
    "segment_id": "debt__segment_state__segment_id",
    "collector_id": "debt__assigned_to_id",
    "currency": "debt__currency",
}


def _on_debts(cut: Q) -> Q:
    """The cut (written on the snapshot tables' columns) as a filter of MessageDebt rows."""
    q = Q(*[], _connector=cut.connector, _negated=cut.negated)
    for child in cut.children:
        if isinstance(child, Q):
            q.children.append(_on_debts(child))
            continue
        lookup, value = child
        field, _sep, rest = lookup.partition("__")
        mapped = _DEBT_LOOKUPS[field] + (f"__{rest}" if rest else "")
        q.children.append((mapped, value))
    return q


def _engagement(cut: Q, date_from, date_to) -> dict[str, dict]:
    """Per currency: the period's messages the provider reported opened, and clicked (e-mail
    tracking events; read live from the outbox's events)."""
    events = DeliveryEvent.objects.filter(message_id=OuterRef("message_id"))
    # Only messages that had an open or a click (the deliveryevent_engagement index), not every
    # message of the period.
    engaged = DeliveryEvent.objects.filter(
        kind__in=[DeliveryEvent.Kind.OPENED, DeliveryEvent.Kind.CLICKED]
    ).values("message_id")
    rows = (
        MessageDebt.objects.filter(
            _on_debts(cut),
            message_id__in=engaged,
            message__business_date__gte=date_from,
            message__business_date__lte=date_to,
        )
        .annotate(
            was_opened=Exists(events.filter(kind=DeliveryEvent.Kind.OPENED)),
            was_clicked=Exists(events.filter(kind=DeliveryEvent.Kind.CLICKED)),
        )
        .values("debt__currency")
        .annotate(
            opened=Count("message_id", distinct=True, filter=Q(was_opened=True)),
            clicked=Count("message_id", distinct=True, filter=Q(was_clicked=True)),
        )
        .order_by()
    )
    return {r["debt__currency"]: r for r in rows}


def kpi_message_funnel(cut: Q, date_from, date_to, stuck: dict | None = None) -> list[dict]:
    """Per currency: planned → suppressed / sent → delivered (confirmed) → opened → clicked
    (e-mail tracking) → paid within 7 days;
    beside them the sent messages that failed or bounced (`failed`, of them notices:
    `failed_notices`) and, from `stuck` ({currency: (messages, notices)}, read live by
    kpi_stuck_messages), those stuck without delivery news."""
    notices = Q(template__in=NOTICE_TEMPLATES)
    rows = (
        MessageDay.objects.filter(cut, as_of__gte=date_from, as_of__lte=date_to)
        .values("currency")
        # (before the sums named like the fields, which would hide them)
        .annotate(
            notices_sent=Sum("sent", filter=notices, default=0),
            notices_delivered=Sum("delivered", filter=notices, default=0),
        )
        .annotate(
            planned=Sum("planned"),
            suppressed=Sum("suppressed"),
            sent=Sum("sent"),
            delivered=Sum("delivered"),
            confirmed=Sum("confirmed"),
            followed=Sum("followed"),
        )
        .order_by("currency")
    )
    stuck = stuck or {}
    engagement = _engagement(cut, date_from, date_to)
    result = []
    for r in rows:
        # A sent message counts as delivered until it fails or bounces: what is sent and not
        # delivered is what failed after leaving.
        notices_sent, notices_delivered = r.pop("notices_sent"), r.pop("notices_delivered")
        messages, stuck_notices = stuck.get(r["currency"], (0, 0))
        result.append(
            {
                **r,
                "opened": engagement.get(r["currency"], {}).get("opened", 0),
                "clicked": engagement.get(r["currency"], {}).get("clicked", 0),
                "effectiveness": _rate(r["followed"], r["delivered"]),
                "failed": (r["sent"] or 0) - (r["delivered"] or 0),
                "failed_notices": notices_sent - notices_delivered,
                "stuck": messages,
                "stuck_notices": stuck_notices,
            }
        )
    return result


def kpi_stuck_messages(f, *, now) -> dict[str, tuple[int, int]]:
    """Per currency: (messages, notices) of the period stuck in `sent` at `now` with no
    delivery news past their channel's usual time (messaging.delivery), in the filters' cut.
    Read live: being stuck depends on the moment, not on a night's snapshot."""
    messages = Message.objects.filter(
        creditor_id__in=f.creditor_ids,
        business_date__gte=f.date_from,
        business_date__lte=f.date_to,
    ).filter(stuck_q(now=now))
    links = MessageDebt.objects.filter(message__in=messages.values("pk"))
    if f.portfolio_id:
        links = links.filter(debt__portfolio_id=f.portfolio_id)
    if f.collector_id:
        links = links.filter(debt__assigned_to_id=f.collector_id)
    if f.currency:
        links = links.filter(debt__currency=f.currency)
    if f.segment_id:
        links = links.filter(
            debt_id__in=DebtSegment.objects.filter(segment_id=f.segment_id).values("debt_id")
        )
    rows = (
        links.values("debt__currency")
        .annotate(
            messages=Count("message_id", distinct=True),
            notices=Count(
                "message_id",
                distinct=True,
                filter=Q(message__template__in=NOTICE_TEMPLATES),
            ),
        )
        .order_by()
    )
    return {r["debt__currency"]: (r["messages"], r["notices"]) for r in rows}


def kpi_suppressions(cut: Q, date_from, date_to) -> list[dict]:
    """Planned messages suppressed by the compliance engine, per currency, rule and channel."""
    return list(
        SuppressionDay.objects.filter(cut, as_of__gte=date_from, as_of__lte=date_to)
        .values("currency", "rule", "channel")
        .annotate(messages=Sum("messages"))
        .order_by("currency", "-messages", "rule", "channel")
    )


def kpi_collector_productivity(
    cut: Q, date_from, date_to, collected: list[dict], contacts: dict[tuple, dict] | None = None
) -> list[dict]:
    """Per collector and currency: cases worked, attempts, RPCs and promises they logged
    (`contacts`, from ContactDay), amount collected on assigned debts (the leaderboard),
    promises recorded on those debts and the kept rate of the ones due in the period."""
    from analytics.selectors.contacts import COUNTS, collector_names, contact_rates

    contacts = contacts or {}
    rows = (
        PromiseDay.objects.filter(
            cut, as_of__gte=date_from, as_of__lte=date_to, collector_id__isnull=False
        )
        .values("collector_id", "currency")
        .annotate(made=Sum("made"), kept=Sum("kept"), broken=Sum("broken"))
    )
    promises = {
        (r["collector_id"], r["currency"]): r for r in rows if r["made"] or r["kept"] or r["broken"]
    }
    by_key = {(r["collector_id"], r["currency"]): dict(r) for r in collected}
    missing = (set(promises) | set(contacts)) - set(by_key)
    names = collector_names({k[0] for k in missing})
    for key in missing:
        by_key[key] = {
            "collector_id": key[0],
            "collector": names[key[0]],
            "currency": key[1],
            "collected": None,
            "payments": 0,
        }
    result = []
    for key, row in by_key.items():
        p = promises.get(key, {})
        c = contacts.get(key, {})
        result.append(
            {
                **row,
                "days_worked": c.get("days_worked") or 0,
                **{name: c.get(name) or 0 for name in COUNTS},
                **contact_rates(c),
                "promises_made": p.get("made") or 0,
                "promises_kept": p.get("kept") or 0,
                "promises_broken": p.get("broken") or 0,
                "promise_kept_rate": _rate(
                    p.get("kept") or 0, (p.get("kept") or 0) + (p.get("broken") or 0)
                ),
            }
        )
    result.sort(
        key=lambda r: (r["currency"], -(r["collected"] or 0), -r["attempts"], r["collector_id"])
    )
    return result
