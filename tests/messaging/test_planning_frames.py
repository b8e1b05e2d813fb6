"""The frame helpers of set-based planning, on hand-made frames (no database)."""

import datetime
import random

import numpy as np
import pandas as pd
import pytest

from messaging.services import planning, planning_sets


def _holds(rows):
    return pd.DataFrame(rows, columns=["debtor_id", "debt_id", "kind"]).astype(
        {"debtor_id": "int64", "debt_id": "int64", "kind": object}
    )


def test_each_group_gets_the_sorted_kinds_of_the_holds_covering_it():
    groups = pd.DataFrame({"gid": [10, 11, 12, 13], "debtor_id": [1, 1, 2, 3]}, index=[5, 6, 7, 8])
    actions = pd.DataFrame({"gid": [10, 10, 11, 12, 13], "debt_id": [100, 101, 102, 200, 300]})
    holds = _holds(
        [
            (1, -1, "dispute"),  # the debtor's own: both its groups
            (1, 101, "bankruptcy"),  # a debt of group 10 only
            (1, 101, "dispute"),  # the same kind again: once
            (2, 200, "us_validation_pending"),
            (2, 200, "cease_contact"),
            (9, -1, "deceased"),  # a debtor of no group
        ]
    )
    held = planning_sets.groups_held(groups, actions, holds)
    assert held.to_dict() == {
        5: "bankruptcy,dispute",
        6: "dispute",
        7: "cease_contact,us_validation_pending",
        8: "",
    }
    assert held.dtype == object


def test_no_holds_leave_every_group_unheld():
    groups = pd.DataFrame({"gid": [1, 2], "debtor_id": [1, 2]})
    actions = pd.DataFrame({"gid": [1, 2], "debt_id": [7, 8]})
    assert planning_sets.groups_held(groups, actions, _holds([])).tolist() == ["", ""]
    unrelated = _holds([(3, 9, "dispute")])
    assert planning_sets.groups_held(groups, actions, unrelated).tolist() == ["", ""]


def test_the_one_by_one_path_reads_the_holds_of_its_debtors_only():
    holds = _holds([(1, -1, "dispute"), (1, 5, "deceased"), (2, 6, "dispute"), (3, -1, "x")])
    assert planning_sets.holds_by_debtor(holds, [1, 2]) == {
        1: [(None, "dispute"), (5, "deceased")],
        2: [(6, "dispute")],
    }
    assert planning_sets.holds_by_debtor(holds, []) == {}


def test_split_groups_rows_by_code_keeping_their_order():
    rows = np.array([4, 7, 9, 12, 15])
    codes = np.array([2, 0, 2, 1, 0])
    split = planning._split(rows, codes)
    assert [(code, some.tolist()) for code, some in split] == [
        (0, [7, 15]),
        (1, [12]),
        (2, [4, 9]),
    ]
    assert planning._split(np.array([], dtype=np.int64), np.array([], dtype=np.int64)) == []


def _groups_build_reference(actions, *, business_date):
    """The grouping as plain pandas over the texts (what `groups_build` computed before it read
    them as integer codes): the reference its frames must equal."""
    purposes = {t: planning_sets.gateway.purpose_for(t) for t in actions["template"].unique()}
    purpose = actions["template"].map(purposes)
    actions = actions.assign(
        purpose=purpose,
        label=np.where(purpose == "collection", "collection", actions["template"]),
        rank=actions["stage"].map(planning_sets.STAGE_RANK).fillna(-1).astype(int),
    )
    actions["gid"] = actions.groupby(["debtor_id", "channel", "label"], sort=False).ngroup()
    best = actions.sort_values(
        ["gid", "rank", "template"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("gid")
    columns = ["gid", "debtor_id", "creditor_id", "channel", "purpose", "label", "stage"]
    groups = best[[*columns, "template"]].copy()
    first = actions.drop_duplicates("gid").set_index("gid")
    groups["creditor_id"] = groups["gid"].map(first["creditor_id"])
    prefix = business_date.isoformat() + ":"
    groups["key"] = (
        prefix + groups["debtor_id"].astype(str) + ":" + groups["channel"] + ":" + groups["label"]
    )
    groups["order"] = groups["channel"].map(planning_sets.CHANNEL_ORDER).fillna(9).astype(int)
    groups = groups.sort_values(["debtor_id", "order", "key"], kind="stable").reset_index(drop=True)
    actions["first"] = ~actions.duplicated(["gid", "debt_id"], keep="first")
    return groups, actions


TEMPLATES = [
    "friendly", "firm", "pre_legal_notice", "bureau_notice", "validation_notice",
    "payment_thanks", "agreement_confirmed", "instalment_due", "missed_instalment", "collection",
]  # fmt: skip
STAGES = ["current", "friendly_reminder", "firm_notice", "pre_legal", "legal", "paid"]


@pytest.mark.parametrize(
    ("seed", "channels"),
    [
        (1, ["email", "sms", "letter", "whatsapp", "voice"]),
        (2, ["email", "sms"]),
        (3, ["email", "sms", "smsx", "letter"]),  # a channel's name begins another's
        (4, ["voice"]),
    ],
)
def test_grouping_by_codes_equals_grouping_by_texts(seed, channels):
    rng = random.Random(seed)
    rows = []
    for action_id in range(1, 3001):
        debtor_id = rng.randint(1, 400)
        rows.append(
            {
                "action_id": action_id,
                "debt_id": debtor_id * 10 + rng.randint(0, 3),
                "stage": rng.choice(STAGES),
                "channel": rng.choice(channels),
                "template": rng.choice(TEMPLATES),
                "debtor_id": debtor_id,
                "creditor_id": rng.choice([debtor_id % 3 + 1, 7]),
            }
        )
    rows.sort(key=lambda row: (row["debtor_id"], row["action_id"]))  # as actions_load orders
    actions = pd.DataFrame(rows, columns=planning_sets.ACTION_COLUMNS)
    day = datetime.date(2026, 6, 1)
    groups, grouped = planning_sets.groups_build(actions, business_date=day)
    want_groups, want_grouped = _groups_build_reference(actions, business_date=day)
    assert len(groups) > 100
    assert groups.astype(object).equals(want_groups.astype(object))
    columns = [*planning_sets.ACTION_COLUMNS, "purpose", "label", "rank", "gid", "first"]
    assert grouped[columns].astype(object).equals(want_grouped[columns].astype(object))


def test_grouping_no_actions_gives_no_groups():
    actions = pd.DataFrame(
        {name: pd.Series(dtype=object) for name in planning_sets.ACTION_COLUMNS}
    ).astype({"action_id": "int64", "debt_id": "int64", "debtor_id": "int64",
              "creditor_id": "int64"})  # fmt: skip
    groups, grouped = planning_sets.groups_build(actions, business_date=datetime.date(2026, 6, 1))
    assert groups.empty and grouped.empty


@pytest.mark.parametrize("seed", [1, 2])
def test_rows_come_in_the_groups_planning_order_and_a_frame_in_it_is_kept(seed):
    rng = random.Random(seed)
    rows = [
        {
            "action_id": action_id,
            "debt_id": action_id,
            "stage": rng.choice(STAGES),
            "channel": rng.choice(["email", "sms", "letter", "whatsapp"]),
            "template": rng.choice(TEMPLATES),
            "debtor_id": rng.randint(1, 300),
            "creditor_id": 1,
        }
        for action_id in range(1, 1501)
    ]
    rows.sort(key=lambda row: (row["debtor_id"], row["action_id"]))
    groups, _actions = planning_sets.groups_build(
        pd.DataFrame(rows, columns=planning_sets.ACTION_COLUMNS),
        business_date=datetime.date(2026, 6, 1),
    )
    group_seq = pd.Series(np.arange(len(groups)), index=groups["gid"].to_numpy())
    # one row per group, some groups left out (their messages were there before), shuffled
    frame = groups.sample(frac=0.8, random_state=seed).assign(status="planned")
    frame["gid"] = frame["gid"].astype(object)  # as a merge with the outcome leaves it
    ordered = planning_sets.in_planning_order(frame, group_seq)
    # the order the planner sorted the messages in before: debtor, channel order, key
    expected = frame.sort_values(["debtor_id", "order", "key"], kind="stable")
    assert ordered.index.tolist() == expected.index.tolist()
    assert ordered.index.tolist() != frame.index.tolist()
    # a frame already in that order comes back as it is, not copied
    assert planning_sets.in_planning_order(ordered, group_seq) is ordered
    assert planning_sets.in_planning_order(frame.iloc[:0], group_seq).empty
