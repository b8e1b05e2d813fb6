"""The "try a contact" tool on the rules page: what the engine decides for a made-up contact."""

import datetime

from messaging.services.compliance.bureau import bureau_report_allowed
from messaging.services.compliance.engine import rules_for
from messaging.services.compliance.planning import first_lawful_moment, lawful_slots
from messaging.services.compliance.timeutil import zone
from messaging.services.compliance.types import Contact


def contact_try(*, data: dict) -> dict:
    """Decision, the first lawful moment within 7 days and that day's lawful hours."""
    tz = zone(data["timezone"])
    at = datetime.datetime.combine(data["day"], data["time"], tzinfo=tz)
    creditor = data["creditor"]
    contact = Contact(
        debtor_id=0,
        creditor_id=creditor.pk,
        country=data["country"],
        region=(data.get("region") or "").strip().upper(),
        timezone=data["timezone"],
        channel=data["channel"],
        at=at,
        stage=data["stage"],
        purpose=data["purpose"],
        consented=data["consented"],
        holds=frozenset(data.get("holds") or ()),
        has_active_agreement=data["has_active_agreement"],
        content=data.get("content") or None,
        creditor_name=creditor.name,
        time_barred=bool(data.get("time_barred")),
    )
    rules = rules_for(country=contact.country, region=contact.region, creditor_id=creditor.pk)
    decision = rules.check(contact, [])
    first = first_lawful_moment(contact=contact, history=[], rules=rules, not_before=at)
    slots = lawful_slots(contact=contact, day=data["day"], rules=rules)
    return {
        "decision": decision,
        "at": at,
        "first": first.astimezone(tz) if first else None,
        "slots": [(a.astimezone(tz), b.astimezone(tz)) for a, b in slots],
        "rule_ids": rules.ids(),
    }


def bureau_try(*, data: dict):
    return bureau_report_allowed(
        country=data["b_country"],
        notices_sent=data["notices"],
        as_of=data["as_of"],
        balance=data.get("balance"),
        arrears_start=data.get("arrears_start"),
        spoke_with_consumer=data.get("spoke_with_consumer", False),
    )
