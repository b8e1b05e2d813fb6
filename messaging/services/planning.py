"""Planning: every planned ContactAction of a business date becomes (part of) an outbox Message.

One debtor, one conversation: the actions of a debtor's debts on one channel and day become ONE
message covering all those debts, at the highest stage among them. Each message gets the first
lawful moment in the debtor's own time zone from the compliance engine, spread over the day's
lawful window; a contact the engine refuses is stored as `suppressed` with the rule id, one
with no address as `cancelled` (NO-ADDRESS), a WhatsApp one whose text has no approved provider
template as `cancelled` (WA-TEMPLATE: the debtor's next allowed channel goes instead).
Set-based (planning_sets): the day's actions are read with COPY and grouped in pandas; the
groups of debtors without preferred hours are decided per class of contact (the holds
covering the group included), per shape of their earlier days' contacts and per channels
already given that day (`_decide_by_class`), the others one by one;
messages, their covered debts and the actions they cover are written with COPY and
INSERT ... SELECT (ON CONFLICT DO NOTHING on the idempotency key), a few statements per day
whatever the number of messages; the message's own foreign keys are checked as the rows
arrive, the links' keys are unchecked (MessageDebt: written only here, from rows just read).
Experiments (messaging.services.arms, read only when one runs): every message of a debtor in
an arm records it; a send-time arm's hours are kept to as preferred hours are, and a template
arm's version of the message's own template is pinned on it (the sender renders that one).
"""

import datetime
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import gc_paused, phase_timer, phases_text
from core.reasons import Reason, reason_split
from messaging import reasons
from messaging.hooks import preferred_hours
from messaging.models import Message
from messaging.services import arms as experiment_arms
from messaging.services import compliance_gateway as gateway
from messaging.services import planning_sets as sets
from messaging.services.compliance.planning import history_key
from messaging.services.compliance.timeutil import zone

logger = logging.getLogger(__name__)

CHUNK = 5000
EXACT = "exact"  # a batch key's shape: the debtors' whole histories are alike (see below)
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
    gid: int = -1  # the group's number in the day's set


@dataclass
class PlanResult:
    planned: int = 0
    suppressed: int = 0
    already: int = 0


def idempotency_key(*, business_date, debtor_id, channel, group: str) -> str:
    return f"{business_date.isoformat()}:{debtor_id}:{channel}:{group}"


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
                content=None, creditor_name="", time_barred=False):  # fmt: skip
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
        time_barred=time_barred,
    )


@dataclass(slots=True)
class Decided:
    """What the engine decided for one group: the outbox row's status, time and why."""

    status: str
    planned_for: datetime.datetime
    to: str
    suppression_rule: str = ""
    suppression_reason: str = ""
    suppression_code: str = ""
    suppression_params: dict = field(default_factory=dict)


def _decide(
    group: Group, *, debtor, address, holds, history, business_date, now, rules, memo=None
) -> Decided:
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
    message = Decided(status=Message.Status.PLANNED, planned_for=day_start, to=to)
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
        memo=memo,
    )
    refusal = None
    if moment is None:
        # Nothing lawful left today (a rest day, the window passed, today's contact used):
        # the engine's first lawful moment within the week, or a suppression with its rule.
        moment, refusal = gateway.moment_search(
            contact=contact, history=history, rules=rules, not_before=not_before, memo=memo
        )
    if moment is None:
        (
            message.suppression_rule,
            message.suppression_reason,
            message.suppression_code,
            message.suppression_params,
        ) = _refusal(
            contact, refusal, history=history, not_before=not_before, rules=rules, memo=memo
        )
        message.status = Message.Status.SUPPRESSED
        message.planned_for = not_before
        return message
    message.planned_for = moment
    return message


def _refusal(contact, refusal, *, history, not_before, rules, memo) -> tuple[str, str, str, dict]:
    """(rule, reason, code, params) of a contact with no lawful moment in the week searched
    from `not_before`: `refusal`, the one that ended the search (gateway.moment_search: the
    engine's decision at the last instant it tried, what stops the contact all week), or where
    it tried none (an unknown time zone, no open hour all week) the check at `not_before`.
    Until #17's fourteenth round every refusal was the check at `not_before`, a local midnight,
    which named the contact hours: the 1M bench's first cycle labelled 165,841 messages
    "CO-WINDOW: 00:00 ... outside the contact hours", where the channel used that day (CO-DAY,
    then CO-WEEK for the rest of the week) stopped them."""
    decision = refusal
    if decision is None:  # (a Decision is false when it refuses: not `refusal or ...`)
        decision = gateway.check(
            contact=replace(contact, at=not_before), history=history, rules=rules, memo=memo
        )
    rule = decision.rule if not decision.allowed and decision.rule else "NO-WINDOW"
    reason = (
        (decision.coded or decision.reason)
        if not decision.allowed
        else Reason(reasons.NO_LAWFUL_MOMENT)
    )
    # The decision's text is the reason's, in the active language (rendered once).
    text = decision.reason if not decision.allowed else str(reason)
    code, params, _text = reason_split(reason)
    return rule[:40], f"{rule}: {text}"[:500], code, params


def messages_plan(
    *, business_date: datetime.date, action_ids=None, now=None, by_class: bool = True
) -> PlanResult:
    """Turn the date's planned ContactActions into outbox messages (idempotent).

    Set-based (messaging.services.planning_sets): a few statements for the whole day, the
    engine asked once per class of contact and one by one only where history or
    preferences make contacts differ. `by_class=False` asks the engine one group at a time
    for every group (the reference the class path is tested against; same results).
    Python's cycle collector is paused meanwhile (core.bulk.gc_paused)."""
    with gc_paused():
        return _messages_plan(
            business_date=business_date, action_ids=action_ids, now=now, by_class=by_class
        )


def _messages_plan(*, business_date, action_ids, now, by_class) -> PlanResult:
    now = now or timezone.now()
    result = PlanResult()
    result.steps, step = phase_timer()
    with step("read actions"):
        actions = sets.actions_load(business_date, action_ids)
    if actions.empty:
        return result
    with step("group"):
        groups, actions = sets.groups_build(actions, business_date=business_date)
        group_seq = sets.keys_stage(groups)
    with step("read debtors"):
        existing = sets.existing_keys(business_date)
        debtors = sets.debtors_load()
        addresses = sets.addresses_load()
        holds = sets.holds_load()
        around = datetime.datetime.combine(business_date, datetime.time(12), tzinfo=datetime.UTC)
        history = defaultdict(list, sets.history_load(around=around, statuses=ACTIVE_STATUSES))
    with step("prepare"):
        # Hours the debtor chose in the portal: planning keeps inside them where it lawfully can.
        preferred = dict(preferred_hours.call_one(debtor_ids=debtors["debtor_id"].tolist()))
        # Debtors in an experiment's arm (none read unless one runs): the arm's send hours narrow
        # the debtor's as preferred hours do (the lawful window still wins); the arm and the
        # template version it tests go on the message.
        arms = sets.day_arms()
        hours = arms[arms["send_from_hour"].notna() & arms["send_to_hour"].notna()]
        for debtor_id, start, end in zip(
            hours["debtor_id"].tolist(),
            hours["send_from_hour"].tolist(),
            hours["send_to_hour"].tolist(),
            strict=True,
        ):
            window = experiment_arms.narrowed(
                preferred.get(debtor_id), experiment_arms.hours_window(start, end)
            )
            if window is not None:
                preferred[debtor_id] = window
        rules = gateway.rules_cache(sorted(int(c) for c in groups["creditor_id"].unique()))

        result.already = int(groups["key"].isin(existing).sum())
        todo = groups[~groups["key"].isin(existing)]
        todo = todo.merge(debtors, on="debtor_id", how="left", validate="many_to_one")
        todo = todo.merge(addresses, on=["debtor_id", "channel"], how="left")
        todo["to"] = todo["to"].fillna("")
        todo["consented"] = todo["consented"].fillna(False).astype(bool)
        todo["invalid"] = todo["invalid"].fillna(False).astype(bool)
        todo["language"] = todo["language"].replace("", "es").fillna("es")
        todo["held"] = sets.groups_held(todo, actions, holds)
        todo = sets.arms_join(todo, arms)
        # WhatsApp whose text has no approved template (decided per creditor, code and language)
        # is not planned: like a channel the rules refuse, it takes no contact of the day, so the
        # debtor's next allowed channel goes instead; the message records why (WA-TEMPLATE).
        unready = (todo["to"] != "") & sets.whatsapp_unready(todo)
        reachable = (todo["to"] != "") & ~unready
        # Debtors without preferred hours: their day's groups are decided per class of contact
        # (the holds covering the group are part of it) and of what the debtor got earlier that
        # day, the rest one by one, in planning order.
        plain = (
            reachable
            & ~todo["debtor_id"].isin(list(preferred))
            # (each distinct zone looked up once)
            & todo["timezone"].isin([n for n in todo["timezone"].unique() if zone(n) is not None])
        )
        if not by_class:
            plain[:] = False
    with step("decide by class"):
        decided = _decide_by_class(
            todo[plain], history=history, business_date=business_date, now=now, rules=rules
        )
    with step("decide the rest"):
        cancelled = todo[todo["to"] == ""].copy()
        sets.no_address_columns(cancelled)
        skipped = todo[unready].copy()
        sets.whatsapp_unready_columns(skipped)
        cancelled = pd.concat([cancelled, skipped]) if len(skipped) else cancelled
        starts = sets.day_starts(cancelled["timezone"].unique(), business_date)
        cancelled["planned_us"] = cancelled["timezone"].map(lambda n: sets.to_us(starts[n]))
        one_by_one = todo[reachable & ~todo["gid"].isin(decided["gid"])]
        rows = _decide_one_by_one(
            one_by_one,
            actions=actions,
            debtors=debtors,
            preferred=preferred,
            holds=sets.holds_by_debtor(holds, one_by_one["debtor_id"].unique()),
            history=history,
            business_date=business_date,
            now=now,
            rules=rules,
        )
    with step("assemble"):
        columns = ["gid", "status", "planned_us", "rule", "reason", "code", "params", "to"]
        decided_rows = pd.DataFrame(rows, columns=columns)
        outcome = pd.concat(
            [decided[columns], cancelled[columns], decided_rows[columns]], ignore_index=True
        )
        messages = todo.drop(columns=["to", "held"]).merge(
            outcome, on="gid", how="inner", validate="1:1"
        )
        messages = sets.in_planning_order(messages, group_seq)
        result.planned = int((messages["status"] == Message.Status.PLANNED).sum())
        result.suppressed = int((messages["status"] == Message.Status.SUPPRESSED).sum())
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys checked as the rows arrive, not all at COMMIT.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        sets.outbox_write(
            messages,
            actions,
            group_seq=group_seq,
            business_date=business_date,
            now=timezone.now(),
            existing=bool(result.already),
            step=step,
        )
    logger.debug(
        "messages %s steps: %s",
        business_date,
        phases_text(result.steps),
    )
    logger.info(
        "messages %s: %s planned, %s suppressed, %s already planned",
        business_date,
        result.planned,
        result.suppressed,
        result.already,
    )
    return result


def _decide_by_class(todo, *, history, business_date, now, rules) -> pd.DataFrame:
    """Decide the groups of debtors without preferred hours per class.

    The groups are taken rank by rank (a debtor's first group of the day, then its second...).
    A group's outcome depends on its class (what the rules read of the contact), its minute
    (the stable hash of its key over the class's lawful slots) and the debtor's history: the
    contacts of earlier days, read here by their shape (channel, kind, local date: see
    `gateway.history_span`; a debtor whose history is not read so goes one by one), and the
    contacts planned by its earlier groups of the day. A class the rules refuse whatever the
    history (`refused_whatever_history`: no consent...) gets one outcome. Where the rules read
    that history only through its channels (`history_read_as_channels`: every planned instant
    on the day and later than `not_before`), groups alike in class and earlier channels share
    the engine's answers: the verdict at each distinct minute is asked once, and where it
    refuses, one representative group is decided exactly as `_decide` decides any group. Its
    outcome stands for all the refused ones unless it found a lawful minute later that same day
    (then the minute matters: they go one by one); with earlier days' contacts, the refused
    ones each get the week's first lawful moment searched for them (it depends on those
    contacts' exact instants), or their own refusal where there is none. A debtor without earlier
    days' contacts whose planned instant falls outside the day's window (a rest day's contact
    goes to the next lawful day) has its later groups batched by its whole history of the day
    (channel and instant of each contact: alike debtors get alike answers, minute by minute).
    Any other debtor whose group is left to the one-by-one path, or whose planned instant
    breaks the conditions above, has its later groups decided one by one too. Returns the decided
    groups' outcome rows (gid, status, planned_us, rule, reason, code, params, to); a planned
    contact joins `history` where its debtor has a later group (the one-by-one path reads it
    for those only)."""
    columns = ["gid", "status", "planned_us", "rule", "reason", "code", "params", "to"]
    if todo.empty:
        return pd.DataFrame(columns=columns)
    todo = todo.assign(region=todo["region"].fillna("")).reset_index(drop=True)
    n = len(todo)
    debtor_ids = todo["debtor_id"].to_numpy(dtype=np.int64)
    by_debtor = todo.groupby("debtor_id", sort=False)["debtor_id"]
    ranks = by_debtor.cumcount().to_numpy()
    # Whether the debtor has a group at a later rank: only then does what this one planned
    # (its history, the channels seen, pushed or fallen) matter to anything decided after.
    later = ranks < by_debtor.transform("size").to_numpy() - 1
    fractions = np.array([gateway.spread_fraction(k) for k in todo["key"].tolist()])
    class_of = todo.groupby(sets.CLASS_COLUMNS, sort=False, dropna=False).ngroup().to_numpy()
    classes_seen, first_rows = np.unique(class_of, return_index=True)
    class_values = dict(
        zip(
            classes_seen.tolist(),
            todo.iloc[first_rows][sets.CLASS_COLUMNS].itertuples(index=False, name=None),
            strict=True,
        )
    )
    channels = todo["channel"].tolist()
    # Outcome columns, filled as groups are decided (status "" = left to the one-by-one path).
    status = np.full(n, "", dtype=object)
    planned_us = np.zeros(n, dtype=np.int64)
    texts = {name: np.full(n, "", dtype=object) for name in ("rule", "reason", "code")}
    params = np.full(n, "{}", dtype=object)
    # Each debtor's earlier contacts (before this run) by shape: (channel, kind, local date
    # relative to the day) sorted, and their first and last instants (see `_shapes`).
    shapes = _shapes(todo, history, business_date=business_date)
    seen: dict[int, tuple] = {}  # debtor -> channels planned earlier today (sorted)
    # Debtors without earlier days' contacts with a contact planned outside the day's window
    # (a rest day's contact goes to the next lawful day): their later groups are batched by
    # their whole history, which is this run's contacts only (the same for every debtor of a
    # batch: the engine's answers are too).
    pushed: set[int] = set()
    fallen: set[int] = set()  # debtors whose later groups go one by one
    classes: dict[int, dict] = {}  # class -> its contact, slots, bounds
    refused_of = np.zeros(len(classes_seen), dtype=bool)  # class -> refused whatever the history
    in_shapes = np.isin(debtor_ids, np.fromiter(shapes, dtype=np.int64, count=len(shapes)))
    memo: dict = {}
    for rank in range(int(ranks.max()) + 1):
        level = np.flatnonzero(ranks == rank)
        if fallen:
            level = level[~np.isin(debtor_ids[level], np.fromiter(fallen, dtype=np.int64))]
        if not len(level):
            break
        classes_level = class_of[level]
        for cls in pd.unique(classes_level).tolist():
            if cls not in classes:
                classes[cls] = sets.class_bounds(
                    class_values[cls], business_date=business_date, now=now, rules=rules
                )
                refused_of[cls] = classes[cls]["refused"]
        batches: dict[tuple, np.ndarray] = {}
        # Refused at every instant whatever the history: one outcome for the class.
        refused = refused_of[classes_level]
        for cls, rows in _split(level[refused], classes_level[refused]):
            batches[(cls, None, None)] = rows
        # Without earlier days' contacts (nor pushed): by class and the channels planned
        # earlier that day (all alike on a first rank).
        simple = ~refused & ~in_shapes[level]
        if pushed:
            simple &= ~np.isin(debtor_ids[level], np.fromiter(pushed, dtype=np.int64))
        rows = level[simple]
        earlier = [seen.get(d, ()) for d in debtor_ids[rows].tolist()] if seen else []
        kinds: dict[tuple, int] = {(): 0}
        codes = np.fromiter(
            (kinds.setdefault(channels_seen, len(kinds)) for channels_seen in earlier),
            dtype=np.int64,
            count=len(earlier),
        )
        if not len(codes):
            codes = np.zeros(len(rows), dtype=np.int64)
        names = list(kinds)
        for code, some in _split(rows, class_of[rows] * len(names) + codes):
            batches[(code // len(names), names[code % len(names)], ())] = some
        rest: dict[tuple, list] = {}
        for i, debtor_id in zip(
            level[~refused & ~simple].tolist(),
            debtor_ids[level[~refused & ~simple]].tolist(),
            strict=True,
        ):
            cls, known, shape = int(class_of[i]), classes[int(class_of[i])], shapes.get(debtor_id)
            if debtor_id in pushed:
                rest.setdefault((cls, history_key(history[debtor_id]), EXACT), []).append(i)
            elif (
                known["span_us"] is not None
                and shape[2] < known["not_before_us"]
                and shape[1] > known["day_end_us"] - known["span_us"]
            ):
                rest.setdefault((cls, seen.get(debtor_id, ()), shape[0]), []).append(i)
            else:
                fallen.add(debtor_id)
        batches.update((key, np.array(some)) for key, some in rest.items())
        # In the order of each batch's first group (planning order), as one pass would meet them.
        batches = dict(sorted(batches.items(), key=lambda item: int(item[1][0])))
        for (cls, earlier, shape), rows in batches.items():
            known = classes[cls]
            outcome = _class_outcome(
                todo, rows, fractions[rows], debtor_ids[rows], known=known, earlier=earlier,
                shape=shape, history=history, business_date=business_date, now=now,
                rules=rules, memo=memo,
            )  # fmt: skip
            undecided = outcome["status"] == ""
            if undecided.any():
                fallen.update(debtor_ids[rows[undecided]].tolist())
                outcome = {name: values[~undecided] for name, values in outcome.items()}
                rows = rows[~undecided]
            status[rows], planned_us[rows] = outcome["status"], outcome["planned_us"]
            for name in ("rule", "reason", "code"):
                texts[name][rows] = outcome[name]
            params[rows] = outcome["params"]
            not_before_us, day_end_us = known["not_before_us"], known["day_end_us"]
            rows = rows[later[rows] & (status[rows] == Message.Status.PLANNED)]
            for i, debtor_id, moment in zip(
                rows.tolist(), debtor_ids[rows].tolist(), planned_us[rows].tolist(), strict=True
            ):
                history[debtor_id].append(
                    gateway.make_past_contact(
                        debtor_id=debtor_id, channel=channels[i], at=sets.from_us(moment)
                    )
                )
                if debtor_id not in pushed and not_before_us < moment <= day_end_us:
                    seen[debtor_id] = tuple(sorted((*seen.get(debtor_id, ()), channels[i])))
                elif debtor_id in shapes:
                    fallen.add(debtor_id)
                else:
                    pushed.add(debtor_id)
    done = status != ""
    columns = {
        "gid": todo["gid"].to_numpy()[done],
        "status": status[done],
        "planned_us": planned_us[done],
        "rule": texts["rule"][done],
        "reason": texts["reason"][done],
        "code": texts["code"][done],
        "params": params[done],
        "to": todo["to"].to_numpy(dtype=object)[done],
    }
    # Text columns kept as the Python strings they hold (pandas would otherwise infer its
    # string type for each, a copy of every value: 0.36 s for 700,000 groups).
    return pd.DataFrame({name: pd.Series(values, copy=False) if values.dtype != object
                         else pd.Series(values, dtype=object, copy=False)
                         for name, values in columns.items()})  # fmt: skip


def _split(rows: np.ndarray, codes: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """(code, its rows) for each distinct value of `codes` (one per row of `rows`), each
    code's rows in their order in `rows`."""
    if not len(codes):
        return []
    order = np.argsort(codes, kind="stable")
    codes, rows = codes[order], rows[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = [*starts[1:], len(rows)]
    return [(int(codes[a]), rows[a:b]) for a, b in zip(starts, ends, strict=True)]


def _shapes(todo, history, *, business_date) -> dict[int, tuple]:
    """debtor -> (shape, first instant, last instant) of its contacts before this run, for the
    debtors of `todo` that have any: the shape is the sorted (channel, kind, local date minus
    the business date in days) of each contact, instants in microseconds since the epoch."""
    shapes = {}
    firsts = todo.drop_duplicates("debtor_id")
    for debtor_id, tz_name in zip(
        firsts["debtor_id"].tolist(), firsts["timezone"].tolist(), strict=True
    ):
        past = history.get(debtor_id)
        if not past:
            continue
        tz = zone(tz_name)
        instants = [sets.to_us(p.at) for p in past]
        shape = tuple(
            sorted(
                (p.channel, p.kind, (p.at.astimezone(tz).date() - business_date).days) for p in past
            )
        )
        shapes[debtor_id] = (shape, min(instants), max(instants))
    return shapes


def _class_outcome(todo, rows, fractions, debtors, *, known, earlier, shape, history,
                   business_date, now, rules, memo):  # fmt: skip
    """The outcome (status, planned_us, rule, reason, code, params: arrays over `rows`; their
    debtors `debtors`) of one class's groups at one rank, alike in the channels planned earlier
    that day and in the shape of their earlier days' contacts (`shape`: None for a class
    refused whatever the history); status "" where a group must be decided one by one."""
    count = len(rows)
    outcome = {
        "status": np.full(count, "", dtype=object),
        "planned_us": np.zeros(count, dtype=np.int64),
        "rule": np.full(count, "", dtype=object),
        "reason": np.full(count, "", dtype=object),
        "code": np.full(count, "", dtype=object),
        "params": np.full(count, "{}", dtype=object),
    }
    if shape is None:
        # Every search stops at its first try, refused by the same rule: the first group's
        # decision stands for all.
        row = known.get("refusal")
        if row is None:
            row = known["refusal"] = _representative(
                todo, int(rows[0]), history=history, business_date=business_date, now=now,
                rules=rules, memo=memo,
            )  # fmt: skip
        for name in ("status", "planned_us", "rule", "reason", "code", "params"):
            outcome[name][:] = row[name]
        return outcome
    contact = known["contact"]
    if shape is EXACT:  # `earlier` is the debtors' whole history (channel, instant): alike
        shape = ()
    elif earlier and not known["history_by_channels"]:
        return outcome
    pick = sets.class_picks(fractions, known["slots_us"])
    # The representative: the first group; its debtor's history (this day's earlier contacts,
    # the same channels as every other group's here) stands for theirs.
    first_debtor = int(debtors[0])
    mine = list(history.get(first_debtor, ()))
    who = replace(contact, debtor_id=first_debtor)
    if pick is not None:
        allowed = {}
        for moment in np.unique(pick).tolist():
            decision = gateway.decide_at(
                contact=who, history=mine, at=sets.from_us(moment), rules=rules
            )
            allowed[moment] = bool(decision is not None and decision.allowed)
        ok = np.array([allowed[m] for m in pick.tolist()], dtype=bool)
    else:
        ok = np.zeros(count, dtype=bool)
    outcome["status"][ok] = Message.Status.PLANNED
    if pick is not None:
        outcome["planned_us"][:] = pick
    refused = ~ok
    if not refused.any():
        return outcome
    first = int(rows[np.argmax(refused)])
    row = _representative(
        todo, first, history=history, business_date=business_date, now=now, rules=rules,
        memo=memo,
    )  # fmt: skip
    if (
        pick is not None
        and row["status"] == Message.Status.PLANNED
        and known["day_start_us"] <= row["planned_us"] <= known["day_end_us"]
    ) or (shape and known["not_before_us"] > known["day_end_us"]):
        # A lawful minute later that day: where each lands depends on its own minute (or the
        # search starts past the day, where a shape says nothing): one by one.
        outcome["status"][refused] = ""
        return outcome
    names = ("status", "planned_us", "rule", "reason", "code", "params")
    if not shape:
        for name in names:
            outcome[name][refused] = row[name]
        return outcome
    # Earlier days' contacts: nothing lawful is left that day for any of them (every refusal
    # at a minute of the day is the shape's, and jumps past the day), but the week's first
    # lawful moment depends on their exact instants: searched for each group. Where there is
    # none, so does the refusal that ended its search (`_refusal`).
    not_before = sets.from_us(known["not_before_us"])
    for j in np.flatnonzero(refused).tolist():
        i = int(rows[j])
        found = row
        if i != first:
            debtor_id = int(debtors[j])
            who, past = replace(contact, debtor_id=debtor_id), history.get(debtor_id, ())
            moment, refusal = gateway.moment_search(
                contact=who, history=past, not_before=not_before, rules=rules, memo=memo
            )
            if moment is not None:
                found = {
                    "status": Message.Status.PLANNED, "planned_us": sets.to_us(moment),
                    "rule": "", "reason": "", "code": "", "params": "{}",
                }  # fmt: skip
            else:
                rule, reason, code, params = _refusal(
                    who, refusal, history=list(past), not_before=not_before, rules=rules,
                    memo=memo,
                )  # fmt: skip
                found = {
                    "status": Message.Status.SUPPRESSED, "planned_us": known["not_before_us"],
                    "rule": rule, "reason": reason, "code": code,
                    "params": json.dumps(params or {}, default=str),
                }  # fmt: skip
        for name in names:
            outcome[name][j] = found[name]
    return outcome


def _representative(todo, i, *, history, business_date, now, rules, memo) -> dict:
    """The outcome row of `todo`'s row `i` decided exactly as `_decide` decides any group."""
    rep = todo.iloc[i]
    group = Group(
        key=rep["key"], debtor_id=int(rep["debtor_id"]), creditor_id=int(rep["creditor_id"]),
        channel=rep["channel"], purpose=rep["purpose"], template=rep["template"],
        stage=rep["stage"], gid=int(rep["gid"]),
    )  # fmt: skip
    person = {
        "id": int(rep["debtor_id"]),
        "country": rep["country"],
        "region": rep["region"],
        "timezone": rep["timezone"],
        "preferred": None,
    }
    message = _decide(
        group,
        debtor=person,
        address=(rep["to"], bool(rep["consented"])),
        holds=[(None, kind) for kind in sets.held_kinds(rep["held"])],
        history=list(history.get(int(rep["debtor_id"]), ())),
        business_date=business_date,
        now=now,
        rules=rules,
        memo=memo,
    )
    return sets.message_row(group, message)


def _decide_one_by_one(groups, *, actions, debtors, preferred, holds, history, business_date,
                       now, rules) -> list[dict]:  # fmt: skip
    """The groups the engine decides one at a time, in planning order; each planned contact
    joins its debtor's history before the debtor's next group is decided."""
    if groups.empty:
        return []
    mine = actions[actions["gid"].isin(groups["gid"])]
    debts: dict[int, list[int]] = {}
    for gid, debt_id in zip(mine["gid"].tolist(), mine["debt_id"].tolist(), strict=True):
        covered = debts.setdefault(gid, [])
        if debt_id not in covered:
            covered.append(debt_id)
    wanted = debtors[debtors["debtor_id"].isin(groups["debtor_id"])]
    people = {
        int(row.debtor_id): {
            "id": int(row.debtor_id),
            "country": row.country,
            "region": row.region,
            "timezone": row.timezone,
            "language": row.language,
            "preferred": preferred.get(int(row.debtor_id)),
        }  # fmt: skip
        for row in wanted.itertuples(index=False)
    }
    rows = []
    # Engine answers shared by debtors whose contact and own history are alike (this run only).
    memo: dict = {}
    for row in groups.itertuples(index=False):
        debtor_id = int(row.debtor_id)
        group = Group(
            key=row.key, debtor_id=debtor_id, creditor_id=int(row.creditor_id),
            channel=row.channel, purpose=row.purpose, template=row.template, stage=row.stage,
            debts=debts[row.gid], gid=int(row.gid),
        )  # fmt: skip
        message = _decide(
            group,
            debtor=people[debtor_id],
            address=(row.to, bool(row.consented)),
            holds=holds.get(debtor_id, ()),
            history=history[debtor_id],
            business_date=business_date,
            now=now,
            rules=rules,
            memo=memo,
        )
        if message.status == Message.Status.PLANNED:
            # The next channel of this debtor sees this contact (one contact a day rules).
            history[debtor_id].append(
                gateway.make_past_contact(
                    debtor_id=debtor_id, channel=group.channel, at=message.planned_for
                )
            )
        rows.append(sets.message_row(group, message))
    return rows
