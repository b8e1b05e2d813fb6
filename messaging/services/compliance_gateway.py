"""The one place messaging talks to the compliance engine (messaging.services.compliance).

Planning and sending both ask the engine; messaging holds no contact rule of its own. The
import is deliberately not guarded: without the engine nothing is planned or sent unchecked.
"""

import datetime
from collections.abc import Sequence

from messaging.services import compliance


def purpose_for(template_code: str) -> str:
    """The purpose of a message by its template code (the engine owns the CONTRACTS mapping)."""
    return compliance.purpose_for_template(template_code)


def rules_cache(creditor_ids=None):
    """Rule sets for many creditors loaded with one query (one per planning run or batch)."""
    return compliance.ruleset_cache(creditor_ids=creditor_ids)


def make_contact(**fields) -> compliance.Contact:
    return compliance.Contact(**fields)


def make_past_contact(**fields) -> compliance.PastContact:
    return compliance.PastContact(**fields)


def check(*, contact, history: Sequence, rules=None) -> compliance.Decision:
    return compliance.compliance_check(contact=contact, history=history, rules=rules)


def first_moment(*, contact, history: Sequence, not_before: datetime.datetime, rules=None,
                 horizon_days=7):  # fmt: skip
    return compliance.first_lawful_moment(
        contact=contact,
        history=history,
        rules=rules,
        not_before=not_before,
        horizon_days=horizon_days,
    )


def spread(*, contact, day: datetime.date, key: str, history: Sequence, rules=None,
           not_before=None, preferred=None):  # fmt: skip
    """A lawful moment of `day` spread over its window by a stable hash of `key`, or None."""
    return compliance.spread_moment(
        contact=contact,
        day=day,
        key=key,
        history=history,
        rules=rules,
        not_before=not_before,
        preferred=preferred,
    )


def slots(*, contact, day: datetime.date, rules=None):
    return compliance.lawful_slots(contact=contact, day=day, rules=rules)
