"""Rule sets (law + creditor overrides, compiled once) and the check itself.

`compliance_check` runs no database query when it is given a `rules` set: the planner loads
rule sets once (`ruleset_cache()`), then checks ~100k contacts with plain Python.
"""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.reasons import Reason
from messaging import reasons
from messaging.services.compliance.evaluators import EVALUATORS, Ctx, Hold, Rest, Window
from messaging.services.compliance.overrides import tighten
from messaging.services.compliance.rules import Rule, legal_rules
from messaging.services.compliance.timeutil import zone
from messaging.services.compliance.types import ALLOWED, Contact, Decision, PastContact

TIMEZONE_RULE = "ALL-TIMEZONE"
VISIT_CHANNEL = "visit"


class RuleSet:
    """The rules that apply to debtors of one country/region for one creditor, compiled."""

    def __init__(self, *, country: str, region: str, creditor_id: int | None, rules):
        self.country = country
        self.region = region
        self.creditor_id = creditor_id
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.evaluators = tuple(EVALUATORS[r.type](r) for r in self.rules)
        self.windows = tuple(e for e in self.evaluators if isinstance(e, Window))
        self.rests = tuple(e for e in self.evaluators if isinstance(e, Rest))
        self._by_channel: dict[str, tuple] = {}
        self.slot_cache: dict[tuple, tuple] = {}

    def _for_channel(self, channel: str) -> tuple:
        found = self._by_channel.get(channel)
        if found is None:
            probe = _Probe(channel)
            found = tuple(e for e in self.evaluators if e.applies(probe))
            self._by_channel[channel] = found
        return found

    def __repr__(self):
        return f"<RuleSet {self.country}/{self.region or '-'} creditor={self.creditor_id}>"

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def ids(self) -> list[str]:
        return [r.id for r in self.rules]

    def context(
        self,
        contact: Contact,
        history: Sequence[PastContact],
        *,
        at=None,
        prefiltered: bool = False,
    ) -> Ctx | None:
        """The evaluation context; `at` checks the contact at another instant, `prefiltered`
        says `history` already holds only this debtor's contacts."""
        when = at or contact.at
        if when.tzinfo is None:
            raise ValueError("Contact.at must be an aware datetime")
        tz = zone(contact.timezone)
        if tz is None:
            return None
        if not prefiltered:
            # Only this debtor's contacts count. The caller leaves the contact being checked
            # out of `history` (at send time: every other sent or planned contact).
            debtor = contact.debtor_id
            history = [p for p in history if p.debtor_id == debtor]
        return Ctx(contact, tz, history, at)

    def evaluate(self, ctx: Ctx, *, time_only: bool = False, explain: bool = True):
        """(Decision, evaluator that stopped it or None). `explain=False` leaves a refusal's
        text empty (its coded reason is kept): for searches that only need the verdict."""
        for ev in self._for_channel(ctx.contact.channel):
            if time_only and not ev.time_bound:
                continue
            reason = ev.check(ctx)
            if reason is not None:
                text = reason_text(reason) if explain else ""
                return Decision(False, ev.rule.id, text, reason), ev
        return ALLOWED, None

    def check(self, contact: Contact, history: Sequence[PastContact] = ()) -> Decision:
        ctx = self.context(contact, history)
        if ctx is None:
            return _timezone_decision(contact)
        return self.evaluate(ctx)[0]


# The text of a refusal, per language and reason: a planner asks about hundreds of thousands of
# contacts a night and most refusals repeat (the same rule, the same local midnight); building
# each text again through gettext cost more than the rules themselves.
_REASON_TEXTS: dict[tuple, str] = {}


def reason_text(reason) -> str:
    """A refusal's text in the active language (cached per language, code and params)."""
    params = getattr(reason, "params", None)
    if not isinstance(reason, Reason) or not isinstance(params, dict):
        return str(reason)
    key = (translation.get_language(), reason.code, repr(sorted(params.items())))
    text = _REASON_TEXTS.get(key)
    if text is None:
        if len(_REASON_TEXTS) > 100_000:
            _REASON_TEXTS.clear()
        text = _REASON_TEXTS[key] = str(reason)
    return text


class _Probe:
    """Evaluators only look at the channel to decide whether they apply."""

    __slots__ = ("channel",)

    def __init__(self, channel):
        self.channel = channel


def _timezone_decision(contact: Contact) -> Decision:
    return Decision(
        False,
        TIMEZONE_RULE,
        _("Unknown time zone %(tz)s: no lawful local time can be computed.")
        % {"tz": contact.timezone or "-"},
    )


def _co_unanswered_calls_count() -> bool:
    return bool(getattr(settings, "COMPLIANCE_CO_COUNT_UNANSWERED_CALLS", True))


@lru_cache(maxsize=512)
def _legal(country: str, region: str, count_unanswered: bool) -> tuple[Rule, ...]:
    rules = legal_rules(country=country, region=region)
    if not count_unanswered:
        rules = tuple(
            r.with_params({"kinds": ("message", "conversation")}, overridden=False)
            if r.id == "CO-DAY"
            else r
            for r in rules
        )
    return rules


@lru_cache(maxsize=512)
def _legal_ruleset(country: str, region: str, count_unanswered: bool) -> RuleSet:
    return RuleSet(
        country=country,
        region=region,
        creditor_id=None,
        rules=_legal(country, region, count_unanswered),
    )


def _norm(country: str, region: str) -> tuple[str, str]:
    return (country or "").upper(), (region or "").upper()


def build_ruleset(*, country, region, creditor_id, overrides: dict[str, dict]) -> RuleSet:
    country, region = _norm(country, region)
    count_unanswered = _co_unanswered_calls_count()
    if not overrides:
        base = _legal_ruleset(country, region, count_unanswered)
        if creditor_id is None:
            return base
        return RuleSet(country=country, region=region, creditor_id=creditor_id, rules=base.rules)
    rules = [
        tighten(r, overrides[r.id]) if r.id in overrides else r
        for r in _legal(country, region, count_unanswered)
    ]
    return RuleSet(country=country, region=region, creditor_id=creditor_id, rules=rules)


def load_overrides(creditor_ids: Iterable[int] | None) -> dict[int, dict[str, dict]]:
    """{creditor_id: {rule_id: params}} for the active overrides (one query)."""
    from messaging.models import ComplianceOverride

    qs = ComplianceOverride.objects.filter(is_active=True)
    if creditor_ids is not None:
        qs = qs.filter(creditor_id__in=list(creditor_ids))
    out: dict[int, dict[str, dict]] = {}
    for creditor_id, rule_id, params in qs.values_list("creditor_id", "rule_id", "params"):
        out.setdefault(creditor_id, {})[rule_id] = params
    return out


def rules_for(*, country: str, region: str = "", creditor_id: int | None = None) -> RuleSet:
    """Law for the debtor's country/region, tightened by the creditor's overrides (1 query)."""
    overrides = load_overrides([creditor_id]).get(creditor_id, {}) if creditor_id else {}
    return build_ruleset(
        country=country, region=region, creditor_id=creditor_id, overrides=overrides
    )


class RuleSetCache:
    """Rule sets for many creditors with one query: `cache.get(country, region, creditor_id)`
    (or `cache.for_contact(contact)`). Build one per planning run / dispatch batch."""

    def __init__(self, creditor_ids: Iterable[int] | None = None):
        self._overrides = load_overrides(creditor_ids)
        self._all = creditor_ids is None
        self._known = None if creditor_ids is None else set(creditor_ids)
        self._sets: dict[tuple, RuleSet] = {}

    def get(self, country: str, region: str = "", creditor_id: int | None = None) -> RuleSet:
        key = (*_norm(country, region), creditor_id)
        found = self._sets.get(key)
        if found is None:
            if creditor_id is not None and not self._all and creditor_id not in self._known:
                self._overrides.update(load_overrides([creditor_id]))
                self._known.add(creditor_id)
            found = build_ruleset(
                country=key[0],
                region=key[1],
                creditor_id=creditor_id,
                overrides=self._overrides.get(creditor_id, {}),
            )
            self._sets[key] = found
        return found

    def for_contact(self, contact: Contact) -> RuleSet:
        return self.get(contact.country, contact.region, contact.creditor_id)


def ruleset_cache(*, creditor_ids: Iterable[int] | None = None) -> RuleSetCache:
    return RuleSetCache(creditor_ids)


def resolve(contact: Contact, rules: RuleSet | None) -> RuleSet:
    if rules is None:
        return rules_for(
            country=contact.country, region=contact.region, creditor_id=contact.creditor_id
        )
    if isinstance(rules, RuleSetCache):
        return rules.for_contact(contact)
    return rules


def compliance_check(
    *, contact: Contact, history: Sequence[PastContact], rules: RuleSet | None = None
) -> Decision:
    """May this contact happen at `contact.at`? The first rule that says no is named."""
    return resolve(contact, rules).check(contact, history)


def visit_rule(rules: RuleSet) -> Rule | None:
    """The rule of `rules` that forbids field visits outright (CO-VISIT), or None."""
    return next((r for r in rules.rules if r.type == "visit"), None)


def visits_forbidden_by(*, country: str, region: str = "") -> Rule | None:
    """The law's rule forbidding field visits to debtors of `country`/`region`, or None
    (no query: creditors cannot loosen it, and a visit rule is not overridable)."""
    country, region = _norm(country, region)
    return visit_rule(_legal_ruleset(country, region, _co_unanswered_calls_count()))


def visit_check(*, contact: Contact, rules: RuleSet | None = None) -> Decision:
    """May a collector visit the debtor at `contact.at`? A visit rule forbids it outright
    (CO-VISIT, DEFAULT-VISIT); elsewhere a visit is a contact for the holds, rest days and
    contact hours (MX-WINDOW: "contact or visit only in local hours"). Consent, caps and
    content rules are about calls and messages, not visits."""
    contact = replace(contact, channel=VISIT_CHANNEL)
    ruleset = resolve(contact, rules)
    forbidding = visit_rule(ruleset)
    if forbidding is not None:
        coded = Reason(reasons.RULE, {"label": forbidding.id})
        return Decision(False, forbidding.id, str(forbidding.label), coded)
    ctx = ruleset.context(contact, ())
    if ctx is None:
        return _timezone_decision(contact)
    for ev in ruleset.evaluators:
        if isinstance(ev, Hold | Rest | Window):
            reason = ev.check(ctx)
            if reason is not None:
                return Decision(False, ev.rule.id, str(reason), reason)
    return ALLOWED
