"""Each rule at its boundaries: the minute before and after, the holiday, the eighth call..."""

import datetime
from dataclasses import replace

import pytest

from messaging.services.compliance import PastContact, compliance_check, rules_for
from tests.messaging.compliance_helpers import at, contact, local, past

CO = rules_for(country="CO")
MX = rules_for(country="MX")
US = rules_for(country="US")
MA = rules_for(country="US", region="MA")


def check(c, history=(), rules=None):
    return compliance_check(contact=c, history=list(history), rules=rules)


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ((2026, 12, 2, 6, 59), False),
        ((2026, 12, 2, 7, 0), True),
        ((2026, 12, 2, 19, 0), True),
        ((2026, 12, 2, 19, 1), False),
        ((2026, 12, 5, 7, 59), False),  # Saturday
        ((2026, 12, 5, 8, 0), True),
        ((2026, 12, 5, 15, 0), True),
        ((2026, 12, 5, 15, 1), False),
    ],
)
def test_co_window_boundaries(when, allowed):
    decision = check(at(contact("CO"), *when), rules=CO)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "CO-WINDOW"
        assert decision.reason


def test_co_window_seconds_after_the_end_are_outside():
    assert not check(at(contact("CO"), 2026, 12, 2, 19, 0, 1), rules=CO).allowed


def test_co_sunday_and_national_holiday_are_rest_days():
    sunday = check(at(contact("CO"), 2026, 12, 6, 10, 0), rules=CO)
    assert (sunday.allowed, sunday.rule) == (False, "CO-REST")
    # 8 December (Inmaculada Concepción) is a Colombian national holiday in `holidays`.
    holiday = check(at(contact("CO"), 2026, 12, 8, 10, 0), rules=CO)
    assert (holiday.allowed, holiday.rule) == (False, "CO-REST")
    assert check(at(contact("CO"), 2026, 12, 9, 10, 0), rules=CO).allowed


def test_co_window_is_in_the_debtors_own_time_zone():
    # 07:30 in Bogotá is 06:30 in Mexico City: a CO debtor living there is still too early.
    c = contact("CO", tz="America/Mexico_City", at=local("America/Bogota", 2026, 12, 2, 7, 30))
    assert check(c, rules=CO).rule == "CO-WINDOW"


def test_co_second_contact_of_the_day_is_refused_whatever_the_channel():
    c = at(contact("CO"), 2026, 12, 2, 15, 0)
    first = past(c, 2026, 12, 2, 8, 0)
    assert check(c, [first], rules=CO).rule == "CO-DAY"
    yesterday = past(c, 2026, 12, 1, 18, 0)
    assert check(c, [yesterday], rules=CO).allowed


def test_co_unanswered_call_counts_by_default_and_setting_relaxes_it(settings):
    c = at(contact("CO", channel="voice"), 2026, 12, 2, 15, 0)
    attempt = past(c, 2026, 12, 2, 9, 0, kind="call_attempt")
    assert check(c, [attempt], rules=CO).rule == "CO-DAY"
    settings.COMPLIANCE_CO_COUNT_UNANSWERED_CALLS = False
    assert check(c, [attempt], rules=rules_for(country="CO")).allowed


def test_co_second_channel_in_the_same_rolling_week_is_refused():
    c = at(contact("CO", channel="email"), 2026, 12, 9, 10, 0)
    sms = past(c, 2026, 12, 2, 10, 1, channel="sms")  # 6 d 23 h 59 min earlier
    assert check(c, [sms], rules=CO).rule == "CO-WEEK"
    sms_week_ago = past(c, 2026, 12, 2, 10, 0, channel="sms")  # exactly 7 days
    assert check(c, [sms_week_ago], rules=CO).allowed
    same_channel = past(c, 2026, 12, 4, 10, 0, channel="email")
    assert check(c, [same_channel], rules=CO).allowed


def test_co_week_counts_planned_contacts_after_the_one_checked():
    c = at(contact("CO", channel="email"), 2026, 12, 9, 10, 0)
    planned = past(c, 2026, 12, 11, 10, 0, channel="sms")
    assert check(c, [planned], rules=CO).rule == "CO-WEEK"


def test_other_debtors_history_is_ignored():
    c = at(contact("CO"), 2026, 12, 2, 15, 0)
    other = PastContact(debtor_id=99, channel="sms", at=local(c.timezone, 2026, 12, 2, 8, 0))
    assert check(c, [other], rules=CO).allowed


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ((2026, 12, 6, 6, 59), False),  # Sunday is fine in Mexico, but not before 07:00
        ((2026, 12, 6, 7, 0), True),
        ((2026, 12, 6, 22, 0), True),
        ((2026, 12, 6, 22, 1), False),
    ],
)
def test_mx_window(when, allowed):
    decision = check(at(contact("MX"), *when), rules=MX)
    assert decision.allowed is allowed
    assert allowed or decision.rule == "MX-WINDOW"


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        ((2026, 12, 6, 7, 59), False),
        ((2026, 12, 6, 8, 0), True),
        ((2026, 12, 6, 21, 0), True),
        ((2026, 12, 6, 21, 1), False),
        ((2026, 12, 25, 12, 0), True),  # US-WINDOW has no holiday rule
    ],
)
def test_us_window(when, allowed):
    decision = check(at(contact("US"), *when), rules=US)
    assert decision.allowed is allowed
    assert allowed or decision.rule == "US-WINDOW"


def test_us_window_across_dst_changes():
    # 8 March 2026: clocks jump 02:00 -> 03:00 in New York; 1 November 2026: back 02:00 -> 01:00.
    spring = contact("US", channel="voice")
    assert not check(at(spring, 2026, 3, 8, 7, 59), rules=US).allowed
    assert check(at(spring, 2026, 3, 8, 8, 0), rules=US).allowed
    assert check(at(spring, 2026, 11, 1, 8, 0), rules=US).allowed
    assert not check(at(spring, 2026, 11, 1, 21, 1), rules=US).allowed
    # The same UTC instant, 12:30 UTC, is 07:30 before the spring change and 08:30 after.
    before = replace(spring, at=datetime.datetime(2026, 3, 7, 12, 30, tzinfo=datetime.UTC))
    after = replace(spring, at=datetime.datetime(2026, 3, 9, 12, 30, tzinfo=datetime.UTC))
    assert check(before, rules=US).rule == "US-WINDOW"
    assert check(after, rules=US).allowed


def _calls(c, days, per_day=1, kind="call_attempt"):
    return [
        past(c, 2026, 12, d, 9 + i, 0, channel="voice", kind=kind)
        for d in days
        for i in range(per_day)
    ]


def test_us_eighth_call_in_seven_days_is_refused():
    c = at(contact("US", channel="voice"), 2026, 12, 7, 12, 0)
    seven = _calls(c, range(1, 8))  # 1..7 December, one a day
    assert check(c, seven, rules=US).rule == "US-CALLS"
    assert check(c, seven[:6], rules=US).allowed
    # On the 8th the call of the 1st has left the 7-day window: 6 + 1 = 7 is fine...
    later = at(c, 2026, 12, 8, 12, 0)
    assert check(later, seven[1:], rules=US).allowed
    # ...unless another call happened inside it.
    extra = past(c, 2026, 12, 3, 15, 0, channel="voice", kind="call_attempt")
    assert check(later, [*seven[1:], extra], rules=US).rule == "US-CALLS"
    # Conversations count as calls too.
    talks = _calls(c, range(1, 8), kind="conversation")
    assert check(c, talks, rules=US).rule in {"US-CALLS", "US-COOLDOWN"}


def test_us_calls_do_not_count_texts():
    c = at(contact("US", channel="voice"), 2026, 12, 7, 12, 0)
    texts = [past(c, 2026, 12, d, 9, 0, channel="sms") for d in range(1, 8)]
    assert check(c, texts, rules=US).allowed


def test_massachusetts_third_call_or_text_in_seven_days_is_refused():
    c = at(contact("US", region="MA", channel="sms"), 2026, 12, 7, 12, 0)
    two = [
        past(c, 2026, 12, 2, 10, 0, channel="voice", kind="call_attempt"),
        past(c, 2026, 12, 4, 10, 0, channel="sms"),
    ]
    assert check(c, two, rules=MA).rule == "US-MA-CALLS"
    assert check(c, two[:1], rules=MA).allowed
    assert check(c, two, rules=US).allowed  # federal law alone allows it
    assert check(at(c, 2026, 12, 9, 12, 0), two, rules=MA).allowed  # 2 Dec left the window
    assert rules_for(country="US", region="ma").get("US-MA-CALLS") is not None


def test_us_cooldown_day_seven_refused_day_eight_allowed():
    c = contact("US", channel="voice")
    talk = past(c, 2026, 12, 1, 20, 0, channel="voice", kind="conversation")
    day7 = check(at(c, 2026, 12, 7, 20, 59), [talk], rules=US)
    assert (day7.allowed, day7.rule) == (False, "US-COOLDOWN")
    assert check(at(c, 2026, 12, 8, 8, 0), [talk], rules=US).allowed
    # Texts are not calls: the cool-down does not apply to them.
    assert check(at(replace(c, channel="sms"), 2026, 12, 3, 10, 0), [talk], rules=US).allowed


@pytest.mark.parametrize(
    ("country", "kind", "rule"),
    [
        ("CO", "dispute", "ALL-DISPUTE"),
        ("CO", "cease_contact", "ALL-CEASE"),
        ("US", "cease_contact", "US-CEASE"),
        ("MX", "deceased", "ALL-DECEASED"),
        ("US", "insolvency", "ALL-INSOLVENCY"),
    ],
)
@pytest.mark.django_db
def test_each_hold_stops_collection_contact(country, kind, rule):
    c = contact(country, holds=frozenset({kind}))
    decision = check(c)
    assert (decision.allowed, decision.rule) == (False, rule)


def test_dispute_allows_only_dispute_messages_other_holds_nothing():
    c = contact("CO", holds=frozenset({"dispute"}), purpose="dispute")
    assert check(c, rules=CO).allowed
    ceased = replace(c, holds=frozenset({"dispute", "cease_contact"}))
    assert check(ceased, rules=CO).rule == "ALL-CEASE"


@pytest.mark.parametrize(
    ("country", "rule"), [("CO", "CO-CHANNEL"), ("US", "US-CONSENT"), ("MX", "ALL-CONSENT")]
)
@pytest.mark.parametrize("channel", ["sms", "email", "whatsapp", "voice", "letter"])
@pytest.mark.django_db
def test_no_consent_no_contact_letters_included(country, rule, channel):
    decision = check(contact(country, channel=channel, consented=False))
    assert (decision.allowed, decision.rule) == (False, rule)


@pytest.mark.parametrize(
    ("purpose", "allowed"),
    [("collection", False), ("agreement", True), ("transactional", True), ("dispute", True)],
)
def test_active_agreement_allows_only_agreement_messages(purpose, allowed):
    decision = check(contact("CO", has_active_agreement=True, purpose=purpose), rules=CO)
    assert decision.allowed is allowed
    assert allowed or decision.rule == "ALL-AGREEMENT"


def test_unknown_country_gets_the_conservative_default():
    rules = rules_for(country="AR")
    c = contact("AR", tz="America/Argentina/Buenos_Aires")
    assert check(at(c, 2026, 12, 2, 7, 59), rules=rules).rule == "DEFAULT-WINDOW"
    assert check(at(c, 2026, 12, 2, 8, 0), rules=rules).allowed
    assert check(at(c, 2026, 12, 6, 10, 0), rules=rules).rule == "DEFAULT-REST"
    assert check(at(c, 2026, 12, 25, 10, 0), rules=rules).rule == "DEFAULT-REST"


def test_unknown_time_zone_is_refused():
    c = contact("CO", tz="Mars/Olympus", at=local("America/Bogota", 2026, 12, 2, 10, 0))
    decision = check(c, rules=CO)
    assert (decision.allowed, decision.rule) == (False, "ALL-TIMEZONE")


def test_a_naive_time_is_a_programming_error():
    c = replace(contact("CO"), at=datetime.datetime(2026, 12, 2, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        check(c, rules=CO)


def test_every_rule_has_a_source_a_label_and_is_documented():
    from pathlib import Path

    from django.conf import settings

    from messaging.services.compliance.evaluators import EVALUATORS
    from messaging.services.compliance.rules import all_legal_rules

    docs = (Path(settings.BASE_DIR) / "docs" / "compliance.md").read_text()
    for rule_id, r in all_legal_rules().items():
        assert r.type in EVALUATORS, rule_id
        assert r.source and str(r.label), rule_id
        assert rule_id in docs, f"{rule_id} missing from docs/compliance.md"
    for rule_id in ("CO-BUREAU", "US-BUREAU", "DEFAULT-BUREAU", "ALL-TIMEZONE"):
        assert rule_id in docs
