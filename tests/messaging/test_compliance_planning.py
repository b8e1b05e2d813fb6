"""Lawful slots, the first lawful moment and spreading over the day."""

import datetime
from dataclasses import replace
from zoneinfo import ZoneInfo

from messaging.services.compliance import (
    compliance_check,
    first_lawful_moment,
    lawful_moment_search,
    lawful_slots,
    rules_for,
    spread_moment,
)
from tests.messaging.compliance_helpers import at, contact, local, past

CO = rules_for(country="CO")
US = rules_for(country="US")
BOG = "America/Bogota"


def flm(c, history=(), rules=CO, **kw):
    return first_lawful_moment(contact=c, history=list(history), rules=rules, **kw)


def test_slots_of_a_weekday_a_saturday_a_sunday_and_a_holiday():
    c = contact("CO")
    assert lawful_slots(contact=c, day=datetime.date(2026, 12, 2), rules=CO) == [
        (local(BOG, 2026, 12, 2, 7, 0), local(BOG, 2026, 12, 2, 19, 0))
    ]
    assert lawful_slots(contact=c, day=datetime.date(2026, 12, 5), rules=CO) == [
        (local(BOG, 2026, 12, 5, 8, 0), local(BOG, 2026, 12, 5, 15, 0))
    ]
    assert lawful_slots(contact=c, day=datetime.date(2026, 12, 6), rules=CO) == []
    assert lawful_slots(contact=c, day=datetime.date(2026, 12, 8), rules=CO) == []


def test_slots_on_us_dst_days_are_local_hours():
    c = contact("US")
    ny = ZoneInfo("America/New_York")
    for day in (datetime.date(2026, 3, 8), datetime.date(2026, 11, 1)):
        [(start, end)] = lawful_slots(contact=c, day=day, rules=US)
        assert (start.astimezone(ny).hour, end.astimezone(ny).hour) == (8, 21)
    # Spring forward: the window is 13 real hours; fall back: 13 too (the change is at 02:00).
    [(s, e)] = lawful_slots(contact=c, day=datetime.date(2026, 3, 8), rules=US)
    assert e - s == datetime.timedelta(hours=13)


def test_first_lawful_moment_inside_the_window_is_now():
    c = contact("CO")
    now = local(BOG, 2026, 12, 2, 10, 30)
    assert flm(c, not_before=now) == now


def test_first_lawful_moment_after_saturday_close_skips_sunday_and_monday_holiday():
    c = contact("CO")
    # Saturday 5 Dec 15:01 -> Sunday is rest -> Monday 7 Dec 07:00 (7 Dec is not a holiday).
    assert flm(c, not_before=local(BOG, 2026, 12, 5, 15, 1)) == local(BOG, 2026, 12, 7, 7, 0)
    # Monday 7 Dec 19:01 -> Tuesday 8 Dec is a holiday -> Wednesday 07:00.
    assert flm(c, not_before=local(BOG, 2026, 12, 7, 19, 1)) == local(BOG, 2026, 12, 9, 7, 0)


def test_first_lawful_moment_waits_for_the_daily_cap_and_the_week():
    c = contact("CO", channel="email")
    sms = past(c, 2026, 12, 2, 10, 0, channel="sms")
    # Another channel: the rolling week frees up exactly 7 x 24 h later.
    assert flm(c, [sms], not_before=local(BOG, 2026, 12, 2, 11, 0)) == local(
        BOG, 2026, 12, 9, 10, 0
    )
    # The same channel: only the one-a-day rule, so tomorrow at 07:00.
    same = past(c, 2026, 12, 2, 10, 0, channel="email")
    assert flm(c, [same], not_before=local(BOG, 2026, 12, 2, 11, 0)) == local(
        BOG, 2026, 12, 3, 7, 0
    )


def test_first_lawful_moment_after_us_cooldown_is_day_eight_at_eight():
    c = contact("US", channel="voice")
    talk = past(c, 2026, 12, 1, 20, 0, kind="conversation")
    found = flm(c, [talk], rules=US, not_before=local(c.timezone, 2026, 12, 1, 20, 30))
    assert found == local(c.timezone, 2026, 12, 8, 8, 0)


def test_first_lawful_moment_none_for_holds_consent_and_a_short_horizon():
    now = local(BOG, 2026, 12, 2, 10, 0)
    assert flm(contact("CO", holds=frozenset({"deceased"})), not_before=now) is None
    assert flm(contact("CO", consented=False), not_before=now) is None
    c = contact("CO", channel="email")
    sms = past(c, 2026, 12, 2, 9, 0, channel="sms")
    assert flm(c, [sms], not_before=now, horizon_days=3) is None


def test_a_search_that_finds_nothing_gives_the_refusal_that_ended_it():
    # an SMS due on a Wednesday to a Colombian debtor e-mailed that day at 10:00, searched
    # from the day's first instant: the day's cap holds it on Wednesday, the channel week
    # until the next Wednesday 10:00, past the week searched
    c = contact("CO", channel="sms")
    midnight = local(BOG, 2026, 12, 2, 0, 0)
    email = past(c, 2026, 12, 2, 10, 0, channel="email")
    moment, refusal = lawful_moment_search(
        contact=c, history=[email], rules=CO, not_before=midnight
    )
    # the refusal is the channel week's (with its text), not the hours at 00:00
    assert moment is None and not refusal.allowed
    assert (refusal.rule, refusal.coded.params["channels"]) == ("CO-WEEK", ["email"])
    assert refusal.reason == str(refusal.coded) and refusal.reason
    assert compliance_check(contact=replace(c, at=midnight), history=[email], rules=CO).rule == (
        "CO-WINDOW"
    )
    # a refusal waiting cannot lift ends the search at its first try; a moment has none
    assert (
        lawful_moment_search(
            contact=replace(c, consented=False), history=[], rules=CO, not_before=midnight
        )[1].rule
        == "CO-CHANNEL"
    )
    assert lawful_moment_search(contact=c, history=[], rules=CO, not_before=midnight) == (
        local(BOG, 2026, 12, 2, 7, 0),
        None,
    )
    # an unknown time zone: no instant tried, no refusal
    assert lawful_moment_search(
        contact=replace(c, timezone="Mars/Olympus"), history=[], rules=CO, not_before=midnight
    ) == (None, None)


def test_first_lawful_moment_result_always_passes_the_check():
    c = contact("US", channel="voice")
    calls = [past(c, 2026, 12, d, 9, 0, kind="call_attempt") for d in range(1, 8)]
    found = flm(c, calls, rules=US, not_before=local(c.timezone, 2026, 12, 7, 12, 0))
    assert found == local(c.timezone, 2026, 12, 8, 8, 0)
    assert compliance_check(contact=replace(c, at=found), history=calls, rules=US).allowed


def test_spread_moment_is_stable_lawful_and_spread():
    c = contact("CO")
    day = datetime.date(2026, 12, 2)
    picks = {spread_moment(contact=c, day=day, key=f"debtor-{i}", rules=CO) for i in range(200)}
    assert None not in picks
    assert len(picks) > 100  # not everybody at 07:00
    hours = {p.astimezone(ZoneInfo(BOG)).hour for p in picks}
    assert min(hours) == 7 and max(hours) == 18
    again = spread_moment(contact=c, day=day, key="debtor-7", rules=CO)
    assert again == spread_moment(contact=c, day=day, key="debtor-7", rules=CO)
    for p in picks:
        assert compliance_check(contact=replace(c, at=p), history=[], rules=CO).allowed


def test_spread_moment_none_on_a_sunday_and_moves_past_a_blocked_pick():
    c = contact("CO")
    assert spread_moment(contact=c, day=datetime.date(2026, 12, 6), key="x", rules=CO) is None
    earlier = past(c, 2026, 12, 2, 7, 0)
    assert (
        spread_moment(
            contact=c, day=datetime.date(2026, 12, 2), key="x", history=[earlier], rules=CO
        )
        is None
    )  # one contact a day, already used
    now = local(BOG, 2026, 12, 2, 18, 30)
    pick = spread_moment(
        contact=c, day=datetime.date(2026, 12, 2), key="x", rules=CO, not_before=now
    )
    assert now <= pick <= local(BOG, 2026, 12, 2, 19, 0)
    assert compliance_check(contact=at(c, 2026, 12, 2, 18, 30), history=[], rules=CO).allowed


def test_first_lawful_moment_across_the_us_spring_change():
    c = contact("US", channel="voice")
    ny = c.timezone
    # Saturday 7 March 21:30 EST -> Sunday 8 March 08:00 EDT (the night lost an hour).
    found = flm(c, rules=US, not_before=local(ny, 2026, 3, 7, 21, 30))
    assert found == local(ny, 2026, 3, 8, 8, 0)
    assert found - local(ny, 2026, 3, 7, 21, 30) == datetime.timedelta(hours=9, minutes=30)
    # Autumn: Saturday 31 October 21:30 EDT -> Sunday 1 November 08:00 EST (11.5 real hours).
    found = flm(c, rules=US, not_before=local(ny, 2026, 10, 31, 21, 30))
    assert found == local(ny, 2026, 11, 1, 8, 0)
    assert found - local(ny, 2026, 10, 31, 21, 30) == datetime.timedelta(hours=11, minutes=30)


def test_wall_times_in_a_dst_gap_or_overlap_resolve_inwards():
    from messaging.services.compliance.timeutil import wall_instant

    ny = ZoneInfo("America/New_York")
    spring, autumn = datetime.date(2026, 3, 8), datetime.date(2026, 11, 1)
    half_past_two = 2 * 3600 + 1800  # does not exist on 8 March
    start = wall_instant(spring, half_past_two, ny).astimezone(ny)
    end = wall_instant(spring, half_past_two, ny, end=True).astimezone(ny)
    assert (start.hour, start.minute) == (3, 30)  # later than asked: still inside a window
    assert (end.hour, end.minute) == (1, 30)  # earlier than asked
    half_past_one = 3600 + 1800  # happens twice on 1 November
    first = wall_instant(autumn, half_past_one, ny)
    last = wall_instant(autumn, half_past_one, ny, end=True)
    assert last - first == datetime.timedelta(hours=1)


def test_spread_moment_respects_a_creditor_window_and_differs_by_key():
    from messaging.services.compliance.overrides import tighten

    narrow = tighten(CO.get("CO-WINDOW"), {"weekly": [[["10:00", "11:00"]]] * 5 + [[], []]})
    from messaging.services.compliance.engine import RuleSet

    rules = RuleSet(
        country="CO",
        region="",
        creditor_id=1,
        rules=[narrow if r.id == "CO-WINDOW" else r for r in CO.rules],
    )
    c = contact("CO")
    day = datetime.date(2026, 12, 2)
    picks = [spread_moment(contact=c, day=day, key=str(i), rules=rules) for i in range(50)]
    assert all(local(BOG, 2026, 12, 2, 10, 0) <= p <= local(BOG, 2026, 12, 2, 11, 0) for p in picks)
    assert len(set(picks)) > 20
    assert spread_moment(contact=c, day=datetime.date(2026, 12, 5), key="1", rules=rules) is None


def test_history_read_as_channels_only_for_the_rules_it_has_proved():
    # The planner shares answers between debtors whose day's earlier messages differ only in
    # their instants when the rules read them only through their channels (calendar caps, a
    # channels rule over at least the search's week, cooldowns after conversations).
    from messaging.services.compliance import history_read_as_channels
    from messaging.services.compliance.engine import RuleSet

    def with_rule(base, rule_id, **params):
        changed = [r.with_params(params) if r.id == rule_id else r for r in base.rules]
        return RuleSet(country=base.country, region="", creditor_id=1, rules=changed)

    assert history_read_as_channels(contact=contact("CO"), rules=CO)
    assert history_read_as_channels(contact=contact("US", channel="voice"), rules=US)
    assert history_read_as_channels(contact=contact("MX"), rules=rules_for(country="MX"))
    # an elapsed-time cap reads the instants
    elapsed = with_rule(CO, "CO-DAY", mode="elapsed")
    assert not history_read_as_channels(contact=contact("CO"), rules=elapsed)
    # a channels rule shorter than the search's week: a message can fall out of it
    short = with_rule(CO, "CO-WEEK", period_days=3)
    assert not history_read_as_channels(contact=contact("CO"), rules=short)
    assert history_read_as_channels(contact=contact("CO"), rules=short, horizon_days=3)
    # a cooldown after messages reads which came first
    after_messages = with_rule(US, "US-COOLDOWN", after_kind="message")
    assert not history_read_as_channels(
        contact=contact("US", channel="voice"), rules=after_messages
    )
    assert history_read_as_channels(contact=contact("US", channel="sms"), rules=after_messages)
