"""One generic evaluator per rule *type*; the rule's parameters say what it checks.

An evaluator answers two questions about a contact in context: `check` → None when the rule
passes, else the reason (a core.reasons.Reason: a code and params, rendered in the viewer's
language when shown); `retry_at` → the earliest instant at which waiting could
make the rule pass (None: waiting never helps, e.g. a hold). The planner uses the second to jump
forward instead of scanning minute by minute.
"""

import datetime
import re
import unicodedata
from functools import lru_cache

from django.utils.dates import WEEKDAYS_ABBR

from core.reasons import Reason
from messaging import reasons
from messaging.services.compliance.rules import TIME_BARRED_DISCLOSURE
from messaging.services.compliance.timeutil import (
    hhmm,
    holiday_dates,
    local_midnight,
    seconds_of_day,
    wall_instant,
)

DAY = datetime.timedelta(days=1)
WEEKDAYS = WEEKDAYS_ABBR  # Monday first, translated
STAGE_ORDER = ("current", "friendly_reminder", "firm_notice", "pre_legal", "legal")


class Ctx:
    """What the evaluators need about one contact: its local time and the debtor's history."""

    __slots__ = ("contact", "at", "tz", "local", "history", "_dates", "_folded")

    def __init__(self, contact, tz, history, at=None):
        self.contact = contact
        self.at = at = at or contact.at  # the planner tries other instants without copying
        self.tz = tz
        self.local = at.astimezone(tz)
        self.history = history
        self._dates = None
        self._folded = None

    def folded_content(self) -> str:
        if self._folded is None:
            self._folded = fold_text(self.contact.content or "")
        return self._folded

    def local_dates(self):
        if self._dates is None:
            tz = self.tz
            self._dates = [p.at.astimezone(tz).date() for p in self.history]
        return self._dates


def _rule_reason(rule, code=reasons.RULE, **params) -> Reason:
    return Reason(code, {"label": rule.id, **params})


class Evaluator:
    time_bound = False  # True: waiting can make it pass

    def __init__(self, rule):
        self.rule = rule
        self.params = rule.params
        channels = self.params.get("channels")
        self.channels = frozenset(channels) if channels else None

    def applies(self, contact) -> bool:
        return self.channels is None or contact.channel in self.channels

    def check(self, ctx) -> Reason | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def retry_at(self, ctx) -> datetime.datetime | None:
        return None


class Hold(Evaluator):
    def __init__(self, rule):
        super().__init__(rule)
        self.kinds = frozenset(self.params["kinds"])
        self.allowed = frozenset(self.params.get("allowed_purposes", ()))

    def check(self, ctx):
        c = ctx.contact
        if c.holds and not self.kinds.isdisjoint(c.holds) and c.purpose not in self.allowed:
            return _rule_reason(self.rule)
        return None


class Consent(Evaluator):
    def check(self, ctx):
        if not ctx.contact.consented:
            return _rule_reason(self.rule, reasons.NO_CONSENT, channel=ctx.contact.channel)
        return None


class Purpose(Evaluator):
    def __init__(self, rule):
        super().__init__(rule)
        self.allowed = frozenset(self.params["allowed_purposes"])

    def check(self, ctx):
        c = ctx.contact
        if c.has_active_agreement and c.purpose not in self.allowed:
            return _rule_reason(self.rule)
        return None


@lru_cache(maxsize=64)
def _markers_re(markers: tuple) -> re.Pattern:
    return re.compile("|".join(f"(?:{m})" for m in markers), re.IGNORECASE)


class ContentOptOut(Evaluator):
    def __init__(self, rule):
        super().__init__(rule)
        self.pattern = _markers_re(tuple(self.params["markers"]))

    def check(self, ctx):
        content = ctx.contact.content
        if content is None:
            return None
        if not self.pattern.search(content):
            return _rule_reason(self.rule, reasons.NO_OPT_OUT_TEXT)
        return None


def fold_text(text: str) -> str:
    """Lower case, accents removed: "Acción" and "accion" match alike (other non-ASCII
    characters are dropped, which only matters for matching)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed.encode("ascii", "ignore").decode("ascii")


class ContentIdent(Evaluator):
    def check(self, ctx):
        c = ctx.contact
        # Without a creditor name the caller gave us nothing to check against (documented).
        if c.content is None or not c.creditor_name:
            return None
        if fold_text(c.creditor_name.strip()) not in ctx.folded_content():
            return _rule_reason(self.rule, reasons.NO_CREDITOR_NAME, creditor=c.creditor_name)
        return None


@lru_cache(maxsize=64)
def _words_re(words: tuple) -> re.Pattern:
    alternatives = "|".join(re.escape(fold_text(w)) for w in words)
    return re.compile(rf"\b(?:{alternatives})\b")


@lru_cache(maxsize=1)
def _disclosures_re() -> re.Pattern:
    """The time-barred debt disclosures (any language, any creditor name), folded."""
    alternatives = []
    for text in TIME_BARRED_DISCLOSURE.values():
        before, after = fold_text(text).split("{creditor}")
        alternatives.append(re.escape(before) + r".{1,250}?" + re.escape(after))
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def without_disclosures(folded: str) -> str:
    """A folded text without the time-barred disclosure, whose "will not sue you" is the
    opposite of a threat (the legal-action word lists must not read it as one)."""
    return _disclosures_re().sub(" ", folded)


class ContentRespect(Evaluator):
    def __init__(self, rule):
        super().__init__(rule)
        start = STAGE_ORDER.index(self.params["from_stage"])
        self.free_stages = frozenset(STAGE_ORDER[start:])
        self.pattern = _words_re(tuple(self.params["words"]))

    def check(self, ctx):
        c = ctx.contact
        # Unknown or closed stages count as "before pre_legal" (conservative).
        if c.content is None or c.stage in self.free_stages:
            return None
        found = self.pattern.search(without_disclosures(ctx.folded_content()))
        if found:
            return _rule_reason(self.rule, reasons.FORBIDDEN_WORD, word=found.group(0))
        return None


class ContentTimeBarred(Evaluator):
    """A time-barred debt's text carries the disclosure and no legal-action word, at any
    stage (the pre-legal exemption of ContentRespect does not apply: never threaten a suit)."""

    def __init__(self, rule):
        super().__init__(rule)
        self.pattern = _words_re(tuple(self.params["words"]))

    def check(self, ctx):
        c = ctx.contact
        if c.content is None or not c.time_barred:
            return None
        folded = ctx.folded_content()
        if not _disclosures_re().search(folded):
            return _rule_reason(self.rule, reasons.NO_TIME_BARRED_DISCLOSURE)
        found = self.pattern.search(without_disclosures(folded))
        if found:
            return _rule_reason(self.rule, reasons.FORBIDDEN_WORD, word=found.group(0))
        return None


def window_intervals(weekly) -> tuple[tuple[tuple[int, int], ...], ...]:
    """[(start_s, end_s), ...] for each weekday, Monday first (ends inclusive)."""
    return tuple(tuple(sorted((hhmm(a), hhmm(b)) for a, b in day)) for day in weekly)


def describe_weekly(weekly) -> str:
    parts = []
    for i, day in enumerate(weekly):
        name = str(WEEKDAYS[i])
        text = ", ".join(f"{a}-{b}" for a, b in day) if day else "-"
        parts.append(f"{name} {text}")
    return "; ".join(parts)


class Window(Evaluator):
    time_bound = True

    def __init__(self, rule):
        super().__init__(rule)
        self.intervals = window_intervals(self.params["weekly"])

    def check(self, ctx):
        local = ctx.local
        s = seconds_of_day(local)
        for start, end in self.intervals[local.weekday()]:
            if start <= s <= end:
                return None
        return _rule_reason(self.rule, reasons.OUTSIDE_HOURS, time=local.strftime("%Y-%m-%d %H:%M"))

    def slots(self, day, tz):
        return [
            (wall_instant(day, a, tz), wall_instant(day, b, tz, end=True))
            for a, b in self.intervals[day.weekday()]
        ]


class Rest(Evaluator):
    time_bound = True

    def __init__(self, rule):
        super().__init__(rule)
        self.weekdays = frozenset(self.params.get("weekdays", ()))
        self.use_holidays = bool(self.params.get("holidays"))

    def is_rest(self, day, contact) -> Reason | None:
        if day.weekday() in self.weekdays:
            return _rule_reason(self.rule, reasons.REST_DAY, day=day.isoformat())
        if not self.use_holidays:
            return None
        country, region = (contact.country or "").upper(), (contact.region or "").upper()
        cal = holiday_dates(country, region)
        if cal is not None and day in cal:
            # The holiday's name is looked up when shown, in the viewer's language.
            return _rule_reason(
                self.rule, reasons.HOLIDAY, day=day.isoformat(), country=country, region=region
            )
        return None

    def check(self, ctx):
        return self.is_rest(ctx.local.date(), ctx.contact)

    def retry_at(self, ctx):
        return local_midnight(ctx.local.date() + DAY, ctx.tz)


class Cap(Evaluator):
    """At most `max` contacts (on `channels`, of `kinds`) in any `period_days` window.

    mode "calendar": windows of consecutive local calendar days; "elapsed": rolling 24 h x days.
    """

    time_bound = True

    def __init__(self, rule):
        super().__init__(rule)
        self.max = int(self.params["max"])
        self.period = int(self.params["period_days"])
        self.calendar = self.params.get("mode", "calendar") == "calendar"
        self.kinds = frozenset(self.params.get("kinds") or ())

    def _counted(self, p) -> bool:
        return (self.channels is None or p.channel in self.channels) and (
            not self.kinds or p.kind in self.kinds
        )

    def check(self, ctx):
        if self.calendar:
            today = ctx.local.date()
            span = self.period - 1
            dates = [
                (d - today).days
                for p, d in zip(ctx.history, ctx.local_dates(), strict=True)
                if self._counted(p) and abs((d - today).days) <= span
            ]
            if not dates:
                return None if self.max >= 1 else self._reason()
            for start in range(-span, 1):
                n = sum(1 for off in dates if start <= off <= start + span)
                if n + 1 > self.max:
                    return self._reason()
            return None
        at, length = ctx.at, datetime.timedelta(days=self.period)
        times = [p.at for p in ctx.history if self._counted(p) and abs(p.at - at) < length]
        starts = [t for t in times if t <= at] + [at]
        for s in starts:
            n = sum(1 for t in times if s <= t < s + length)
            if n + 1 > self.max:
                return self._reason()
        return None

    def _reason(self):
        return _rule_reason(self.rule, reasons.CAP_REACHED, max=self.max, days=self.period)

    def retry_at(self, ctx):
        if self.calendar:
            return local_midnight(ctx.local.date() + DAY, ctx.tz)
        at, length = ctx.at, datetime.timedelta(days=self.period)
        later = [p.at + length for p in ctx.history if self._counted(p) and p.at + length > at]
        return min(later) if later else None


class Channels(Evaluator):
    """At most `max_channels` distinct channels in any rolling window of `period_days` x 24 h."""

    time_bound = True

    def __init__(self, rule):
        super().__init__(rule)
        self.max = int(self.params["max_channels"])
        self.length = datetime.timedelta(days=int(self.params["period_days"]))

    def check(self, ctx):
        at, length, channel = ctx.at, self.length, ctx.contact.channel
        near = [p for p in ctx.history if abs(p.at - at) < length]
        if not near or all(p.channel == channel for p in near) and self.max >= 1:
            return None
        starts = [p.at for p in near if p.at <= at] + [at]
        for s in starts:
            used = {p.channel for p in near if s <= p.at < s + length}
            used.add(channel)
            if len(used) > self.max:
                return _rule_reason(
                    self.rule, reasons.CHANNELS_USED, channels=sorted(used - {channel})
                )
        return None

    def retry_at(self, ctx):
        at, length = ctx.at, self.length
        later = [p.at + length for p in ctx.history if p.at + length > at]
        return min(later) if later else None


class Cooldown(Evaluator):
    """No contact on `channels` for `days` days after a `after_kind` (day of it = day 1)."""

    time_bound = True

    def __init__(self, rule):
        super().__init__(rule)
        self.days = int(self.params["days"])
        self.after_kind = self.params.get("after_kind", "conversation")

    def _blocking(self, ctx):
        today, at = ctx.local.date(), ctx.at
        return [
            d
            for p, d in zip(ctx.history, ctx.local_dates(), strict=True)
            if p.kind == self.after_kind and p.at <= at and 0 <= (today - d).days < self.days
        ]

    def check(self, ctx):
        blocking = self._blocking(ctx)
        if blocking:
            last = max(blocking)
            return _rule_reason(
                self.rule,
                reasons.COOLDOWN,
                day=last.isoformat(),
                next=(last + datetime.timedelta(days=self.days)).isoformat(),
            )
        return None

    def retry_at(self, ctx):
        blocking = self._blocking(ctx)
        if not blocking:
            return None
        return local_midnight(max(blocking) + datetime.timedelta(days=self.days), ctx.tz)


class NoVisit(Evaluator):
    """Field visits are forbidden outright (the rule's `channels` is ("visit",))."""

    def check(self, ctx):
        return _rule_reason(self.rule)


EVALUATORS = {
    "hold": Hold,
    "consent": Consent,
    "purpose": Purpose,
    "content_optout": ContentOptOut,
    "content_ident": ContentIdent,
    "content_respect": ContentRespect,
    "content_time_barred": ContentTimeBarred,
    "window": Window,
    "rest": Rest,
    "cap": Cap,
    "channels": Channels,
    "cooldown": Cooldown,
    "visit": NoVisit,
}
