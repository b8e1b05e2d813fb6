"""The frame helpers of set-based planning, on hand-made frames (no database)."""

import numpy as np
import pandas as pd

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
