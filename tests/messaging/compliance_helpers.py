"""Builders for compliance tests: a Contact with sensible defaults, local times, history."""

import datetime
from dataclasses import replace
from zoneinfo import ZoneInfo

from messaging.services.compliance import Contact, PastContact

TZ = {
    "CO": "America/Bogota",
    "MX": "America/Mexico_City",
    "US": "America/New_York",
}


def local(tz: str, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ZoneInfo(tz))


def contact(country="CO", *, at=None, tz=None, **kw) -> Contact:
    tz = tz or TZ.get(country, "America/Bogota")
    values = {
        "debtor_id": 1,
        "creditor_id": 1,
        "country": country,
        "region": "",
        "timezone": tz,
        "channel": "sms",
        "at": at or local(tz, 2026, 12, 2, 10, 0),  # a Wednesday
        "stage": "friendly_reminder",
        "purpose": "collection",
        "consented": True,
        "holds": frozenset(),
    }
    values.update(kw)
    return Contact(**values)


def at(c: Contact, *args) -> Contact:
    return replace(c, at=local(c.timezone, *args))


def past(c: Contact, *args, channel=None, kind="message") -> PastContact:
    return PastContact(
        debtor_id=c.debtor_id,
        channel=channel or c.channel,
        at=local(c.timezone, *args),
        kind=kind,
    )
