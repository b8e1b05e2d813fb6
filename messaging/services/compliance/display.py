"""Human-readable parameters of a rule (rules page, docs)."""

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from messaging.services.compliance.rules import Rule

CHANNELS = {
    "email": gettext_lazy("e-mail"),
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "voice": gettext_lazy("calls"),
    "letter": gettext_lazy("letters"),
}


PURPOSES = {
    "collection": gettext_lazy("collection"),
    "agreement": gettext_lazy("agreement"),
    "dispute": gettext_lazy("dispute"),
    "transactional": gettext_lazy("transactional"),
    "validation": gettext_lazy("validation notice"),
}


def _purposes(values) -> str:
    return ", ".join(str(PURPOSES.get(v, v)) for v in values)


def _channels(values) -> str:
    if not values:
        return _("all channels")
    return ", ".join(str(CHANNELS.get(v, v)) for v in values)


def describe(rule: Rule) -> str:
    p = rule.params
    t = rule.type
    if t == "window":
        parts = []
        for i, day in enumerate(p["weekly"]):
            text = ", ".join(f"{a}-{b}" for a, b in day) if day else _("no contact")
            parts.append(f"{WEEKDAYS_ABBR[i]} {text}")
        return "; ".join(parts)
    if t == "rest":
        days = ", ".join(str(WEEKDAYS_ABBR[d]) for d in p.get("weekdays", ()))
        if p.get("holidays"):
            return _("%(days)s and national holidays") % {"days": days or "-"}
        return days
    if t == "cap":
        return ngettext(
            "at most %(max)s contact (%(channels)s) in %(days)s day(s)",
            "at most %(max)s contacts (%(channels)s) in %(days)s day(s)",
            p["max"],
        ) % {"max": p["max"], "channels": _channels(p.get("channels")), "days": p["period_days"]}
    if t == "channels":
        return ngettext(
            "at most %(max)s channel in any %(days)s x 24 h",
            "at most %(max)s channels in any %(days)s x 24 h",
            p["max_channels"],
        ) % {"max": p["max_channels"], "days": p["period_days"]}
    if t == "cooldown":
        return _("no %(channels)s for %(days)s days after a conversation (its day is day 1)") % {
            "channels": _channels(p.get("channels")),
            "days": p["days"],
        }
    if t == "hold":
        allowed = p.get("allowed_purposes") or ()
        if allowed:
            return _("only messages with purpose: %(purposes)s") % {"purposes": _purposes(allowed)}
        return _("no contact at all")
    if t == "purpose":
        return _("allowed purposes: %(purposes)s") % {"purposes": ", ".join(p["allowed_purposes"])}
    if t == "consent":
        return _("consent for the channel (letters included)")
    if t == "content_optout":
        return _("%(channels)s: opt-out instructions (STOP, BAJA, unsubscribe link)") % {
            "channels": _channels(p.get("channels"))
        }
    if t == "content_ident":
        return _("the creditor's name appears in the text")
    if t == "visit":
        return _("no field visits")
    if t == "content_respect":
        return _("no legal-action words (demanda, embargo, legal action...) before pre-legal")
    if t == "content_time_barred":
        return _(
            "time-barred debts: the time-barred debt disclosure, and no legal-action words at "
            "any stage"
        )
    return ""
