"""Property-based: for random debtors, zones, consents, holds, histories and dates,
(a) whatever the planner helpers return passes the check, and (b) the check agrees with an
independent, deliberately naive re-statement of the window, holiday, cap and hold rules."""

import datetime
from dataclasses import replace
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messaging.services.compliance import (
    Contact,
    PastContact,
    compliance_check,
    first_lawful_moment,
    rules_for,
    spread_moment,
)

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
ZONES = (
    "America/Bogota",
    "America/Mexico_City",
    "America/Tijuana",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "Europe/Madrid",
)
US_STATES = ("", "MA", "NY", "CA", "TX", "FL", "WA", "IL")
CHANNELS = ("email", "sms", "whatsapp", "voice", "letter")
KINDS = ("message", "call_attempt", "conversation")
HOLDS = ("dispute", "cease_contact", "deceased", "insolvency")
PURPOSES = ("collection", "agreement", "dispute", "transactional")
RULES = {
    (country, region): rules_for(country=country, region=region)
    for country, region in [("CO", ""), ("MX", "")] + [("US", s) for s in US_STATES]
}
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# Whole minutes over two years, so DST change days and holidays come up.
instants = st.integers(min_value=0, max_value=2 * 365 * 24 * 60).map(
    lambda m: START + datetime.timedelta(minutes=m)
)


@st.composite
def cases(draw):
    country = draw(st.sampled_from(("CO", "MX", "US")))
    region = draw(st.sampled_from(US_STATES)) if country == "US" else ""
    at = draw(instants)
    channel = draw(st.sampled_from((*CHANNELS, "voice", "sms")))
    contact = Contact(
        debtor_id=1,
        creditor_id=1,
        country=country,
        region=region,
        timezone=draw(st.sampled_from(ZONES)),
        channel=channel,
        at=at,
        stage=draw(st.sampled_from(("friendly_reminder", "firm_notice", "pre_legal"))),
        purpose=draw(st.sampled_from(PURPOSES)),
        consented=draw(st.integers(0, 9)) != 0,
        holds=frozenset(draw(st.lists(st.sampled_from(HOLDS), max_size=2)))
        if draw(st.integers(0, 7)) == 0
        else frozenset(),
        has_active_agreement=draw(st.integers(0, 7)) == 0,
    )
    history = draw(
        st.lists(
            st.builds(
                PastContact,
                debtor_id=st.sampled_from((1, 1, 1, 2)),
                channel=st.sampled_from(("voice", "voice", "sms", "email")),
                at=st.integers(-8 * 24 * 60, 2 * 24 * 60).map(
                    lambda m: at + datetime.timedelta(minutes=m)
                ),
                kind=st.sampled_from(KINDS),
            ),
            max_size=16,
        )
    )
    return contact, history


@st.composite
def call_cases(draw):
    """US debtors with dense call/text histories: the call caps and the cool-down."""
    contact = Contact(
        debtor_id=1,
        creditor_id=1,
        country="US",
        region=draw(st.sampled_from(("MA", "MA", "NY", ""))),
        timezone=draw(st.sampled_from(ZONES)),
        channel=draw(st.sampled_from(("voice", "voice", "sms"))),
        at=draw(instants),
        stage="firm_notice",
        purpose="collection",
        consented=True,
        holds=frozenset(),
    )
    history = draw(
        st.lists(
            st.builds(
                PastContact,
                debtor_id=st.just(1),
                channel=st.sampled_from(("voice", "voice", "voice", "sms")),
                at=st.integers(-7 * 24 * 60, 7 * 24 * 60).map(
                    lambda m: contact.at + datetime.timedelta(minutes=m)
                ),
                kind=st.sampled_from(("call_attempt", "call_attempt", "message", "conversation")),
            ),
            max_size=12,
        )
    )
    return contact, history


any_case = st.one_of(cases(), call_cases())


# --- the naive re-statement ------------------------------------------------------------
def _minute(local):
    return local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60


def naive_forbids(contact: Contact, history) -> str | None:
    """Why the plain reading of the rules forbids this contact (None: allowed)."""
    tz = ZoneInfo(contact.timezone)
    local = contact.at.astimezone(tz)
    day, minute, wd = local.date(), _minute(local), local.weekday()
    mine = [p for p in history if p.debtor_id == contact.debtor_id]

    if {"cease_contact", "deceased", "insolvency"} & contact.holds:
        return "hold"
    if "dispute" in contact.holds and contact.purpose != "dispute":
        return "dispute"
    if not contact.consented:
        return "consent"
    if contact.has_active_agreement and contact.purpose == "collection":
        return "agreement"

    def local_day(p):
        return p.at.astimezone(tz).date()

    if contact.country == "CO":
        if wd == 6 or day in holidays.Colombia(years=day.year):
            return "rest"
        lo, hi = (8 * 60, 15 * 60) if wd == 5 else (7 * 60, 19 * 60)
        if not lo <= minute <= hi:
            return "window"
        if any(local_day(p) == day for p in mine):
            return "day"
        week = datetime.timedelta(days=7)
        if any(p.channel != contact.channel and abs(p.at - contact.at) < week for p in mine):
            return "week"
    elif contact.country == "MX":
        if not 7 * 60 <= minute <= 22 * 60:
            return "window"
    else:
        if not 8 * 60 <= minute <= 21 * 60:
            return "window"
        if contact.channel == "voice":
            for p in mine:
                recent = 0 <= (day - local_day(p)).days <= 6
                if p.kind == "conversation" and p.at <= contact.at and recent:
                    return "cooldown"
        caps = [(("voice",), 7)]
        if contact.region == "MA":
            caps.append((("voice", "sms"), 2))
        for channels, limit in caps:
            if contact.channel not in channels:
                continue
            for first in range(-6, 1):
                start = day + datetime.timedelta(days=first)
                end = start + datetime.timedelta(days=6)
                n = sum(1 for p in mine if p.channel in channels and start <= local_day(p) <= end)
                if n + 1 > limit:
                    return "cap"
    return None


def check(contact, history):
    rules = RULES[(contact.country, contact.region)]
    return compliance_check(contact=contact, history=history, rules=rules)


# --- properties --------------------------------------------------------------------------
@SETTINGS
@given(any_case)
def test_check_never_allows_what_the_plain_rules_forbid(case):
    contact, history = case
    decision = check(contact, history)
    naive = naive_forbids(contact, history)
    if decision.allowed:
        assert naive is None, naive
    # ...and it is not stricter either: with no content, the rules above are all there is.
    if naive is None:
        assert decision.allowed, decision


@SETTINGS
@given(any_case)
def test_first_lawful_moment_passes_the_check(case):
    contact, history = case
    rules = RULES[(contact.country, contact.region)]
    found = first_lawful_moment(
        contact=contact, history=history, rules=rules, not_before=contact.at, horizon_days=10
    )
    if found is None:
        return
    assert contact.at <= found <= contact.at + datetime.timedelta(days=10)
    lawful = replace(contact, at=found)
    assert check(lawful, history).allowed
    assert naive_forbids(lawful, history) is None
    if check(contact, history).allowed:
        assert found == contact.at


@SETTINGS
@given(any_case, st.text(min_size=1, max_size=12))
def test_spread_moment_passes_the_check_on_that_day(case, key):
    contact, history = case
    rules = RULES[(contact.country, contact.region)]
    day = contact.at.astimezone(ZoneInfo(contact.timezone)).date()
    found = spread_moment(contact=contact, day=day, key=key, history=history, rules=rules)
    if found is None:
        return
    assert found.astimezone(ZoneInfo(contact.timezone)).date() == day
    lawful = replace(contact, at=found)
    assert check(lawful, history).allowed
    assert naive_forbids(lawful, history) is None


# --- overrides can only tighten ----------------------------------------------------------
def _hhmm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def overrides(draw):
    """Random, possibly looser-than-law override parameters for the time/frequency rules."""
    day = st.lists(
        st.tuples(st.integers(0, 23 * 60), st.integers(1, 120)).map(
            lambda t: [_hhmm(t[0]), _hhmm(min(t[0] + t[1], 24 * 60 - 1))]
        ),
        max_size=2,
    )
    return {
        "CO-WINDOW": {"weekly": draw(st.lists(day, min_size=7, max_size=7))},
        "US-WINDOW": {"weekly": draw(st.lists(day, min_size=7, max_size=7))},
        "MX-WINDOW": {"weekly": draw(st.lists(day, min_size=7, max_size=7))},
        "CO-REST": {"weekdays": draw(st.lists(st.integers(0, 6), max_size=3))},
        "CO-DAY": {"max": draw(st.integers(0, 3)), "period_days": draw(st.integers(1, 3))},
        "CO-WEEK": {
            "max_channels": draw(st.integers(1, 3)),
            "period_days": draw(st.integers(1, 14)),
        },
        "US-CALLS": {"max": draw(st.integers(0, 10)), "period_days": draw(st.integers(1, 10))},
        "US-MA-CALLS": {"max": draw(st.integers(0, 4)), "period_days": draw(st.integers(1, 10))},
        "US-COOLDOWN": {"days": draw(st.integers(1, 12))},
    }


@SETTINGS
@given(any_case, overrides())
def test_a_creditor_override_never_allows_what_the_law_forbids(case, params):
    from messaging.services.compliance.engine import build_ruleset

    contact, history = case
    mine = build_ruleset(
        country=contact.country, region=contact.region, creditor_id=1, overrides=params
    )
    if compliance_check(contact=contact, history=history, rules=mine).allowed:
        assert check(contact, history).allowed
    found = first_lawful_moment(contact=contact, history=history, rules=mine, not_before=contact.at)
    if found is not None:
        lawful = replace(contact, at=found)
        assert compliance_check(contact=lawful, history=history, rules=mine).allowed
        assert check(lawful, history).allowed
