"""The one place messaging talks to the compliance engine (built on feat/compliance).

Planning and sending both ask the engine; messaging holds no contact rule of its own. The
import is deliberately not guarded: without the engine, planning and sending fail loudly
rather than contact anyone unchecked.
"""

import datetime
from collections.abc import Sequence

PURPOSE_AGREEMENT_PREFIXES = ("agreement_", "instalment_", "missed_instalment")


def purpose_for(template_code: str) -> str:
    """The purpose of a message by its template code (CONTRACTS.md)."""
    if template_code.startswith(PURPOSE_AGREEMENT_PREFIXES):
        return "agreement"
    if template_code == "payment_thanks":
        return "transactional"
    return "collection"


def engine():
    from messaging import compliance  # feat/compliance; ImportError until it is merged

    return compliance


def make_contact(**fields):
    return engine().Contact(**fields)


def make_past_contact(**fields):
    return engine().PastContact(**fields)


def check(*, contact, history: Sequence):
    return engine().compliance_check(contact=contact, history=history)


def first_moment(*, contact, history: Sequence, not_before: datetime.datetime, horizon_days=7):
    return engine().first_lawful_moment(
        contact=contact, history=history, not_before=not_before, horizon_days=horizon_days
    )


def slots(*, contact, day: datetime.date):
    return engine().lawful_slots(contact=contact, day=day)
