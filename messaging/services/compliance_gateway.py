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


def check(*, contact, history: Sequence, rules=None, memo=None) -> compliance.Decision:
    """The engine's decision; `memo` (one planning run's dict) shares it between debtors whose
    contact and own history are alike (see `moment_search`)."""
    if memo is None:
        return compliance.compliance_check(contact=contact, history=history, rules=rules)
    mine = [p for p in history if p.debtor_id == contact.debtor_id]
    key = ("check", rules, compliance.contact_key(contact), contact.at,
           compliance.history_key(mine))  # fmt: skip
    found = memo.get(key)
    if found is None:
        found = memo[key] = compliance.compliance_check(contact=contact, history=mine, rules=rules)
    return found


def moment_search(*, contact, history: Sequence, not_before: datetime.datetime, rules=None,
                  horizon_days=7, memo=None):  # fmt: skip
    """(first lawful moment, None), or (None, the refusal that ended the search, or None);
    `memo` (one planning run's dict) shares the search between debtors alike in their contact
    and own history."""
    return compliance.lawful_moment_search(
        contact=contact,
        history=history,
        rules=rules,
        not_before=not_before,
        horizon_days=horizon_days,
        memo=memo,
    )


def spread(*, contact, day: datetime.date, key: str, history: Sequence, rules=None,
           not_before=None, preferred=None, memo=None):  # fmt: skip
    """A lawful moment of `day` spread over its window by a stable hash of `key`, or None."""
    return compliance.spread_moment(
        contact=contact,
        day=day,
        key=key,
        history=history,
        rules=rules,
        not_before=not_before,
        preferred=preferred,
        memo=memo,
    )


def spread_fraction(key: str) -> float:
    """Where `spread` puts `key` within the day's lawful slots (0 <= f < 1)."""
    return compliance.spread_fraction(key)


def decide_at(*, contact, history: Sequence, at: datetime.datetime, rules=None):
    """The engine's decision for `contact` at instant `at`, as `spread` checks its pick."""
    return compliance.decision_at(contact=contact, history=history, at=at, rules=rules)


def slots(*, contact, day: datetime.date, rules=None):
    return compliance.lawful_slots(contact=contact, day=day, rules=rules)


def history_read_as_channels(*, contact, rules=None, horizon_days=7) -> bool:
    """Whether the rules read a history of the contact's day's messages (all later than the
    search's start) only through their channels (see the engine's function)."""
    return compliance.history_read_as_channels(
        contact=contact, rules=rules, horizon_days=horizon_days
    )


def refused_whatever_history(*, contact, rules=None) -> bool:
    """Whether the rules refuse the contact at every instant whatever its debtor's history
    (see the engine's function)."""
    return compliance.refused_whatever_history(contact=contact, rules=rules)


def history_span(*, contact, rules=None):
    """How far back a debtor's earlier contacts are read only through their channels, kinds
    and local dates on the contact's day, or None (see the engine's function)."""
    return compliance.history_span(contact=contact, rules=rules)
