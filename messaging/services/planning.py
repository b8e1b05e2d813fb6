"""Planning: every planned ContactAction of a business date becomes (part of) an outbox Message.

One debtor, one conversation: the actions of a debtor's debts on one channel and day become ONE
message covering all those debts, at the highest stage among them. Each message gets the first
lawful moment in the debtor's own time zone from the compliance engine, spread over the day's
lawful window; a contact the engine refuses is stored as `suppressed` with the rule id.
Set-based: one query loads the day's actions, rows are grouped in Python, messages and their
covered debts are written with bulk INSERTs (ON CONFLICT DO NOTHING on the idempotency key).
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.reasons import Reason, reason_split
from messaging import reasons
from messaging.hooks import preferred_hours
from messaging.models import ContactAction, Message, MessageDebt
from messaging.services import compliance_gateway as gateway
from portfolio.models import ContactPoint, Hold, Stage

logger = logging.getLogger(__name__)

STAGE_RANK = {
    Stage.CURRENT: 0,
    Stage.FRIENDLY_REMINDER: 1,
    Stage.FIRM_NOTICE: 2,
    Stage.PRE_LEGAL: 3,
    Stage.LEGAL: 4,
}
# Which channel of a debtor is considered first on a day (the engine may allow only one).
CHANNEL_ORDER = {"email": 0, "letter": 1, "sms": 2, "whatsapp": 3, "voice": 4}
CHUNK = 5000
ACTIVE_STATUSES = (Message.Status.PLANNED, Message.Status.SENT, Message.Status.DELIVERED)


@dataclass
class Group:
    key: str
    debtor_id: int
    creditor_id: int
    channel: str
    purpose: str
    template: str = ""
    stage: str = ""
    debts: list[int] = field(default_factory=list)
    actions: list[tuple[int, int]] = field(default_factory=list)  # (action id, debt id)


@dataclass
class PlanResult:
    planned: int = 0
    suppressed: int = 0
    already: int = 0
    messages: list[Message] = field(default_factory=list)


def idempotency_key(*, business_date, debtor_id, channel, group: str) -> str:
    return f"{business_date.isoformat()}:{debtor_id}:{channel}:{group}"


def _load_actions(business_date, action_ids=None) -> list[tuple]:
    """The date's planned actions not yet covered by a message (one query, no ORM rows)."""
    sql = """
        SELECT a.id, a.debt_id, a.stage, a.channel, a.template_code, d.debtor_id, d.creditor_id
          FROM messaging_contactaction a
          JOIN portfolio_debt d ON d.id = a.debt_id
         WHERE a.business_date = %s AND a.status = %s
           AND NOT EXISTS (SELECT 1 FROM messaging_messagedebt md
                            WHERE md.contact_action_id = a.id)
    """
    params: list = [business_date, ContactAction.Status.PLANNED]
    if action_ids is not None:
        if not action_ids:
            return []
        sql += " AND a.id IN (" + ", ".join(["%s"] * len(action_ids)) + ")"
        params += list(action_ids)
    sql += " ORDER BY d.debtor_id, a.id"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def group_actions(rows, *, business_date) -> list[Group]:
    """One group per debtor × channel × purpose (collection groups take the highest stage)."""
    groups: dict[tuple, Group] = {}
    for action_id, debt_id, stage, channel, template, debtor_id, creditor_id in rows:
        purpose = gateway.purpose_for(template)
        label = "collection" if purpose == "collection" else template
        group = groups.get((debtor_id, channel, label))
        if group is None:
            group = groups[(debtor_id, channel, label)] = Group(
                key=idempotency_key(
                    business_date=business_date, debtor_id=debtor_id, channel=channel, group=label
                ),
                debtor_id=debtor_id,
                creditor_id=creditor_id,
                channel=channel,
                purpose=purpose,
            )
        rank = STAGE_RANK.get(stage, -1)
        current = STAGE_RANK.get(group.stage, -1)
        if not group.template or rank > current or (rank == current and template < group.template):
            group.stage, group.template = stage, template
        if debt_id not in group.debts:
            group.debts.append(debt_id)
        group.actions.append((action_id, debt_id))
    return sorted(
        groups.values(), key=lambda g: (g.debtor_id, CHANNEL_ORDER.get(g.channel, 9), g.key)
    )


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _debtors(ids) -> dict[int, dict]:
    from portfolio.models import Debtor

    found = {}
    fields = ("id", "country", "region", "timezone", "language", "full_name", "address_line",
              "city", "postal_code")  # fmt: skip
    for chunk in _chunks(ids):
        for row in Debtor.objects.filter(id__in=chunk).values(*fields):
            found[row["id"]] = {**row, "preferred": None}
        # Hours the debtor chose in the portal: planning keeps inside them where it lawfully can.
        for debtor_id, hours in preferred_hours.call_one(debtor_ids=chunk).items():
            found[debtor_id]["preferred"] = hours
    return found


def _addresses(debtors: dict[int, dict]) -> dict[tuple[int, str], tuple[str, bool]]:
    """(debtor, channel) -> (where to send, consented): a consented primary point first."""
    best: dict[tuple[int, str], tuple] = {}
    for chunk in _chunks(debtors):
        points = ContactPoint.objects.filter(debtor_id__in=chunk).values_list(
            "debtor_id", "channel", "value", "is_primary", "consent_granted", "id"
        )
        for debtor_id, channel, value, primary, consent, pk in points:
            rank = (not consent, not primary, pk)
            key = (debtor_id, channel)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, value, consent)
    result = {key: (value, consent) for key, (_rank, value, consent) in best.items()}
    for debtor_id, row in debtors.items():
        # Post goes to the address on file unless the debtor revoked the letter channel.
        if (debtor_id, "letter") not in result and row["address_line"]:
            lines = [row["full_name"], row["address_line"],
                     " ".join(p for p in (row["postal_code"], row["city"]) if p)]  # fmt: skip
            result[(debtor_id, "letter")] = ("\n".join(x for x in lines if x), True)
    return result


def _holds(debtor_ids) -> dict[int, list[tuple[int | None, str]]]:
    holds = defaultdict(list)
    for chunk in _chunks(debtor_ids):
        rows = Hold.objects.filter(debtor_id__in=chunk, closed_at__isnull=True).values_list(
            "debtor_id", "debt_id", "kind"
        )
        for debtor_id, debt_id, kind in rows:
            holds[debtor_id].append((debt_id, kind))
    return holds


def past_contacts(
    debtor_ids, *, around: datetime.datetime, exclude_keys=(), statuses=ACTIVE_STATUSES
) -> dict[int, list]:
    """The debtors' messages within 8 days either side, as the engine's PastContact values."""
    history = defaultdict(list)
    low, high = around - datetime.timedelta(days=8), around + datetime.timedelta(days=8)
    for chunk in _chunks(debtor_ids):
        rows = (
            Message.objects.filter(
                debtor_id__in=chunk,
                status__in=statuses,
                planned_for__gte=low,
                planned_for__lte=high,
            )
            .exclude(idempotency_key__in=list(exclude_keys))
            .values_list("debtor_id", "channel", "planned_for", "sent_at")
        )
        for debtor_id, channel, planned_for, sent_at in rows:
            history[debtor_id].append(
                gateway.make_past_contact(
                    debtor_id=debtor_id, channel=channel, at=sent_at or planned_for
                )
            )
    return history


def contact_for(*, group_channel, debtor, creditor_id, stage, purpose, consented, holds, at,
                content=None, creditor_name=""):  # fmt: skip
    return gateway.make_contact(
        debtor_id=debtor["id"],
        creditor_id=creditor_id,
        country=debtor["country"],
        region=debtor["region"] or "",
        timezone=debtor["timezone"],
        channel=group_channel,
        at=at,
        stage=stage,
        purpose=purpose,
        consented=consented,
        holds=frozenset(holds),
        has_active_agreement=False,
        content=content,
        creditor_name=creditor_name,
    )


def _decide(group: Group, *, debtor, address, holds, history, business_date, now, rules) -> Message:
    to, consented = address if address else ("", False)
    kinds = {kind for debt_id, kind in holds if debt_id is None or debt_id in group.debts}
    day_start = datetime.datetime.combine(
        business_date, datetime.time.min, tzinfo=ZoneInfo(debtor["timezone"])
    )
    contact = contact_for(
        group_channel=group.channel,
        debtor=debtor,
        creditor_id=group.creditor_id,
        stage=group.stage,
        purpose=group.purpose,
        consented=consented,
        holds=kinds,
        at=day_start,
    )
    message = Message(
        creditor_id=group.creditor_id,
        debtor_id=group.debtor_id,
        channel=group.channel,
        template=group.template,
        purpose=group.purpose,
        stage=group.stage,
        language=debtor["language"] or "es",
        business_date=business_date,
        to=to,
        planned_for=day_start,
        idempotency_key=group.key,
    )
    if not to:
        message.status = Message.Status.CANCELLED
        message.suppression_rule = "NO-ADDRESS"
        message.suppression_reason = "NO-ADDRESS: " + _("no contact point for this channel")
        message.suppression_code = reasons.NO_ADDRESS
        return message
    # A date already past in the debtor's time zone is a replay: plan it as that day was.
    replay = now.astimezone(day_start.tzinfo).date() > business_date
    not_before = day_start if replay else max(now, day_start)
    moment = gateway.spread(
        contact=contact,
        day=business_date,
        key=group.key,
        history=history,
        rules=rules,
        not_before=not_before,
        preferred=debtor.get("preferred"),
    )
    if moment is None:
        # Nothing lawful left today (a rest day, the window passed, today's contact used):
        # the engine's first lawful moment within the week, or a suppression with its rule.
        moment = gateway.first_moment(
            contact=contact, history=history, rules=rules, not_before=not_before
        )
    if moment is None:
        decision = gateway.check(
            contact=replace(contact, at=not_before), history=history, rules=rules
        )
        rule = decision.rule if not decision.allowed and decision.rule else "NO-WINDOW"
        reason = (
            (decision.coded or decision.reason)
            if not decision.allowed
            else Reason(reasons.NO_LAWFUL_MOMENT)
        )
        message.status = Message.Status.SUPPRESSED
        message.suppression_rule = rule[:40]
        message.suppression_reason = f"{rule}: {reason}"[:500]
        message.suppression_code, message.suppression_params, _text = reason_split(reason)
        message.planned_for = not_before
        return message
    message.planned_for = moment
    return message


def messages_plan(*, business_date: datetime.date, action_ids=None, now=None) -> PlanResult:
    """Turn the date's planned ContactActions into outbox messages (idempotent)."""
    now = now or timezone.now()
    rows = _load_actions(business_date, action_ids)
    result = PlanResult()
    if not rows:
        return result
    groups = group_actions(rows, business_date=business_date)
    debtor_ids = sorted({g.debtor_id for g in groups})
    debtors = _debtors(debtor_ids)
    addresses = _addresses(debtors)
    holds = _holds(debtor_ids)
    existing = set()
    for chunk in _chunks([g.key for g in groups]):
        existing.update(
            Message.objects.filter(idempotency_key__in=chunk).values_list(
                "idempotency_key", flat=True
            )
        )
    around = datetime.datetime.combine(business_date, datetime.time(12), tzinfo=datetime.UTC)
    history = past_contacts(debtor_ids, around=around)
    rules = gateway.rules_cache(sorted({g.creditor_id for g in groups}))
    messages = []
    for group in groups:
        if group.key in existing:
            result.already += 1
            continue
        debtor = debtors[group.debtor_id]
        message = _decide(
            group,
            debtor=debtor,
            address=addresses.get((group.debtor_id, group.channel)),
            holds=holds.get(group.debtor_id, ()),
            history=history[group.debtor_id],
            business_date=business_date,
            now=now,
            rules=rules,
        )
        if message.status == Message.Status.PLANNED:
            result.planned += 1
            # The next channel of this debtor sees this contact (one contact a day rules).
            history[group.debtor_id].append(
                gateway.make_past_contact(
                    debtor_id=group.debtor_id, channel=group.channel, at=message.planned_for
                )
            )
        elif message.status == Message.Status.SUPPRESSED:
            result.suppressed += 1
        messages.append(message)
    with transaction.atomic():
        Message.objects.bulk_create(messages, batch_size=2000, ignore_conflicts=True)
        ids = {}
        for chunk in _chunks([g.key for g in groups]):
            ids.update(
                Message.objects.filter(idempotency_key__in=chunk).values_list(
                    "idempotency_key", "id"
                )
            )
        links = [
            MessageDebt(message_id=ids[g.key], debt_id=debt_id, contact_action_id=action_id)
            for g in groups
            for action_id, debt_id in _first_action_per_debt(g.actions)
        ]
        MessageDebt.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
        _link_remaining_actions(groups, ids)
    result.messages = messages
    logger.info(
        "messages %s: %s planned, %s suppressed, %s already planned",
        business_date,
        result.planned,
        result.suppressed,
        result.already,
    )
    return result


def _first_action_per_debt(actions):
    seen = set()
    for action_id, debt_id in actions:
        if debt_id not in seen:
            seen.add(debt_id)
            yield action_id, debt_id


def _link_remaining_actions(groups, ids) -> None:
    """Actions beyond the first per debt (same debt, same channel) are covered too: mark done."""
    extra = []
    for g in groups:
        linked = {action_id for action_id, _debt in _first_action_per_debt(g.actions)}
        extra.extend(action_id for action_id, _debt in g.actions if action_id not in linked)
    for chunk in _chunks(extra):
        ContactAction.objects.filter(id__in=chunk).update(status=ContactAction.Status.DONE)
