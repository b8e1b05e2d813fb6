"""A stand-in for the compliance engine, used only while feat/compliance is not merged.

It implements the CONTRACTS.md interface with a single plain window (08:00-18:00 local, every
day), consent and holds, so messaging's own behaviour (grouping, idempotency, dispatch) can be
tested. It is never importable by the application: tests install it in sys.modules.
"""

import datetime
import types
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Contact:
    debtor_id: int
    creditor_id: int
    country: str
    region: str
    timezone: str
    channel: str
    at: datetime.datetime
    stage: str
    purpose: str
    consented: bool
    holds: frozenset
    has_active_agreement: bool = False
    content: str | None = None


@dataclass(frozen=True)
class PastContact:
    debtor_id: int
    channel: str
    at: datetime.datetime
    kind: str = "message"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str | None = None
    reason: str = ""


def lawful_slots(*, contact, day, rules=None):
    zone = ZoneInfo(contact.timezone)
    start = datetime.datetime.combine(day, datetime.time(8), tzinfo=zone)
    return [(start, start.replace(hour=18))]


def compliance_check(*, contact, history, rules=None):
    if not contact.consented:
        return Decision(False, "TEST-CHANNEL", "no consent")
    if contact.holds:
        return Decision(False, "TEST-HOLD", "hold")
    local = contact.at.astimezone(ZoneInfo(contact.timezone))
    if not 8 <= local.hour < 18:
        return Decision(False, "TEST-WINDOW", "outside 08-18")
    return Decision(True)


def first_lawful_moment(*, contact, history, rules=None, not_before, horizon_days=7):
    if not contact.consented or contact.holds:
        return None
    zone = ZoneInfo(contact.timezone)
    local = not_before.astimezone(zone)
    for offset in range(horizon_days + 1):
        day = local.date() + datetime.timedelta(days=offset)
        for start, end in lawful_slots(contact=contact, day=day):
            moment = max(start, local)
            if moment < end:
                return moment
    return None


def module() -> types.ModuleType:
    fake = types.ModuleType("messaging.compliance")
    for name in ("Contact", "PastContact", "Decision", "lawful_slots", "compliance_check",
                 "first_lawful_moment"):  # fmt: skip
        setattr(fake, name, globals()[name])
    return fake
