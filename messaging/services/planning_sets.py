"""Message planning on whole sets: the day's actions grouped in pandas, lawful minutes computed
per class of contact, and the outbox written with COPY and INSERT ... SELECT.

`messaging.services.planning.messages_plan` is the entry point; this module holds its set-based
steps. The compliance engine still decides every contact, but not one by one where it need not:
  * a group with no address is cancelled (NO-ADDRESS; ADDRESS-INVALID when the channel's only
    points bounced), whatever the rules say;
  * the groups of a debtor with no holds and no preferred hours are decided per *class* (rule
    set, channel, time zone, stage, purpose, consent), per shape of the debtor's contacts of
    earlier days (channel, kind, local date) and per channels it was already given that day (see
    `planning._decide_by_class`): the class's lawful slots of the day are computed once, each
    group's minute is the same stable hash `spread_moment` uses, and the engine checks each
    distinct minute once;
  * every other group (holds, preferences, earlier contacts the rules read by their exact
    instants) goes through the engine one by one, in the order the debtor's groups are planned.
"""

import datetime
import json
from contextlib import nullcontext
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db import connection
from django.utils.translation import gettext as _

from core.bulk import (
    arrow_frame,
    column_defaults,
    copy_arrow,
    frame_copy,
    ids_reserve,
    insert_into_empty,
    int_rows_copy,
    temp_table_load_arrow,
    temp_table_load_frame,
)
from core.reasons import reason_text
from messaging import reasons
from messaging.models import ContactAction, Message, MessageDebt, MessageTemplateVersion
from messaging.services import arms, us_debts, whatsapp
from messaging.services import compliance_gateway as gateway
from messaging.services.compliance.timeutil import zone
from messaging.services.templates import active_versions, version_resolve

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
US = datetime.timedelta(microseconds=1)
# Which channel of a debtor is considered first on a day (the engine may allow only one).
CHANNEL_ORDER = {"email": 0, "letter": 1, "sms": 2, "whatsapp": 3, "voice": 4}
STAGE_RANK = {"current": 0, "friendly_reminder": 1, "firm_notice": 2, "pre_legal": 3, "legal": 4}
ACTION_COLUMNS = ["action_id", "debt_id", "stage", "channel", "template", "debtor_id",
                  "creditor_id"]  # fmt: skip
DEBTOR_COLUMNS = ["debtor_id", "country", "region", "timezone", "language"]
GROUP_TABLE = "plan_groups"
MESSAGE_TABLE = "plan_messages"
LINK_TABLE = "plan_links"
ID_TABLE = "plan_ids"
LINKS = MessageDebt._meta.db_table
# Temp tables of at most this many rows are not analysed (the planner's size estimate from
# their pages serves; ANALYZE costs more than it saves on a small day).
SMALL = 10_000


def to_us(moment: datetime.datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact)."""
    return (moment - EPOCH) // US


def from_us(value: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(microseconds=int(value))


def actions_load(business_date, action_ids=None) -> pd.DataFrame:
    """The date's planned actions not yet covered by a message, in planning order."""
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
        sql += " AND a.id = ANY(%s)"
        params.append(sorted(int(i) for i in action_ids))
    # Parsed by Arrow, the three texts one Python string per distinct value (`arrow_frame`).
    frame = arrow_frame(sql, params, ACTION_COLUMNS, labels=("stage", "channel", "template"))
    # In planning order (debtor, action), sorted here: PostgreSQL's sort of a first cycle's
    # 1.97M actions cost 0.3-0.7 s more than NumPy's.
    order = np.lexsort(
        (frame["action_id"].to_numpy(dtype=np.int64), frame["debtor_id"].to_numpy(dtype=np.int64))
    )
    return frame.take(order).reset_index(drop=True)


def groups_build(actions: pd.DataFrame, *, business_date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(groups, actions): one group per debtor × channel × purpose, in planning order (debtor,
    channel order, key), taking the highest stage (ties: the smallest template code); each
    action gets its group's number `gid` (groups numbered in the order their first action
    comes) and whether it is the first of its debt in the group (the one a message-debt link
    names; the others are marked done).

    Channels, templates and labels are read as integer codes (sorted as their texts), so the
    groupings and sorts run over numbers. The same frames as grouping and sorting the texts
    (`tests/messaging/test_planning_frames`): the 100k bench's 196,705 actions 0.18-0.26 s
    before, 0.11-0.12 s after; 1.97M random actions 6.2 s before, 3.1 s after."""
    templates, template_names = pd.factorize(actions["template"], sort=True)
    channels, channel_names = pd.factorize(actions["channel"], sort=True)
    purpose_names = np.array([gateway.purpose_for(t) for t in template_names], dtype=object)
    collection = purpose_names == "collection"
    # A label per template: "collection" for every collection template, else the template
    # (codes sorted as the labels' texts).
    label_of, label_names = pd.factorize(
        np.where(collection, "collection", np.asarray(template_names, dtype=object)), sort=True
    )
    label_names = np.asarray(label_names, dtype=object)
    labels = label_of[templates]
    debtor_ids = actions["debtor_id"].to_numpy(dtype=np.int64)
    ranks = actions["stage"].map(STAGE_RANK).fillna(-1).astype(int).to_numpy()
    width = len(label_names)
    combined = (debtor_ids * len(channel_names) + channels) * width + labels
    gid = pd.factorize(combined)[0].astype(np.int64)
    actions = actions.assign(
        purpose=purpose_names[templates],
        label=label_names[labels],
        rank=ranks,
        gid=gid,
    )
    # Per group: the highest stage, ties to the smallest template (a stable sort).
    order = np.lexsort((templates, -ranks, gid))
    ordered = gid[order]
    best = order[np.r_[True, ordered[1:] != ordered[:-1]]] if len(order) else order
    groups = actions.iloc[best][["gid", "debtor_id", "creditor_id", "channel", "purpose",
                                 "label", "stage", "template"]].copy()  # fmt: skip
    # creditor of the group's first action (a debtor has one creditor, but read it as before)
    _gids, first_rows = np.unique(gid, return_index=True)
    creditors = actions["creditor_id"].to_numpy()[first_rows]
    groups["creditor_id"] = creditors[groups["gid"].to_numpy()]
    prefix = business_date.isoformat() + ":"
    groups["key"] = (
        prefix + groups["debtor_id"].astype(str) + ":" + groups["channel"] + ":" + groups["label"]
    )
    groups["order"] = groups["channel"].map(CHANNEL_ORDER).fillna(9).astype(int)
    names = list(channel_names)
    if any(a != b and b.startswith(a) for a in names for b in names):
        # A channel's name begins another's: only the keys' texts order them.
        groups = groups.sort_values(["debtor_id", "order", "key"], kind="stable")
    else:
        # Within a debtor and a channel order the key's text orders by channel, then label,
        # as their codes do (sorted as the texts; no channel's name begins another's).
        group_channels, group_labels = channels[best], labels[best]
        groups = groups.iloc[
            np.lexsort(
                (
                    group_labels,
                    group_channels,
                    groups["order"].to_numpy(),
                    groups["debtor_id"].to_numpy(),
                )
            )
        ]
    groups = groups.reset_index(drop=True)
    debts = actions["debt_id"].to_numpy(dtype=np.int64)
    actions["first"] = (
        ~pd.Series(gid * (int(debts.max(initial=0)) + 1) + debts).duplicated().to_numpy()
    )
    return groups, actions


def seq_array(group_seq: pd.Series) -> np.ndarray:
    """`keys_stage`'s gid -> seq as an array indexed by gid (0 where there is no group)."""
    seq_of = np.zeros(int(group_seq.index.max()) + 1 if len(group_seq) else 0, np.int64)
    seq_of[group_seq.index.to_numpy()] = group_seq.to_numpy()
    return seq_of


def in_planning_order(frame: pd.DataFrame, group_seq: pd.Series) -> pd.DataFrame:
    """`frame`'s rows (one per group: `gid`) in the day's planning order, the groups' (debtor,
    channel order, key: `groups_build`; `group_seq` from `keys_stage`). As it is when already
    in that order (merges keep the groups' order): sorting a first cycle's 715,806 messages by
    those columns copied every column again (the step that sorted them: 1.0-1.1 s, 0.7 s
    without)."""
    seq = seq_array(group_seq)[frame["gid"].to_numpy(dtype=np.int64)]
    if (seq[1:] > seq[:-1]).all():
        return frame
    return frame.iloc[np.argsort(seq, kind="stable")]


def keys_stage(groups: pd.DataFrame) -> pd.Series:
    """The groups' keys, debtors and channels in a temp table the next reads join to; returns
    each group's place in planning order (gid -> seq)."""
    frame = groups.assign(seq=np.arange(len(groups)))
    temp_table_load_frame(
        name=GROUP_TABLE,
        columns=[
            ("seq", "bigint"),
            ("gid", "bigint"),
            ("key", "varchar(120)"),
            ("debtor_id", "bigint"),
            ("channel", "varchar(10)"),
        ],  # fmt: skip
        frame=frame,
    )
    return pd.Series(frame["seq"].to_numpy(), index=frame["gid"].to_numpy())


# The date's planned messages among the outbox (`m`): those of its business date (an index
# range, not a scan of the whole outbox) whose key starts as every group key of the date does
# (planning.idempotency_key). The keys have no LIKE index: it cost every planned message.
DAY_MESSAGES_SQL = "m.business_date = %(day)s AND m.idempotency_key LIKE %(prefix)s"


def day_messages_params(business_date) -> dict:
    return {"day": business_date, "prefix": business_date.isoformat() + ":%"}


def existing_keys(business_date) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.key FROM {GROUP_TABLE} g"
            f" JOIN messaging_message m ON m.idempotency_key = g.key"
            f" WHERE {DAY_MESSAGES_SQL}",
            day_messages_params(business_date),
        )
        return {row[0] for row in cursor.fetchall()}


def debtors_load() -> pd.DataFrame:
    return frame_copy(
        f"SELECT d.id, d.country, d.region, d.timezone, d.language"
        f"  FROM portfolio_debtor d"
        f" WHERE d.id IN (SELECT debtor_id FROM {GROUP_TABLE})",
        columns=DEBTOR_COLUMNS,
        dtype={"debtor_id": "int64", **dict.fromkeys(DEBTOR_COLUMNS[1:], object)},
    )


# A debtor's postal address as a letter's `to`: name, street, then postal code and city, each
# line and part left out when empty.
LETTER_TO_SQL = """concat_ws(E'\\n', NULLIF(d.full_name, ''), NULLIF(d.address_line, ''),
    NULLIF(concat_ws(' ', NULLIF(d.postal_code, ''), NULLIF(d.city, '')), ''))"""


def addresses_load() -> pd.DataFrame:
    """(debtor_id, channel) -> to, consented, invalid: a valid point first, then a consented
    one, then the primary (then the lowest id); a channel whose every point is marked invalid
    (a hard bounce) has no address (`to` empty, `invalid` set); a letter goes to the postal
    address unless the debtor has a letter point (built in SQL: no debtor's name or address
    is read into Python). Only the channels the day's groups use are read: a first cycle at
    1M debts read 1,613,307 rows for every channel of every debtor of the day, 690,592 for
    theirs (the query alone 1.7 s → 1.2 s).

    The points are joined to the day's groups, not tested against them (`IN`, a semi-join):
    the planner estimated the distinct (debtor, channel) pairs at under half of them and
    hashed every contact point even on a steady day (1M debts, 32,989 groups: 0.31-0.45 s),
    where the join probes the points' (debtor, channel, value) key (0.21-0.22 s); a first
    cycle still hashes the groups and scans the points once (715,806 groups, 1,279,978
    points: 1.3 s, 1.6 s as a semi-join). A debtor's two groups on one channel repeat its
    points, and DISTINCT ON keeps one row of each pair, the same row."""
    frame = frame_copy(
        f"(SELECT DISTINCT ON (p.debtor_id, p.channel) p.debtor_id, p.channel,"
        f"        CASE WHEN p.invalid_at IS NULL THEN p.value ELSE '' END,"
        f"        CASE WHEN p.consent_granted THEN 1 ELSE 0 END,"
        f"        CASE WHEN p.invalid_at IS NULL THEN 0 ELSE 1 END"
        f"   FROM {GROUP_TABLE} g JOIN portfolio_contactpoint p"
        f"     ON p.debtor_id = g.debtor_id AND p.channel = g.channel"
        f"  ORDER BY p.debtor_id, p.channel, p.invalid_at IS NOT NULL, NOT p.consent_granted,"
        f"           NOT p.is_primary, p.id)"
        f" UNION ALL"
        f" SELECT d.id, 'letter', {LETTER_TO_SQL}, 1, 0"
        f"   FROM portfolio_debtor d"
        f"  WHERE d.id IN (SELECT debtor_id FROM {GROUP_TABLE} WHERE channel = 'letter')"
        f"    AND d.address_line <> ''"
        f"    AND NOT EXISTS (SELECT 1 FROM portfolio_contactpoint p"
        f"                     WHERE p.debtor_id = d.id AND p.channel = 'letter')",
        columns=["debtor_id", "channel", "to", "consented", "invalid"],
        dtype={
            "debtor_id": "int64",
            "channel": object,
            "to": object,
            "consented": "int64",
            "invalid": "int64",
        },  # fmt: skip
    )
    frame["consented"] = frame["consented"].astype(bool)
    frame["invalid"] = frame["invalid"].astype(bool)
    return frame


def groups_held(groups: pd.DataFrame, actions: pd.DataFrame, holds: pd.DataFrame) -> pd.Series:
    """Per row of `groups`: the kinds of the holds covering that group, sorted and comma-joined
    ("" for none): a debtor's hold covers all its groups, a debt's hold the groups whose
    actions name the debt (as `_decide` reads them). The rules read a contact's holds only as
    that set of kinds, so it is part of the class a group is decided with.

    Each group's kinds are a bit mask (a few kinds exist), joined once per distinct mask: at
    1M debts a first cycle's US debts all wait for their validation notice, and joining the
    kinds group by group cost 0.5 s."""
    if holds.empty or groups.empty:
        return pd.Series("", index=groups.index, dtype=object)
    whole = holds[holds["debt_id"] == -1].merge(groups[["gid", "debtor_id"]], on="debtor_id")
    mine = actions.loc[actions["gid"].isin(groups["gid"]), ["gid", "debt_id"]]
    some = holds[holds["debt_id"] != -1].merge(mine, on="debt_id")
    kinds = pd.concat([whole[["gid", "kind"]], some[["gid", "kind"]]], ignore_index=True)
    if kinds.empty:
        return pd.Series("", index=groups.index, dtype=object)
    kinds = kinds.drop_duplicates()
    codes, names = pd.factorize(kinds["kind"], sort=True)
    masks = (
        pd.Series(np.left_shift(1, codes.astype(np.int64)), index=kinds["gid"].to_numpy())
        .groupby(level=0)
        .sum()
    )
    texts = {
        mask: ",".join(name for bit, name in enumerate(names) if mask >> bit & 1)
        for mask in masks.unique().tolist()
    }
    joined = masks.map(texts)
    return pd.Series(
        groups["gid"].map(joined).astype(object).fillna("").to_numpy(dtype=object),
        index=groups.index,
        dtype=object,
    )


def held_kinds(held: str) -> frozenset:
    """The hold kinds of a class's `held` value (see `groups_held`)."""
    return frozenset(held.split(",")) if held else frozenset()


def holds_load() -> pd.DataFrame:
    """(debtor_id, debt_id, kind) of the holds in force (debt_id -1: the debtor's own, covering
    every debt), plus the pseudo hold of each US debt still waiting for its validation notice
    (US-VALIDATION), for the day's debtors."""
    return frame_copy(
        f"SELECT h.debtor_id, COALESCE(h.debt_id, -1), h.kind FROM portfolio_hold h"
        f" WHERE h.closed_at IS NULL AND h.debtor_id IN (SELECT debtor_id FROM {GROUP_TABLE})"
        f" UNION ALL {us_debts.pending_holds_sql(f'SELECT debtor_id FROM {GROUP_TABLE}')}",
        columns=["debtor_id", "debt_id", "kind"],
        dtype={"debtor_id": "int64", "debt_id": "int64", "kind": object},
    )


def holds_by_debtor(holds: pd.DataFrame, debtor_ids) -> dict[int, list[tuple[int | None, str]]]:
    """debtor -> (debt id or None, kind) of each of `holds` of the debtors `debtor_ids`, as the
    engine's one-by-one decisions read them."""
    wanted = holds[holds["debtor_id"].isin(debtor_ids)]
    by_debtor: dict[int, list] = {}
    for debtor_id, debt_id, kind in zip(
        wanted["debtor_id"].tolist(), wanted["debt_id"].tolist(), wanted["kind"].tolist(),
        strict=True,
    ):  # fmt: skip
        by_debtor.setdefault(debtor_id, []).append((None if debt_id == -1 else debt_id, kind))
    return by_debtor


def history_load(*, around: datetime.datetime, statuses) -> dict[int, list]:
    """The debtors' messages within 8 days either side, as the engine's PastContact values
    (what `planning.past_contacts` reads, for every debtor of the day in one query)."""
    low, high = around - datetime.timedelta(days=8), around + datetime.timedelta(days=8)
    history: dict[int, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m.debtor_id, m.channel, m.planned_for, m.sent_at FROM messaging_message m"
            f" WHERE m.debtor_id IN (SELECT debtor_id FROM {GROUP_TABLE})"
            f"   AND m.status = ANY(%s) AND m.planned_for >= %s AND m.planned_for <= %s"
            f" ORDER BY m.debtor_id, m.planned_for DESC, m.id DESC",
            [list(statuses), low, high],
        )
        for debtor_id, channel, planned_for, sent_at in cursor.fetchall():
            history.setdefault(debtor_id, []).append(
                gateway.make_past_contact(
                    debtor_id=debtor_id, channel=channel, at=sent_at or planned_for
                )
            )
    return history


def day_starts(timezones, business_date) -> dict[str, datetime.datetime]:
    """Local midnight of the business date per time zone (as planning has always taken it)."""
    return {
        name: datetime.datetime.combine(business_date, datetime.time.min, tzinfo=ZoneInfo(name))
        for name in timezones
    }


def not_before_of(day_start: datetime.datetime, *, now, business_date) -> datetime.datetime:
    # A date already past in the debtor's time zone is a replay: plan it as that day was.
    replay = now.astimezone(day_start.tzinfo).date() > business_date
    return day_start if replay else max(now, day_start)


CLASS_COLUMNS = ["country", "region", "creditor_id", "channel", "timezone", "stage", "purpose",
                 "consented", "held"]  # fmt: skip


def class_bounds(values, *, business_date, now, rules) -> dict:
    """What planning needs of one class of contact (the values of CLASS_COLUMNS): the contact
    the engine is asked about (debtor 0, at local midnight), the day's lawful slots from
    `not_before` on (microseconds since the epoch), the day's bounds, and whether the rules
    read a history of the day's messages only through their channels."""
    country, region, creditor_id, channel, tz_name, stage, purpose, consented, held = values
    day_start = datetime.datetime.combine(
        business_date, datetime.time.min, tzinfo=ZoneInfo(tz_name)
    )
    not_before = not_before_of(day_start, now=now, business_date=business_date)
    contact = gateway.make_contact(
        debtor_id=0, creditor_id=int(creditor_id), country=country, region=region or "",
        timezone=tz_name, channel=channel, at=day_start, stage=stage, purpose=purpose,
        consented=bool(consented), holds=held_kinds(held), has_active_agreement=False,
        content=None, creditor_name="",
    )  # fmt: skip
    slots = gateway.slots(contact=contact, day=business_date, rules=rules) if zone(tz_name) else []
    slots = [(max(a, not_before), b) for a, b in slots if b >= not_before]
    next_day = business_date + datetime.timedelta(days=1)
    day_end = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=ZoneInfo(tz_name))
    span = gateway.history_span(contact=contact, rules=rules)
    return {
        "contact": contact,
        "slots_us": [(to_us(a), to_us(b)) for a, b in slots],
        "day_start_us": to_us(day_start),
        # the last instant of the local day (as the engine's `wall_instant(day, 86400)`)
        "day_end_us": to_us(day_end.astimezone(datetime.UTC)) - 1,
        "not_before_us": to_us(not_before),
        "history_by_channels": gateway.history_read_as_channels(contact=contact, rules=rules),
        # Earlier days' contacts read only through their shape back this far (see
        # `gateway.history_span`; None: never), and whether the rules refuse every group of
        # the class whatever its history (no consent...).
        "span_us": None if span is None else span // US,
        "refused": gateway.refused_whatever_history(contact=contact, rules=rules),
    }


def class_picks(fractions: np.ndarray, slots_us) -> np.ndarray | None:
    """The minute `spread_moment` picks for each fraction in the class's lawful slots
    (microseconds since the epoch), or None when no lawful minute is left that day."""
    if not slots_us:
        return None
    total = sum((b - a) / 1_000_000 for a, b in slots_us)
    remaining = ((fractions * total).astype(np.int64) // 60 * 60) * 1_000_000
    pick = np.full(len(fractions), slots_us[-1][1], dtype=np.int64)
    done = np.zeros(len(fractions), dtype=bool)
    for a, b in slots_us:
        length = b - a
        here = ~done & (remaining <= length)
        pick[here] = a + remaining[here]
        done |= here
        remaining = np.where(done, remaining, remaining - length)
    return pick


def no_address_columns(frame: pd.DataFrame) -> None:
    """Cancelled: NO-ADDRESS, or ADDRESS-INVALID where the channel's points are all marked
    invalid (column `invalid`)."""
    invalid = frame["invalid"].to_numpy(dtype=bool) if "invalid" in frame else False
    frame["status"] = Message.Status.CANCELLED
    frame["rule"] = np.where(invalid, "ADDRESS-INVALID", "NO-ADDRESS")
    frame["reason"] = np.where(
        invalid,
        "ADDRESS-INVALID: " + _("the address is marked invalid: the provider reported it dead"),
        "NO-ADDRESS: " + _("no contact point for this channel"),
    )
    frame["code"] = np.where(invalid, reasons.ADDRESS_INVALID, reasons.NO_ADDRESS)
    frame["params"] = "{}"


def day_arms() -> pd.DataFrame:
    """The arms of the day's debtors (see messaging.services.arms); no rows, after one cheap
    query, when no experiment runs."""
    if not arms.arms_running():
        return pd.DataFrame(columns=arms.ARM_COLUMNS)
    return arms.arms_load(debtors_sql=f"SELECT debtor_id FROM {GROUP_TABLE}")


def arms_join(todo: pd.DataFrame, day: pd.DataFrame) -> pd.DataFrame:
    """`todo` with each group's arm (`arm_id`) and the template version its arm tests
    (`template_version_id`: only where that version is a text of the group's template, see
    `template_pins`); unchanged when no debtor of the day is in an arm."""
    if day.empty:
        return todo
    todo = todo.merge(
        day[["debtor_id", "creditor_id", "arm_id", "template_version_id"]],
        on=["debtor_id", "creditor_id"],
        how="left",
        validate="many_to_one",
    )
    todo["template_version_id"] = template_pins(todo)
    return todo


def template_pins(todo: pd.DataFrame) -> pd.Series:
    """Per row: the arm's template version where it is a text of the very template the group
    would send (same code and channel, the creditor's own or the default, in the language the
    newest active text would be in), else None (the newest active version, as always)."""
    pins = pd.Series(None, index=todo.index, dtype=object)
    wanted = todo["template_version_id"].notna()
    if not wanted.any():
        return pins
    ids = {int(v) for v in todo.loc[wanted, "template_version_id"]}
    tested = MessageTemplateVersion.objects.select_related("template").in_bulk(ids)
    current = active_versions()
    columns = ["creditor_id", "template", "channel", "language", "template_version_id"]
    for index, (creditor_id, code, channel, language, version_id) in zip(
        todo.index[wanted], todo.loc[wanted, columns].itertuples(index=False), strict=True
    ):
        version = tested.get(int(version_id))
        if version is None:
            continue
        newest = version_resolve(
            current, creditor_id=int(creditor_id), code=code, channel=channel, language=language
        )
        t = version.template
        if (
            t.code == code
            and t.channel == channel
            and t.creditor_id in (int(creditor_id), None)
            and t.language == (newest.template.language if newest else language)
        ):
            pins[index] = version.pk
    return pins


def whatsapp_unready(todo: pd.DataFrame) -> pd.Series:
    """Which groups are WhatsApp messages whose text has no approved provider template.

    Decided once per (creditor, template code, language): the version a message would send
    depends on nothing else, so neither does the answer (but for a version an experiment's
    arm pins, `template_version_id`: that version's own approval)."""
    unready = pd.Series(False, index=todo.index)
    on_whatsapp = todo["channel"] == "whatsapp"
    if not on_whatsapp.any():
        return unready
    if "template_version_id" in todo:
        pinned = on_whatsapp & todo["template_version_id"].notna()
        if pinned.any():
            pins = todo.loc[pinned, "template_version_id"]
            tested = MessageTemplateVersion.objects.filter(pk__in={int(v) for v in pins})
            approved = {version.pk: version.provider_ready for version in tested}
            unready[pinned] = [not approved[int(v)] for v in pins]
            on_whatsapp = on_whatsapp & ~pinned
            if not on_whatsapp.any():
                return unready
    versions = active_versions()
    keys = todo.loc[on_whatsapp, ["creditor_id", "template", "language"]]
    ready = {}
    for creditor_id, template, language in keys.drop_duplicates().itertuples(index=False):
        version = version_resolve(
            versions,
            creditor_id=int(creditor_id),
            code=template,
            channel="whatsapp",
            language=language,
        )
        # No text at all is the sender's to report (NO-TEMPLATE), as on every channel.
        ready[(creditor_id, template, language)] = version is None or version.provider_ready
    unready[on_whatsapp] = [not ready[key] for key in keys.itertuples(index=False, name=None)]
    return unready


def whatsapp_unready_columns(frame: pd.DataFrame) -> None:
    frame["status"] = Message.Status.CANCELLED
    frame["rule"] = whatsapp.TEMPLATE_RULE
    frame["reason"] = f"{whatsapp.TEMPLATE_RULE}: " + reason_text(reasons.WHATSAPP_NO_TEMPLATE)
    frame["code"] = reasons.WHATSAPP_NO_TEMPLATE
    frame["params"] = "{}"


def message_row(group, message) -> dict:
    """The outbox row of a group the engine decided one by one."""
    return {
        "gid": group.gid,
        "status": message.status,
        "planned_us": to_us(message.planned_for),
        "rule": message.suppression_rule,
        "reason": message.suppression_reason,
        "code": message.suppression_code,
        "params": json.dumps(message.suppression_params or {}, default=str),
        "to": message.to,
    }


MESSAGE_COLUMNS = [
    ("seq", "bigint"),
    ("gid", "bigint"),
    ("key", "varchar(120)"),
    ("creditor_id", "bigint"),
    ("debtor_id", "bigint"),
    ("channel", "varchar(10)"),
    ("template", "varchar(60)"),
    ("purpose", "varchar(15)"),
    ("stage", "varchar(20)"),
    ("language", "varchar(2)"),
    ("to_", "varchar(255)"),
    ("planned_for", "timestamptz"),
    ("status", "varchar(10)"),
    ("rule", "varchar(40)"),
    ("reason", "varchar(500)"),
    ("code", "varchar(60)"),
    ("params", "text"),
    ("arm_id", "bigint"),
    ("template_version_id", "bigint"),
]


def int_columns_copy(*, name: str, columns: list[str], arrays) -> None:
    """Create TEMP table `name` of bigint `columns` and fill it from int64 arrays with one
    binary COPY (`core.bulk.int_rows_copy`)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(
            f"CREATE TEMP TABLE {name} ({', '.join(f'{col} bigint' for col in columns)})"
        )
        if int_rows_copy(cursor, name, columns, arrays) > SMALL:
            cursor.execute(f"ANALYZE {name}")


def _arrow(messages: pd.DataFrame, name: str, kind):
    """Column `name` of the planned messages as an Arrow array of `kind` (missing: null)."""
    if name not in messages:
        return pa.nulls(len(messages), kind)
    return pa.array(messages[name], from_pandas=True).cast(kind)


KINDS = {"bigint": pa.int64(), "timestamptz": pa.timestamp("us", tz="UTC")}


def message_arrays(messages: pd.DataFrame) -> dict:
    """The staged columns (MESSAGE_COLUMNS) of the messages, as Arrow arrays."""
    arrays = {
        "seq": pa.array(np.arange(len(messages), dtype=np.int64)),
        "to_": _arrow(messages, "to", pa.string()),
        # Exact instants: whole microseconds since the epoch, written in UTC.
        "planned_for": pa.array(messages["planned_us"].to_numpy(dtype=np.int64)).cast(
            KINDS["timestamptz"]
        ),
    }
    for name, sql_type in MESSAGE_COLUMNS:
        if name not in arrays:
            # An experiment's arm and the version it pins are absent when no debtor of the
            # day is in an arm.
            arrays[name] = _arrow(messages, name, KINDS.get(sql_type, pa.string()))
    return arrays


def messages_stage(messages: pd.DataFrame) -> None:
    """The outbox rows to insert, in a temp table, with one COPY written by Arrow from the
    columns (no Python object per value); not analysed (read once, in order)."""
    temp_table_load_arrow(
        name=MESSAGE_TABLE, columns=MESSAGE_COLUMNS, arrays=message_arrays(messages)
    )


# The outbox's columns written straight from the staged ones (`messages_copy`); the others are
# the day's constants.
OUTBOX_FROM_STAGED = {
    "channel": "channel",
    "template": "template",
    "purpose": "purpose",
    "stage": "stage",
    "language": "language",
    '"to"': "to_",
    "planned_for": "planned_for",
    "status": "status",
    "suppression_rule": "rule",
    "suppression_reason": "reason",
    "suppression_code": "code",
    "suppression_params": "params",
    "idempotency_key": "key",
    "creditor_id": "creditor_id",
    "debtor_id": "debtor_id",
    "experiment_arm_id": "arm_id",
    "template_version_id": "template_version_id",
}
OUTBOX_EMPTY_TEXT = ("subject", "body", "provider_message_id", "last_error")


def messages_copy(cursor, messages: pd.DataFrame, ids, *, business_date, now) -> None:
    """COPY the messages straight into the outbox with the ids `ids` (reserved from its sequence,
    one per row of `messages`): the same rows `outbox_write`'s INSERT ... SELECT writes from
    the staged table, without staging them first or returning their ids."""
    staged = message_arrays(messages)
    columns = {
        "id": pa.array(np.asarray(ids, dtype=np.int64)),
        **{column: staged[name] for column, name in OUTBOX_FROM_STAGED.items()},
    }
    # The day's constants are the columns' defaults for this COPY (the outbox is locked): the
    # two instants and the date parsed per row were 0.6 s of its 3.0 s at 1M debts.
    constants = {
        "created_at": now,
        "updated_at": now,
        "business_date": business_date,
        "attempts": 0,
        **dict.fromkeys(OUTBOX_EMPTY_TEXT, ""),
    }
    with column_defaults(cursor, Message._meta.db_table, constants):
        copy_arrow(cursor, Message._meta.db_table, columns)


def _links_insert(cursor) -> None:
    # Links to the messages inserted just now are new by construction (one per group and
    # debt; nobody else sees those messages yet): a plain INSERT. Links to messages that
    # were there before may exist already: ON CONFLICT DO NOTHING.
    for new, conflict in ((True, ""), (False, "ON CONFLICT DO NOTHING")):
        cursor.execute(
            f"""
            INSERT INTO {LINKS} (message_id, debt_id, contact_action_id)
            SELECT i.id, l.debt_id, l.action_id
              FROM {LINK_TABLE} l
              JOIN {GROUP_TABLE} g ON g.gid = l.gid
              JOIN {ID_TABLE} i ON i.key = g.key
             WHERE i.new = %s
             ORDER BY l.n
            {conflict}
            """,
            [new],
        )


def links_insert(cursor, *, rows: int) -> None:
    """Link the staged actions to their messages (`_links_insert`).

    A new installation's first cycle links millions of actions into the empty links table:
    they go in before its key and indexes (`core.bulk.insert_into_empty`; the table is then
    locked for the rest of the cycle's transaction, a few seconds, once): 1.9M links took
    7.6 s with every index, 4.2 s this way. Links are unique by construction; were one
    repeated, its unique index would fail to build and the links go in the ordinary way."""
    insert_into_empty(cursor, LINKS, rows=rows, insert=lambda _deferred: _links_insert(cursor))


def outbox_write(
    messages: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    group_seq: pd.Series,
    business_date,
    now,
    existing: bool = True,
    step=None,
) -> None:
    """Insert the new messages (in planning order; a key already there is left alone), link
    every group's first action per debt to its message, and mark the other actions done.
    `group_seq`: each group's place in the day's planning order (gid -> seq); `existing`:
    whether some group's message was there before (False: only a conflict, i.e. a message
    inserted meanwhile, sends the planner looking for older messages). `step`: a
    `core.bulk.phase_timer` context manager timing its steps (optional).

    Into the empty outbox (a new installation's first cycle: `core.bulk.insert_into_empty`
    locks it and builds its key, indexes and foreign keys after the rows) every message is new:
    their ids are reserved from the sequence first, the messages copied straight in and the links
    copied from arrays, with no staged table, RETURNING or join (at 1M debts, 715,806 messages
    and 1.9M links: see `docs/scaling.md`). Otherwise the messages are staged and inserted
    with ON CONFLICT, their ids returned and the links joined to them."""
    step = step or (lambda _name: nullcontext())
    first = actions["first"].to_numpy(dtype=bool)
    # The links in the order they are written: the groups' planning order, then the action's
    # (arrays: a frame's mask, map and sort copied its text columns each time).
    gids = actions["gid"].to_numpy(dtype=np.int64)[first]
    action_ids = actions["action_id"].to_numpy(dtype=np.int64)[first]
    debt_ids = actions["debt_id"].to_numpy(dtype=np.int64)[first]
    seq_of = seq_array(group_seq)
    order = np.lexsort((action_ids, seq_of[gids]))
    gids, action_ids, debt_ids = gids[order], action_ids[order], debt_ids[order]
    others = actions["action_id"].to_numpy(dtype=np.int64)[~first]
    with connection.cursor() as cursor:
        inserted = 0
        drawn = None  # the new messages' ids, when they were copied straight in

        def insert(key_deferred: bool) -> None:
            nonlocal inserted, drawn
            if key_deferred:
                # The empty outbox, locked: nothing to conflict with (a repeated key fails the
                # key's build, and this runs again with it).
                drawn = ids_reserve(cursor, Message._meta.db_table, len(messages))
                messages_copy(cursor, messages, drawn, business_date=business_date, now=now)
                inserted = len(messages)
                return
            drawn = None
            messages_stage(messages)  # timed within "insert messages"
            cursor.execute(f"DROP TABLE IF EXISTS {ID_TABLE}")
            cursor.execute(
                f"CREATE TEMP TABLE {ID_TABLE} (key varchar(120), id bigint, new boolean)"
            )
            cursor.execute(
                f"""
                WITH inserted AS (
                    INSERT INTO messaging_message (created_at, updated_at, channel, template,
                        purpose, stage, language, business_date, "to", planned_for, status,
                        suppression_rule, suppression_reason, suppression_code,
                        suppression_params, subject, body, provider_message_id, attempts,
                        last_error, idempotency_key, creditor_id, debtor_id, experiment_arm_id,
                        template_version_id)
                    SELECT %(now)s, %(now)s, t.channel, t.template, t.purpose, t.stage,
                           t.language, %(day)s, t.to_, t.planned_for, t.status, t.rule,
                           t.reason, t.code, t.params::jsonb, '', '', '', 0, '', t.key,
                           t.creditor_id, t.debtor_id, t.arm_id, t.template_version_id
                      FROM {MESSAGE_TABLE} t
                     ORDER BY t.seq
                    ON CONFLICT (idempotency_key) DO NOTHING
                    RETURNING id, idempotency_key
                )
                INSERT INTO {ID_TABLE} (key, id, new)
                SELECT idempotency_key, id, true FROM inserted
                """,
                {"now": now, "day": business_date},
            )
            inserted = cursor.rowcount

        with step("insert messages"):
            # Its foreign keys too (creditor, debtor, template version: checked row by row, the
            # largest part of the insert), each checked in one statement when added back.
            insert_into_empty(
                cursor, Message._meta.db_table, rows=len(messages), insert=insert, foreign_keys=True
            )
        if drawn is not None:
            with step("insert links"):
                # Every message is new, and so is every link (one per group and debt).
                message_of = np.full(len(seq_of), -1, dtype=np.int64)
                message_of[messages["gid"].to_numpy(dtype=np.int64)] = drawn
                named = message_of[gids]
                kept = named >= 0
                links = [named[kept], debt_ids[kept], action_ids[kept]]

                def links_copy(deferred: bool) -> None:
                    columns, arrays = ["message_id", "debt_id", "contact_action_id"], links
                    if deferred:
                        # Locked and empty: their ids reserved in one block too (a `nextval`
                        # a row: 1.9M links copied in 0.94-0.96 s, 0.77-0.79 s this way).
                        columns = ["id", *columns]
                        arrays = [ids_reserve(cursor, LINKS, len(links[0])), *links]
                    int_rows_copy(cursor, LINKS, columns, arrays)

                insert_into_empty(cursor, LINKS, rows=len(links[0]), insert=links_copy)
        else:
            with step("insert messages"):
                # Groups whose message already existed (a rerun, or actions added later; or a
                # key another run inserted meanwhile: a conflict above): their actions join
                # that message.
                if existing or inserted < len(messages):
                    cursor.execute(
                        f"""
                        INSERT INTO {ID_TABLE} (key, id, new)
                        SELECT m.idempotency_key, m.id, false
                          FROM {GROUP_TABLE} g
                          JOIN messaging_message m ON m.idempotency_key = g.key
                         WHERE {DAY_MESSAGES_SQL}
                           AND NOT EXISTS (SELECT 1 FROM {ID_TABLE} i WHERE i.key = g.key)
                        """,
                        day_messages_params(business_date),
                    )
                if len(messages) > SMALL:
                    cursor.execute(f"ANALYZE {ID_TABLE}")
            with step("stage links"):
                int_columns_copy(
                    name=LINK_TABLE,
                    columns=["n", "gid", "action_id", "debt_id"],
                    arrays=[np.arange(len(gids)), gids, action_ids, debt_ids],
                )
            with step("insert links"):
                links_insert(cursor, rows=len(gids))
        # Actions beyond the first per debt (same debt, same channel) are covered too.
        if len(others):
            with step("other actions done"):
                cursor.execute(
                    "UPDATE messaging_contactaction SET status = %s WHERE id = ANY(%s)",
                    [ContactAction.Status.DONE, np.sort(others).tolist()],
                )
        for table in (MESSAGE_TABLE, LINK_TABLE, ID_TABLE, GROUP_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
