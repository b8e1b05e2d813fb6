"""The reasons messaging's services record (codes for core.reasons; see that module)."""

import datetime

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date
from core.reasons import reason_register
from messaging.services.compliance.rules import all_legal_rules
from portfolio.models import Channel

NO_ADDRESS = reason_register("message.no_address", _("no contact point for this channel"))
OPTED_OUT = reason_register("message.opted_out", _("the debtor opted out of this channel"))
ADDRESS_INVALID = reason_register(
    "message.address_invalid", _("the address is marked invalid: the provider reported it dead")
)
NO_LAWFUL_MOMENT = reason_register("message.no_window", _("no lawful moment within a week"))
# WhatsApp outside the 24-hour service window takes only a template the provider approved.
WHATSAPP_NO_TEMPLATE = reason_register(
    "message.whatsapp_no_template",
    _("the WhatsApp text has no approved provider template (Twilio Content SID)"),
)

# Why a contact rule stopped a message. `label` holds the rule id, shown as the rule's
# translated label; the texts are the ones the evaluators used to write out.
_RULE_LABELS = {rule_id: r.label for rule_id, r in all_legal_rules().items()}
_LABELS = {"label": _RULE_LABELS}


def _day_text(value) -> str:
    """An ISO date of the debtor's calendar as the reader writes it ("sábado, 5 de diciembre
    de 2026", "Saturday, December 5, 2026"); the value as stored when it is not one."""
    try:
        return format_date(datetime.date.fromisoformat(str(value)), length="full")
    except ValueError:
        return str(value or "")


def _minute_text(value) -> str:
    """The debtor's local minute, stored "2026-12-05 15:01", as the reader writes it
    ("15:01 on Saturday, December 5, 2026"); the value as stored when it is not one."""
    day, _sep, time = str(value or "").partition(" ")
    if not time:
        return str(value or "")
    return gettext("%(time)s on %(day)s") % {"time": time, "day": _day_text(day)}


def _holiday(params) -> str:
    from messaging.services.compliance.timeutil import holiday_calendar

    named = holiday_calendar(params.get("country", ""), params.get("region", ""))
    day = params.get("day", "")
    try:
        name = named.get(datetime.date.fromisoformat(day)) if named is not None else ""
    except (TypeError, ValueError):
        name = ""
    return gettext("%(label)s: %(day)s is a holiday (%(name)s).") % {
        "label": _rule_label(params.get("label", "")),
        "day": _day_text(day),
        "name": name or "",
    }


def _channels_used(params) -> str:
    channels = dict(Channel.choices)
    used = ", ".join(str(channels.get(c, c)) for c in params.get("channels") or ())
    return gettext("%(label)s: %(channels)s already used this week.") % {
        "label": _rule_label(params.get("label", "")),
        "channels": used,
    }


def _cap_reached(params) -> str:
    try:
        days = int(params.get("days"))
    except (TypeError, ValueError):
        days = 0
    return ngettext(
        "%(label)s: the limit of %(max)s in %(days)s day is reached.",
        "%(label)s: the limit of %(max)s in %(days)s days is reached.",
        days,
    ) % {"label": _rule_label(params.get("label", "")), "max": params.get("max"), "days": days}


def _rule_label(rule_id: str) -> str:
    return str(_RULE_LABELS.get(rule_id, rule_id))


RULE = reason_register("compliance.rule", "%(label)s", labels=_LABELS)
NO_CONSENT = reason_register(
    "compliance.no_consent",
    _("%(label)s: the debtor has not consented to %(channel)s."),
    labels={**_LABELS, "channel": Channel},
)
NO_OPT_OUT_TEXT = reason_register(
    "compliance.no_opt_out_text",
    _("%(label)s: the text has no opt-out instructions."),
    labels=_LABELS,
)
NO_CREDITOR_NAME = reason_register(
    "compliance.no_creditor_name",
    _("%(label)s: the text does not name %(creditor)s."),
    labels=_LABELS,
)
FORBIDDEN_WORD = reason_register(
    "compliance.forbidden_word", _("%(label)s: the text says “%(word)s”."), labels=_LABELS
)
NO_TIME_BARRED_DISCLOSURE = reason_register(
    "compliance.no_time_barred_disclosure",
    _("%(label)s: the text lacks the time-barred debt disclosure."),
    labels=_LABELS,
)
# The dates of these reasons are stored ISO and written in the reader's language when shown.
OUTSIDE_HOURS = reason_register(
    "compliance.outside_hours",
    _("%(label)s: %(time)s (local time) is outside the contact hours."),
    labels=_LABELS,
    formats={"time": _minute_text},
)
REST_DAY = reason_register(
    "compliance.rest_day",
    _("%(label)s: %(day)s is a rest day."),
    labels=_LABELS,
    formats={"day": _day_text},
)
HOLIDAY = reason_register(
    "compliance.holiday",
    _("%(label)s: %(day)s is a holiday (%(name)s)."),
    labels=_LABELS,
    render=_holiday,
)
CAP_REACHED = reason_register(
    "compliance.cap_reached",
    _("%(label)s: the limit of %(max)s in %(days)s days is reached."),
    labels=_LABELS,
    render=_cap_reached,  # "in 1 day", "in 7 days"
)
CHANNELS_USED = reason_register(
    "compliance.channels_used",
    _("%(label)s: %(channels)s already used this week."),
    labels=_LABELS,
    render=_channels_used,
)
COOLDOWN = reason_register(
    "compliance.cooldown",
    _("%(label)s: conversation on %(day)s; calls again from %(next)s."),
    labels=_LABELS,
    formats={"day": _day_text, "next": _day_text},
)
THANKS_WITHDRAWN = reason_register(
    "message.thanks_withdrawn", _("the payment it thanked for was reversed")
)
