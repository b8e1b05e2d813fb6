"""Coded reasons: what is stored of a reason is what JSON reads back."""

import datetime
import json
from decimal import Decimal

from core.reasons import Reason, reason_split


def test_a_reason_is_stored_as_its_code_and_params_as_json_reads_them_back():
    plain = {"rule": "CO-DAY", "count": 2, "share": 0.5, "held": True, "until": None}
    code, params, text = reason_split(Reason("test.code", plain))
    assert (code, params, text) == ("test.code", plain, "")
    assert params is not plain  # a copy: the reason's own dict is never handed out

    mixed = {"amount": Decimal("12.50"), "on": datetime.date(2026, 12, 7), "days": [1, 2]}
    _code, stored, _text = reason_split(Reason("test.code", mixed))
    assert stored == {"amount": "12.50", "on": "2026-12-07", "days": [1, 2]}
    assert stored == json.loads(json.dumps(stored))


def test_free_text_is_kept_as_text():
    assert reason_split("typed by a collector") == ("", {}, "typed by a collector")
    assert reason_split(None) == ("", {}, "")
