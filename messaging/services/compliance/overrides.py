"""Creditor overrides: which parameters may change, the "never looser than the law" check,
and the merge that applies them (the merge tightens even if a stored row were looser)."""

from django.utils.translation import gettext as _

from messaging.services.compliance.evaluators import WEEKDAYS, window_intervals
from messaging.services.compliance.rules import Rule, all_legal_rules
from messaging.services.compliance.timeutil import hhmm

OVERRIDABLE_TYPES = ("window", "rest", "cap", "channels", "cooldown")


def overridable_rules() -> dict[str, Rule]:
    return {rid: r for rid, r in all_legal_rules().items() if r.type in OVERRIDABLE_TYPES}


def _fmt(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _int(params, key) -> int:
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(key)
    return value


def override_errors(rule: Rule, params: dict) -> list[str]:
    """Why `params` would loosen (or do not fit) `rule`; empty when the override is valid."""
    return [message for _key, message in override_problems(rule, params)]


def override_problems(rule: Rule, params: dict) -> list[tuple[str | None, str]]:
    """(parameter key, message) pairs: "weekly:<weekday>", "weekdays", "max", "period_days",
    "max_channels", "days" or None; empty when the override is at least as strict as the law."""
    errors = _Problems()
    p = rule.params
    t = rule.type
    if t not in OVERRIDABLE_TYPES:
        return [(None, _("%(rule)s cannot be changed per creditor.") % {"rule": rule.id})]
    try:
        if t == "window":
            weekly = params["weekly"]
            if len(weekly) != 7:
                raise ValueError("weekly")
            ours = window_intervals(weekly)
            legal = window_intervals(p["weekly"])
            for i, (mine, law) in enumerate(zip(ours, legal, strict=True)):
                name = str(WEEKDAYS[i])
                for a, b in mine:
                    if a >= b:
                        errors.key = f"weekly:{i}"
                        errors.append(
                            _("%(day)s: %(start)s-%(end)s is not a time range.")
                            % {"day": name, "start": _fmt(a), "end": _fmt(b)}
                        )
                    elif not any(la <= a and b <= lb for la, lb in law):
                        errors.key = f"weekly:{i}"
                        bound = ", ".join(f"{_fmt(x)}-{_fmt(y)}" for x, y in law) or _("none")
                        errors.append(
                            _(
                                "%(rule)s: %(day)s %(start)s-%(end)s is outside the legal "
                                "window (%(bound)s)."
                            )
                            % {
                                "rule": rule.id,
                                "day": name,
                                "start": _fmt(a),
                                "end": _fmt(b),
                                "bound": bound,
                            }
                        )
        elif t == "rest":
            days = params.get("weekdays", [])
            if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days):
                raise ValueError("weekdays")
            missing = sorted(set(p.get("weekdays", ())) - set(days))
            errors.key = "weekdays"
            if missing:
                errors.append(
                    _("%(rule)s: the law forbids contact on %(days)s; keep them.")
                    % {
                        "rule": rule.id,
                        "days": ", ".join(str(WEEKDAYS[d]) for d in sorted(missing)),
                    }
                )
            if p.get("holidays") and not params.get("holidays", True):
                errors.append(_("%(rule)s: holidays stay rest days.") % {"rule": rule.id})
        elif t in ("cap", "channels"):
            key = "max" if t == "cap" else "max_channels"
            errors.key = key
            mine = _int(params, key) if key in params else p[key]
            if mine < (1 if t == "channels" else 0):
                raise ValueError(key)
            if mine > p[key]:
                errors.append(
                    _("%(rule)s: at most %(bound)s is the legal limit (you asked for %(value)s).")
                    % {"rule": rule.id, "bound": p[key], "value": mine}
                )
            errors.key = "period_days"
            period = _int(params, "period_days") if "period_days" in params else p["period_days"]
            if period < p["period_days"]:
                errors.append(
                    _("%(rule)s: the period must be at least %(bound)s days (legal).")
                    % {"rule": rule.id, "bound": p["period_days"]}
                )
            if period > 366:
                raise ValueError("period_days")
        elif t == "cooldown":
            errors.key = "days"
            days = _int(params, "days")
            if days < p["days"]:
                errors.append(
                    _("%(rule)s: the cool-down must be at least %(bound)s days (legal).")
                    % {"rule": rule.id, "bound": p["days"]}
                )
            if days > 366:
                raise ValueError("days")
    except (KeyError, TypeError, ValueError, AttributeError):
        errors.append(_("%(rule)s: the parameters are not valid.") % {"rule": rule.id})
    return errors.items


class _Problems:
    def __init__(self):
        self.key = None
        self.items: list[tuple[str | None, str]] = []

    def append(self, message):
        self.items.append((self.key, message))


def _intersect(mine, law):
    out = []
    for a, b in mine:
        for la, lb in law:
            lo, hi = max(a, la), min(b, lb)
            if lo < hi:
                out.append((_fmt(lo), _fmt(hi)))
    return tuple(out)


def tighten(rule: Rule, params: dict) -> Rule:
    """The rule with the override applied; every value is clamped to the stricter side."""
    p = rule.params
    t = rule.type
    try:
        if t == "window":
            ours = window_intervals(params["weekly"])
            legal = window_intervals(p["weekly"])
            weekly = tuple(_intersect(m, law) for m, law in zip(ours, legal, strict=True))
            return rule.with_params({"weekly": weekly})
        if t == "rest":
            days = tuple(sorted(set(p.get("weekdays", ())) | set(params.get("weekdays", ()))))
            return rule.with_params({"weekdays": days})
        if t in ("cap", "channels"):
            key = "max" if t == "cap" else "max_channels"
            return rule.with_params(
                {
                    key: min(int(params.get(key, p[key])), p[key]),
                    "period_days": max(int(params.get("period_days", 0)), p["period_days"]),
                }
            )
        if t == "cooldown":
            return rule.with_params({"days": max(int(params.get("days", 0)), p["days"])})
    except (KeyError, TypeError, ValueError):
        pass
    return rule


def parse_window_text(text: str) -> tuple:
    """ "08:00-12:00, 14:00-18:00" → (("08:00", "12:00"), ("14:00", "18:00")); "" → ()."""
    out = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        start, end = (x.strip() for x in part.split("-"))
        hhmm(start), hhmm(end)
        out.append((start, end))
    return tuple(out)
