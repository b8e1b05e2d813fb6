"""When may a contact happen? Lawful slots of a local day, the first lawful moment, spreading."""

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import replace

from messaging.services.compliance import evaluators as ev_types
from messaging.services.compliance.engine import RuleSet, reason_text, resolve
from messaging.services.compliance.timeutil import UTC, wall_instant, zone
from messaging.services.compliance.types import Contact, Decision, PastContact

_US = datetime.timedelta(microseconds=1)
_MAX_STEPS = 500


def _day_slots(ruleset: RuleSet, contact: Contact, day: datetime.date, tz):
    """The lawful slots of a local day, memoised on the rule set (the planner asks for the
    same few (channel, zone, day) combinations thousands of times)."""
    key = (contact.channel, contact.timezone, day, contact.country, contact.region)
    cache = ruleset.slot_cache
    found = cache.get(key)
    if found is None:
        if len(cache) > 50_000:
            cache.clear()
        found = cache[key] = tuple(_compute_day_slots(ruleset, contact, day, tz))
    return found


def _compute_day_slots(ruleset: RuleSet, contact: Contact, day: datetime.date, tz):
    for rest in ruleset.rests:
        if rest.applies(contact) and rest.is_rest(day, contact):
            return []
    windows = [w for w in ruleset.windows if w.applies(contact)]
    if not windows:
        return [(wall_instant(day, 0, tz), wall_instant(day, 86400, tz, end=True))]
    slots = windows[0].slots(day, tz)
    for other in windows[1:]:  # several window rules: their intersection
        theirs = other.slots(day, tz)
        slots = [
            (max(a, c), min(b, d)) for a, b in slots for c, d in theirs if max(a, c) <= min(b, d)
        ]
    return [(a, b) for a, b in slots if a <= b]


def lawful_slots(
    *, contact: Contact, day: datetime.date, rules: RuleSet | None = None
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The allowed windows [start, end] (aware, ends inclusive) of the debtor's local `day`
    for this contact's channel: contact hours minus rest days and holidays. Caps, holds and
    consent are not applied here (see first_lawful_moment / spread_moment)."""
    tz = zone(contact.timezone)
    if tz is None:
        return []
    return list(_day_slots(resolve(contact, rules), contact, day, tz))


def _snap(ruleset, contact, t, tz, until):
    """`t` if it falls in a lawful slot, else the start of the next slot (None past `until`)."""
    day = t.astimezone(tz).date()
    while True:
        for start, end in _day_slots(ruleset, contact, day, tz):
            if end >= t:
                found = max(start, t)
                return found if found <= until else None
        day += datetime.timedelta(days=1)
        if wall_instant(day, 0, tz) > until:
            return None


def first_lawful_moment(
    *,
    contact: Contact,
    history: Sequence[PastContact],
    rules: RuleSet | None = None,
    not_before: datetime.datetime,
    horizon_days: int = 7,
    memo: dict | None = None,
) -> datetime.datetime | None:
    """The earliest instant at or after `not_before` (and within `horizon_days`) at which the
    contact passes every rule, or None (a hold, no consent, or nothing free in the horizon).

    `memo` (a dict the caller keeps for one planning run) remembers answers: the answer
    depends only on the rule set, the contact's attributes (not its debtor's id or instant),
    the debtor's own history and the bounds, so debtors alike share one search."""
    return _searched(contact, history, rules, not_before, horizon_days, memo)[0]


def lawful_moment_search(
    *,
    contact: Contact,
    history: Sequence[PastContact],
    rules: RuleSet | None = None,
    not_before: datetime.datetime,
    horizon_days: int = 7,
    memo: dict | None = None,
) -> tuple[datetime.datetime | None, Decision | None]:
    """`first_lawful_moment`'s search: (the moment, None), or (None, the refusal that ended it)
    where it found none: the engine's decision at the last instant it tried, whose retry fell
    past the horizon (or which waiting cannot lift: no consent, a hold), its text in the active
    language; None when it tried no instant (an unknown time zone, no open hour in the
    horizon). That refusal is what stops the contact all week (a channel used in the rolling
    week after the day's cap), where the check at `not_before`, a local midnight, names the
    contact hours."""
    moment, refusal = _searched(contact, history, rules, not_before, horizon_days, memo)
    if refusal is not None and not refusal.reason:
        # Rendered here only: `first_lawful_moment`'s callers (the planner's spread among
        # them) never read it.
        refusal = replace(refusal, reason=reason_text(refusal.coded))
    return moment, refusal


def _searched(contact, history, rules, not_before, horizon_days, memo):
    """(moment, refusal without its text): `_first_lawful_moment`, through `memo`."""
    ruleset = resolve(contact, rules)
    tz = zone(contact.timezone)
    if tz is None:
        return None, None
    debtor = contact.debtor_id
    mine = [p for p in history if p.debtor_id == debtor]
    if memo is None:
        return _first_lawful_moment(ruleset, contact, mine, tz, not_before, horizon_days)
    key = (ruleset, contact_key(contact), history_key(mine), not_before, horizon_days)
    found = memo.get(key, _MISSING)
    if found is _MISSING:
        found = memo[key] = _first_lawful_moment(
            ruleset, contact, mine, tz, not_before, horizon_days
        )
    return found


_MISSING = object()


def contact_key(contact: Contact) -> tuple:
    """What of a contact the rules read, its debtor and instant aside (a memo key)."""
    return (
        contact.creditor_id,
        contact.country,
        contact.region,
        contact.timezone,
        contact.channel,
        contact.stage,
        contact.purpose,
        contact.consented,
        contact.holds,
        contact.has_active_agreement,
        contact.content,
        contact.creditor_name,
        contact.time_barred,
    )


def history_key(history: Sequence[PastContact]) -> tuple:
    """One debtor's history as a memo key (the debtor's id aside)."""
    return tuple((p.channel, p.at, p.kind) for p in history)


def _first_lawful_moment(ruleset, contact, mine, tz, not_before, horizon_days):
    """(moment, None) or (None, the last refusal met, its text not rendered, or None)."""
    until = not_before + datetime.timedelta(days=horizon_days)
    t = not_before
    refusal = None
    for _step in range(_MAX_STEPS):
        t = _snap(ruleset, contact, t, tz, until)
        if t is None:
            return None, refusal
        ctx = ruleset.context(contact, mine, at=t, prefiltered=True)
        decision, ev = ruleset.evaluate(ctx, explain=False)
        if decision.allowed:
            return t.astimezone(UTC), None
        refusal = decision
        if not ev.time_bound:
            return None, refusal
        nxt = ev.retry_at(ctx)
        if nxt is None:
            return None, refusal
        t = max(nxt, t + _US)
    return None, refusal


# Evaluators whose verdict reads only the contact's own attributes: never its instant, never
# the debtor's history.
_CONTACT_ONLY = (
    ev_types.Hold,
    ev_types.Consent,
    ev_types.Purpose,
    ev_types.ContentOptOut,
    ev_types.ContentIdent,
    ev_types.ContentRespect,
    ev_types.ContentTimeBarred,
    ev_types.NoVisit,
)


# Evaluators that never read the debtor's history: those, and the ones that read the instant.
_HISTORY_BLIND = (*_CONTACT_ONLY, ev_types.Window, ev_types.Rest)


def history_read_as_channels(
    *, contact: Contact, rules: RuleSet | None = None, horizon_days: int = 7
) -> bool:
    """True when the rules read a history of *same-day messages* only through their channels.

    The history meant: the debtor's messages planned for instants of `contact`'s local day,
    every one later than the start of the planner's search (`not_before`), nothing else.
    Then, for any instant of that day and of the `horizon_days` after the search's start, every
    rule's verdict and every retry instant the search can reach is the same for two such
    histories with the same channels (as a multiset), whatever their exact instants:
      * a calendar cap counts contacts per local date (all of them are on the contact's day);
      * a channels rule over `period_days` >= the horizon (and >= 2 days, a local day lasting
        up to 25 h) sees every one of them as near (|t - T| < its period), so its verdict is
        "the channels used plus this one", and its retry instant (T + period) lies past the
        search's end;
      * a cooldown after a conversation never sees a message.
    Any other history rule (an elapsed-time cap, a cooldown after messages, a type this function
    does not know) makes it False: such contacts are decided one by one.
    """
    ruleset = resolve(contact, rules)
    period_floor = datetime.timedelta(days=max(horizon_days, 2))
    for ev in ruleset.evaluators:
        if not ev.applies(contact) or isinstance(ev, _HISTORY_BLIND):
            continue
        if isinstance(ev, ev_types.Cap) and ev.calendar:
            continue
        if isinstance(ev, ev_types.Channels) and ev.length >= period_floor:
            continue
        if isinstance(ev, ev_types.Cooldown) and ev.after_kind != "message":
            continue
        return False
    return True


def refused_whatever_history(*, contact: Contact, rules: RuleSet | None = None) -> bool:
    """True when the rules refuse `contact` at every instant whatever the debtor's history.

    That is: the first rule (in evaluation order) that refuses it reads only the contact's
    own attributes (no consent, a hold, a forbidden purpose or content, a visit), and every
    rule before it reads them only too. Then every search for a lawful moment stops at its
    first try (such a refusal is not time-bound), ended by that rule's refusal, the same for
    every debtor alike in the contact's attributes."""
    ruleset = resolve(contact, rules)
    ctx = ruleset.context(contact, (), prefiltered=True)
    if ctx is None:
        return False
    for ev in ruleset.evaluators:
        if not ev.applies(contact):
            continue
        if not isinstance(ev, _CONTACT_ONLY):
            return False
        if ev.check(ctx) is not None:
            return True
    return False


def history_span(*, contact: Contact, rules: RuleSet | None = None) -> datetime.timedelta | None:
    """How far back a debtor's earlier contacts are read only through their shape, or None.

    For a history whose every contact lies before the planner's search start (`not_before`)
    and later than (the contact's local day's last instant - the returned span), the verdict of
    every rule at any instant of that local day is the same for two debtors whose histories
    have the same (channel, kind, local date) multiset, whatever the exact instants:
      * a calendar cap and a cooldown read channels, kinds and local dates (and `p.at <= at`,
        true of every such contact);
      * a channels rule or an elapsed cap over a period longer than the span sees every such
        contact as near, all in one window (the earliest contact's), so it counts them all.
    `timedelta.max` when no rule compares instants; None when a rule reading the history is of
    a kind this function does not know (such histories are decided one by one). Only verdicts
    at instants of the day are covered, not the retry instants a search would jump to."""
    ruleset = resolve(contact, rules)
    span = datetime.timedelta.max
    for ev in ruleset.evaluators:
        if not ev.applies(contact) or isinstance(ev, _HISTORY_BLIND):
            continue
        if isinstance(ev, ev_types.Cap):
            if not ev.calendar:
                span = min(span, datetime.timedelta(days=ev.period))
            continue
        if isinstance(ev, ev_types.Channels):
            span = min(span, ev.length)
            continue
        if isinstance(ev, ev_types.Cooldown):
            continue
        return None
    return span


def _stable_fraction(key: str) -> float:
    digest = hashlib.blake2b(str(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def decision_at(
    *,
    contact: Contact,
    history: Sequence[PastContact],
    at: datetime.datetime,
    rules: RuleSet | None = None,
):
    """Every rule's verdict on `contact` at instant `at` (the check `spread_moment` makes of
    its pick); None when the debtor's time zone is unknown."""
    ruleset = resolve(contact, rules)
    ctx = ruleset.context(contact, history, at=at)
    return None if ctx is None else ruleset.evaluate(ctx, explain=False)[0]


def spread_fraction(key: str) -> float:
    """Where in the day's lawful slots `spread_moment` puts `key` (0 <= f < 1): a planner that
    spreads many contacts at once computes the same minute from it."""
    return _stable_fraction(key)


def spread_moment(
    *,
    contact: Contact,
    day: datetime.date,
    key: str,
    history: Sequence[PastContact] = (),
    rules: RuleSet | None = None,
    not_before: datetime.datetime | None = None,
    preferred: tuple[datetime.time, datetime.time] | None = None,
    memo: dict | None = None,
) -> datetime.datetime | None:
    """A lawful instant on the debtor's local `day`, spread over that day's slots by a stable
    hash of `key` (the same key always lands on the same minute), or None if the day has no
    lawful moment for this contact. `not_before` (e.g. "now") moves the pick later if needed.
    `preferred` (local from, until) are the hours the debtor asked for in the portal: the pick
    stays inside them where they overlap the lawful slots; they never widen the law's window.
    `memo`: see `first_lawful_moment`."""
    ruleset = resolve(contact, rules)
    tz = zone(contact.timezone)
    if tz is None:
        return None
    slots = [(a, b) for a, b in _day_slots(ruleset, contact, day, tz)]
    if not_before is not None:
        slots = [(max(a, not_before), b) for a, b in slots if b >= not_before]
    if preferred is not None:
        slots = _within_preferred(slots, day=day, tz=tz, preferred=preferred) or slots
    if not slots:
        return None
    total = sum((b - a).total_seconds() for a, b in slots)
    offset = datetime.timedelta(seconds=int(_stable_fraction(key) * total) // 60 * 60)
    pick = slots[-1][1]
    for a, b in slots:
        if a + offset <= b:
            pick = a + offset
            break
        offset -= b - a
    decision, _ev = ruleset.evaluate(ruleset.context(contact, history, at=pick), explain=False)
    if decision.allowed:  # the common case: the hashed minute is free
        return pick.astimezone(UTC)
    day_end = wall_instant(day, 86400, tz, end=True)
    # (From the day's first slot the search is the same for debtors alike: remembered; from
    # the hashed minute it is the debtor's own.)
    for start, remember in ((pick, None), (slots[0][0], memo)):
        found = first_lawful_moment(
            contact=contact,
            history=history,
            rules=ruleset,
            not_before=start,
            horizon_days=max((day_end - start).total_seconds(), 0) / 86400,
            memo=remember,
        )
        if found is not None and found.astimezone(tz).date() == day:
            return found
    return None


def _within_preferred(slots, *, day, tz, preferred):
    """The parts of `slots` inside the debtor's preferred local hours (may be empty)."""
    start = datetime.datetime.combine(day, preferred[0], tzinfo=tz)
    end = datetime.datetime.combine(day, preferred[1], tzinfo=tz)
    return [(max(a, start), min(b, end)) for a, b in slots if min(b, end) > max(a, start)]
