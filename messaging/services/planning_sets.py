"""Message planning on whole sets: the day's actions grouped in pandas, lawful minutes computed
per class of contact, and the outbox written with COPY and INSERT ... SELECT.

`messaging.services.planning.messages_plan` is the entry point; this module holds its set-based
steps. The compliance engine still decides every contact, but not one by one where it need not:
  * a group with no address is cancelled (NO-ADDRESS), whatever the rules say;
  * the first contact of the day for a debtor with no holds, no preferred hours and no
    contact in the 8 days around it, on a consented channel, is decided per *class*
    (rule set, channel, time zone, stage, purpose): the class's lawful slots of the day are
    computed once, each group's minute is the same stable hash `spread_moment` uses, and the
    engine checks each distinct (class, minute) once, with the same (empty) history;
  * every other group (holds, preferences, earlier contacts, a second channel the same day)
    goes through the engine one by one, in the order the debtor's groups are planned, exactly
    as before.
"""

import datetime
import json
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.db import connection
from django.utils.translation import gettext as _

from core.bulk import frame_copy, temp_table_load_frame
from messaging import reasons
from messaging.models import ContactAction, Message
from messaging.services import compliance_gateway as gateway
from messaging.services.compliance.timeutil import zone

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
US = datetime.timedelta(microseconds=1)
# Which channel of a debtor is considered first on a day (the engine may allow only one).
CHANNEL_ORDER = {"email": 0, "letter": 1, "sms": 2, "whatsapp": 3, "voice": 4}
STAGE_RANK = {"current": 0, "friendly_reminder": 1, "firm_notice": 2, "pre_legal": 3, "legal": 4}
ACTION_COLUMNS = ["action_id", "debt_id", "stage", "channel", "template", "debtor_id",
                  "creditor_id"]  # fmt: skip
DEBTOR_COLUMNS = ["debtor_id", "country", "region", "timezone", "language", "full_name",
                  "address_line", "city", "postal_code"]  # fmt: skip
GROUP_TABLE = "plan_groups"
MESSAGE_TABLE = "plan_messages"
LINK_TABLE = "plan_links"
ID_TABLE = "plan_ids"


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
    sql += " ORDER BY d.debtor_id, a.id"
    return frame_copy(
        sql,
        params,
        columns=ACTION_COLUMNS,
        dtype={
            "action_id": "int64",
            "debt_id": "int64",
            "debtor_id": "int64",
            "creditor_id": "int64",
            "stage": object,
            "channel": object,
            "template": object,
        },  # fmt: skip
    )


def groups_build(actions: pd.DataFrame, *, business_date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(groups, actions): one group per debtor × channel × purpose, in planning order (debtor,
    channel order, key), taking the highest stage (ties: the smallest template code); each
    action gets its group's number `gid` and whether it is the first of its debt in the group
    (the one a message-debt link names; the others are marked done)."""
    purposes = {t: gateway.purpose_for(t) for t in actions["template"].unique()}
    purpose = actions["template"].map(purposes)
    actions = actions.assign(
        purpose=purpose,
        label=np.where(purpose == "collection", "collection", actions["template"]),
        rank=actions["stage"].map(STAGE_RANK).fillna(-1).astype(int),
    )
    actions["gid"] = actions.groupby(["debtor_id", "channel", "label"], sort=False).ngroup()
    best = actions.sort_values(["gid", "rank", "template"], ascending=[True, False, True],
                               kind="stable").drop_duplicates("gid")  # fmt: skip
    groups = best[["gid", "debtor_id", "creditor_id", "channel", "purpose", "label", "stage",
                   "template"]].copy()  # fmt: skip
    # creditor of the group's first action (a debtor has one creditor, but read it as before)
    first = actions.drop_duplicates("gid").set_index("gid")
    groups["creditor_id"] = groups["gid"].map(first["creditor_id"])
    prefix = business_date.isoformat() + ":"
    groups["key"] = (
        prefix + groups["debtor_id"].astype(str) + ":" + groups["channel"] + ":" + groups["label"]
    )
    groups["order"] = groups["channel"].map(CHANNEL_ORDER).fillna(9).astype(int)
    groups = groups.sort_values(["debtor_id", "order", "key"], kind="stable").reset_index(drop=True)
    actions["first"] = ~actions.duplicated(["gid", "debt_id"], keep="first")
    return groups, actions


def keys_stage(groups: pd.DataFrame) -> None:
    """The groups' keys and debtors in a temp table the next reads join to."""
    frame = groups.assign(seq=np.arange(len(groups)))
    temp_table_load_frame(
        name=GROUP_TABLE,
        columns=[
            ("seq", "bigint"),
            ("gid", "bigint"),
            ("key", "varchar(120)"),
            ("debtor_id", "bigint"),
        ],  # fmt: skip
        frame=frame,
    )


def existing_keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.key FROM {GROUP_TABLE} g"
            f" JOIN messaging_message m ON m.idempotency_key = g.key"
        )
        return {row[0] for row in cursor.fetchall()}


def debtors_load() -> pd.DataFrame:
    return frame_copy(
        f"SELECT d.id, d.country, d.region, d.timezone, d.language, d.full_name,"
        f"       d.address_line, d.city, d.postal_code"
        f"  FROM portfolio_debtor d"
        f" WHERE d.id IN (SELECT debtor_id FROM {GROUP_TABLE})",
        columns=DEBTOR_COLUMNS,
        dtype={"debtor_id": "int64", **dict.fromkeys(DEBTOR_COLUMNS[1:], object)},
    )


def addresses_load(debtors: pd.DataFrame) -> pd.DataFrame:
    """(debtor_id, channel) -> to, consented: a consented primary point first (then the lowest
    id); a letter goes to the postal address unless the debtor has a letter point."""
    points = frame_copy(
        f"SELECT DISTINCT ON (p.debtor_id, p.channel) p.debtor_id, p.channel, p.value,"
        f"       CASE WHEN p.consent_granted THEN 1 ELSE 0 END"
        f"  FROM portfolio_contactpoint p"
        f" WHERE p.debtor_id IN (SELECT debtor_id FROM {GROUP_TABLE})"
        f" ORDER BY p.debtor_id, p.channel, NOT p.consent_granted, NOT p.is_primary, p.id",
        columns=["debtor_id", "channel", "to", "consented"],
        dtype={"debtor_id": "int64", "channel": object, "to": object, "consented": "int64"},
    )
    points["consented"] = points["consented"].astype(bool)
    has_letter = set(points.loc[points["channel"] == "letter", "debtor_id"])
    post = debtors[(debtors["address_line"] != "") & ~debtors["debtor_id"].isin(has_letter)]
    if len(post):
        city_line = [
            " ".join(p for p in (postal, city) if p)
            for postal, city in zip(post["postal_code"], post["city"], strict=True)
        ]
        lines = [
            "\n".join(x for x in (name, address, city) if x)
            for name, address, city in zip(
                post["full_name"], post["address_line"], city_line, strict=True
            )
        ]
        letters = pd.DataFrame(
            {
                "debtor_id": post["debtor_id"].to_numpy(),
                "channel": "letter",
                "to": lines,
                "consented": True,
            }  # fmt: skip
        )
        points = pd.concat([points, letters], ignore_index=True)
    return points


def holds_load() -> dict[int, list[tuple[int | None, str]]]:
    holds: dict[int, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.debtor_id, h.debt_id, h.kind FROM portfolio_hold h"
            f" WHERE h.closed_at IS NULL AND h.debtor_id IN (SELECT debtor_id FROM {GROUP_TABLE})"
        )
        for debtor_id, debt_id, kind in cursor.fetchall():
            holds.setdefault(debtor_id, []).append((debt_id, kind))
    return holds


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


def spread_by_class(fast: pd.DataFrame, *, business_date, now, rules) -> pd.DataFrame:
    """Decide the first contacts of the day with no history, holds or preferences, per class.

    Returns `fast` with `status` ('planned' or '' for "ask the engine one by one") and
    `planned_us` (the instant, microseconds since the epoch), `decision` for suppressions.
    """
    fast = fast.copy()
    fast["status"] = ""
    fast["planned_us"] = np.int64(0)
    fast["rule"] = ""
    fast["reason"] = ""
    fast["code"] = ""
    fast["params"] = "{}"
    if fast.empty:
        return fast
    class_columns = ["country", "region", "creditor_id", "channel", "timezone", "stage", "purpose"]
    fast["fraction"] = [gateway.spread_fraction(k) for k in fast["key"]]
    for values, index in fast.groupby(class_columns, sort=False).groups.items():
        country, region, creditor_id, channel, tz_name, stage, purpose = values
        tz = zone(tz_name)
        day_start = datetime.datetime.combine(
            business_date, datetime.time.min, tzinfo=ZoneInfo(tz_name)
        )
        not_before = not_before_of(day_start, now=now, business_date=business_date)
        contact = gateway.make_contact(
            debtor_id=0, creditor_id=int(creditor_id), country=country, region=region,
            timezone=tz_name, channel=channel, at=day_start, stage=stage, purpose=purpose,
            consented=True, holds=frozenset(), has_active_agreement=False, content=None,
            creditor_name="",
        )  # fmt: skip
        slots = gateway.slots(contact=contact, day=business_date, rules=rules) if tz else []
        slots = [(max(a, not_before), b) for a, b in slots if b >= not_before]
        if not slots:
            # No lawful minute left today for anyone of the class: `spread` gives None and
            # the engine's first moment of the week (or its refusal) is the same for all,
            # their history being empty. Left to the one-by-one path (rare: rest days).
            continue
        total = sum((b - a).total_seconds() for a, b in slots)
        fractions = fast.loc[index, "fraction"].to_numpy()
        remaining = ((fractions * total).astype(np.int64) // 60 * 60) * 1_000_000
        pick = np.full(len(index), to_us(slots[-1][1]), dtype=np.int64)
        done = np.zeros(len(index), dtype=bool)
        for a, b in slots:
            length = to_us(b) - to_us(a)
            here = ~done & (remaining <= length)
            pick[here] = to_us(a) + remaining[here]
            done |= here
            remaining = np.where(done, remaining, remaining - length)
        # The engine checks each distinct minute once (history empty: the same verdict for
        # every debtor of the class at that minute).
        allowed = {}
        for moment in np.unique(pick):
            decision = gateway.decide_at(
                contact=contact, history=(), at=from_us(moment), rules=rules
            )
            allowed[moment] = bool(decision is not None and decision.allowed)
        ok = np.array([allowed[m] for m in pick], dtype=bool)
        fast.loc[index, "planned_us"] = pick
        fast.loc[index, "status"] = np.where(ok, Message.Status.PLANNED, "")
    return fast


def no_address_columns(frame: pd.DataFrame) -> None:
    frame["status"] = Message.Status.CANCELLED
    frame["rule"] = "NO-ADDRESS"
    frame["reason"] = "NO-ADDRESS: " + _("no contact point for this channel")
    frame["code"] = reasons.NO_ADDRESS
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
]


def outbox_write(messages: pd.DataFrame, actions: pd.DataFrame, *, business_date, now) -> None:
    """Insert the new messages (in planning order; a key already there is left alone), link
    every group's first action per debt to its message, and mark the other actions done."""
    messages = messages.assign(
        seq=np.arange(len(messages)),
        planned_for=pd.to_datetime(messages["planned_us"].astype("int64"), unit="us", utc=True),
        to_=messages["to"],
    )
    temp_table_load_frame(name=MESSAGE_TABLE, columns=MESSAGE_COLUMNS, frame=messages)
    temp_table_load_frame(
        name=LINK_TABLE,
        columns=[
            ("gid", "bigint"),
            ("action_id", "bigint"),
            ("debt_id", "bigint"),
            ("first", "boolean"),
        ],  # fmt: skip
        frame=actions,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ID_TABLE}")
        cursor.execute(f"CREATE TEMP TABLE {ID_TABLE} (key varchar(120), id bigint)")
        cursor.execute(
            f"""
            WITH inserted AS (
                INSERT INTO messaging_message (created_at, updated_at, channel, template,
                    purpose, stage, language, business_date, "to", planned_for, status,
                    suppression_rule, suppression_reason, suppression_code,
                    suppression_params, subject, body, provider_message_id, attempts,
                    last_error, idempotency_key, creditor_id, debtor_id)
                SELECT %(now)s, %(now)s, t.channel, t.template, t.purpose, t.stage, t.language,
                       %(day)s, t.to_, t.planned_for, t.status, t.rule, t.reason, t.code,
                       t.params::jsonb, '', '', '', 0, '', t.key, t.creditor_id, t.debtor_id
                  FROM {MESSAGE_TABLE} t
                 ORDER BY t.seq
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING id, idempotency_key
            )
            INSERT INTO {ID_TABLE} (key, id) SELECT idempotency_key, id FROM inserted
            """,
            {"now": now, "day": business_date},
        )
        # Groups whose message already existed (a rerun, or actions added later): their
        # actions join that message.
        cursor.execute(
            f"""
            INSERT INTO {ID_TABLE} (key, id)
            SELECT m.idempotency_key, m.id
              FROM {GROUP_TABLE} g JOIN messaging_message m ON m.idempotency_key = g.key
             WHERE NOT EXISTS (SELECT 1 FROM {ID_TABLE} i WHERE i.key = g.key)
            """
        )
        cursor.execute(f"ANALYZE {ID_TABLE}")
        cursor.execute(
            f"""
            INSERT INTO messaging_messagedebt (message_id, debt_id, contact_action_id)
            SELECT i.id, l.debt_id, l.action_id
              FROM {LINK_TABLE} l
              JOIN {GROUP_TABLE} g ON g.gid = l.gid
              JOIN {ID_TABLE} i ON i.key = g.key
             WHERE l.first
             ORDER BY g.seq, l.action_id
            ON CONFLICT DO NOTHING
            """
        )
        # Actions beyond the first per debt (same debt, same channel) are covered too.
        cursor.execute(
            f"""
            UPDATE messaging_contactaction a SET status = %s
              FROM {LINK_TABLE} l WHERE a.id = l.action_id AND NOT l.first
            """,
            [ContactAction.Status.DONE],
        )
        for table in (MESSAGE_TABLE, LINK_TABLE, ID_TABLE, GROUP_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
