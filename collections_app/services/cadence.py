"""The reminder cadence as rows a manager edits (stage, when, day, channel, template) and back
to the JSON the daily cycle reads (collections_app.models.policies.default_cadence)."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collections_app.models.policies import LADDER
from portfolio.models import Channel, Stage

# The triggers of a cadence rule; on_entry has no day, the others one day per row.
TRIGGERS = ("days_before_due", "dpd", "on_entry", "every_days")
LIST_TRIGGERS = ("days_before_due", "dpd")
TRIGGER_LABELS = {
    "days_before_due": gettext_lazy("Days before the due date"),
    "dpd": gettext_lazy("Days past due"),
    "on_entry": gettext_lazy("On entering the stage"),
    "every_days": gettext_lazy("Every N days in the stage"),
}


def enabled_channels() -> list[str]:
    """The channels with a sending backend configured (CARTERA_CHANNEL_BACKENDS)."""
    backends = getattr(settings, "CARTERA_CHANNEL_BACKENDS", {})
    return [c for c in Channel.values if backends.get(c)]


def cadence_rows(cadence: dict) -> list[dict]:
    """One row per (stage, trigger, day, channel) of a cadence, in the cadence's order."""
    rows = []
    for stage in LADDER:
        for rule in (cadence or {}).get(stage, []) or []:
            trigger = next((t for t in TRIGGERS if t in rule), None)
            if trigger is None:
                continue
            value = rule[trigger]
            if trigger in LIST_TRIGGERS:
                days = list(value)
            elif trigger == "every_days":
                days = [value]
            else:
                days = [None]
            for day in days:
                for channel in rule.get("channels", []):
                    rows.append(
                        {
                            "stage": str(stage),
                            "trigger": trigger,
                            "day": day,
                            "channel": channel,
                            "template": rule.get("template", ""),
                        }
                    )
    return rows


def cadence_from_rows(rows: list[dict]) -> dict:
    """The cadence JSON the cycle reads from edited rows: rules grouped by stage, trigger and
    template; a dpd / days_before_due rule lists its days (ascending) for a set of channels.
    Every ladder stage is a key (an empty list when it sends nothing)."""
    # (stage, trigger, template, day) -> channels, in the rows' order
    by_day: dict[tuple, list[str]] = {}
    for row in rows:
        day = None if row["trigger"] == "on_entry" else row["day"]
        key = (row["stage"], row["trigger"], row["template"], day)
        channels = by_day.setdefault(key, [])
        if row["channel"] not in channels:
            channels.append(row["channel"])
    cadence: dict[str, list[dict]] = {str(stage): [] for stage in LADDER}
    merged: dict[tuple, dict] = {}
    for (stage, trigger, template, day), channels in by_day.items():
        if trigger in LIST_TRIGGERS:
            # Days that share the same channels make one rule, as the default policy writes it.
            key = (stage, trigger, template, tuple(channels))
            if key in merged:
                merged[key][trigger].append(day)
                continue
            rule = {trigger: [day], "channels": channels, "template": template}
            merged[key] = rule
        elif trigger == "every_days":
            rule = {"every_days": day, "channels": channels, "template": template}
        else:
            rule = {"on_entry": True, "channels": channels, "template": template}
        cadence[stage].append(rule)
    for rule in merged.values():
        for trigger in LIST_TRIGGERS:
            if trigger in rule:
                rule[trigger] = sorted(rule[trigger])
    return cadence


def cadence_problems(cadence: dict, *, creditor) -> list[str]:
    """The row checks of `cadence_row_problems` for a cadence given as JSON (the admin, a
    script): one message per problem, naming the stage, trigger and day it is about."""
    messages = []
    rows = cadence_rows(cadence)
    for index, errors in sorted(cadence_row_problems(rows, creditor=creditor).items()):
        row = rows[index]
        where = _("%(stage)s, %(trigger)s %(day)s, %(channel)s") % {
            "stage": Stage(row["stage"]).label,
            "trigger": TRIGGER_LABELS[row["trigger"]],
            "day": "" if row["day"] is None else row["day"],
            "channel": dict(Channel.choices).get(row["channel"], row["channel"]),
        }
        messages.extend(f"{where}: {message}" for message in errors.values())
    return messages


def cadence_row_problems(rows: list[dict], *, creditor) -> dict[int, dict[str, str]]:
    """What is wrong with each edited row (row index -> field -> message): a day where the
    trigger needs one, days that do not go up for a channel (per stage and trigger), a channel
    without a sending backend, a template code that has no active text for that channel
    (the creditor's own or the default)."""
    from messaging.models import MessageTemplate

    problems: dict[int, dict[str, str]] = {}
    enabled = set(enabled_channels())
    known = set(
        MessageTemplate.objects.filter(is_active=True, code__in={r["template"] for r in rows})
        .filter(Q(creditor__isnull=True) | Q(creditor=creditor))
        .values_list("code", "channel")
    )
    last_day: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        errors: dict[str, str] = {}
        trigger, day = row["trigger"], row["day"]
        if trigger != "on_entry":
            if day is None:
                errors["day"] = _("Give the day.")
            elif trigger == "every_days" and day < 1:
                errors["day"] = _("Every 1 day or more.")
            else:
                key = (row["stage"], trigger, row["channel"])
                if key in last_day and day <= last_day[key]:
                    errors["day"] = _(
                        "Days must go up for each channel (after day %(day)s), without repeats."
                    ) % {"day": last_day[key]}
                else:
                    last_day[key] = day
        if row["channel"] not in enabled:
            errors["channel"] = _("This channel is not enabled.")
        elif (row["template"], row["channel"]) not in known:
            errors["template"] = _("No active template %(code)s for %(channel)s.") % {
                "code": row["template"],
                "channel": Channel(row["channel"]).label,
            }
        if errors:
            problems[index] = errors
    return problems
