"""WhatsApp's rules for business-initiated messages: the 24-hour service window and templates.

Inside the window (an inbound WhatsApp from the debtor's number within the last 24 hours) a
message may go as free text; outside it only an approved template goes (on Twilio: its Content
SID plus ContentVariables, a JSON object mapping "1", "2", ... to values). Free text sent outside
the window fails at the provider with error 63016, which is permanent.

Everything here is decided for a whole batch or per template version, never per message where a
version alone decides: the planner and the sender call it once per set.
"""

import datetime
import re

from django.utils.translation import gettext as _

from messaging.addresses import address_normalise
from messaging.models import InboundMessage
from messaging.rendering import CONTEXT_DOC
from messaging.selectors import inbound

# WhatsApp's customer service window (the inbox's definition).
WINDOW = inbound.SERVICE_WINDOW
# The rule a WhatsApp message is closed under when its text has no approved template.
TEMPLATE_RULE = "WA-TEMPLATE"
CONTENT_SID_RE = re.compile(r"HX[0-9a-fA-F]{32}")
# Twilio's error for free text outside the service window (a template sent as Body since
# April 2025): permanent.
OUTSIDE_WINDOW_CODE = 63016
# Context names a placeholder may take: the plain values (the list of debts is not one).
VARIABLE_NAMES = tuple(name for name in CONTEXT_DOC if name != "debts")
MAX_VARIABLES = 100


def provider_template_problems(*, provider_template_id: str, provider_variables) -> dict:
    """Field errors of a version's provider template id and variable mapping (empty: valid)."""
    errors: dict[str, list[str]] = {}
    sid = (provider_template_id or "").strip()
    if sid and not CONTENT_SID_RE.fullmatch(sid):
        errors["provider_template_id"] = [
            _(
                "A Twilio Content SID is “HX” followed by 32 hexadecimal characters "
                "(0-9, a-f), e.g. HX0123456789abcdef0123456789abcdef."
            )
        ]
    if not isinstance(provider_variables, dict):
        errors["provider_variables"] = [
            _('The variables must map numbers to names, e.g. {"1": "first_name", "2": "amount"}.')
        ]
        return errors
    problems = []
    numbers = []
    for key in provider_variables:
        text = str(key).strip()
        if not text.isdigit() or text != str(int(text)) or int(text) < 1:
            problems.append(
                _("“%(key)s” is not a variable number (1, 2, 3…).") % {"key": str(key)[:20]}
            )
        else:
            numbers.append(int(text))
    if len(provider_variables) > MAX_VARIABLES:
        problems.append(_("At most %(max)s variables.") % {"max": MAX_VARIABLES})
    elif len(numbers) == len(provider_variables) and sorted(numbers) != list(
        range(1, len(numbers) + 1)
    ):
        problems.append(
            _("The variables must be numbered 1 to %(n)s without gaps (got %(got)s).")
            % {"n": len(numbers), "got": ", ".join(str(n) for n in sorted(numbers))}
        )
    for key, name in provider_variables.items():
        if not isinstance(name, str) or name not in VARIABLE_NAMES:
            problems.append(
                _("Variable %(key)s: “%(name)s” is not a template variable (one of %(names)s).")
                % {
                    "key": str(key)[:20],
                    "name": str(name)[:60],
                    "names": ", ".join(VARIABLE_NAMES),
                }
            )
    if problems:
        errors["provider_variables"] = problems
    return errors


_PLACEHOLDER = re.compile(r"{{\s*(\w+)[^}]*}}")


def suggested_variables(body: str) -> dict[str, str]:
    """A mapping for a text: its placeholders in the order they appear, numbered 1, 2, ...

    What a template registered with the provider from this text would number them (the
    manager checks it against the template Twilio approved)."""
    names = [n for n in dict.fromkeys(_PLACEHOLDER.findall(body or "")) if n in VARIABLE_NAMES]
    return {str(number): name for number, name in enumerate(names, 1)}


def variables_normalise(provider_variables: dict) -> dict:
    """The mapping with its keys as "1", "2", ... in order (it has passed the checks)."""
    return {
        str(int(key)): provider_variables[key]
        for key in sorted(provider_variables, key=lambda k: int(str(k).strip()))
    }


def content_variables(version, context: dict) -> dict[str, str]:
    """The values of a version's placeholders for one message: "1" -> text, from its context.

    The context's values are already what the text shows (amounts with their currency in the
    debtor's locale, dates in their language), so a template says what the body would say.
    Twilio refuses an empty value: an empty one is sent as a dash.
    """
    values = {}
    for number, name in (version.provider_variables or {}).items():
        value = context.get(name, "")
        values[str(number)] = str(value).strip() or "-"
    return values


def service_windows_open(*, contacts) -> set[tuple[str, datetime.datetime]]:
    """Which of `contacts` ((address, at) pairs) fall in an open WhatsApp service window: an
    inbound WhatsApp from that address within the 24 hours up to `at`. One query for the set.

    A batch sent now asks about one instant (the inbox's `service_windows_open`); a replayed
    date checks each message at its own planned moment: the inbound of the span, read once.
    """
    contacts = [(address, at) for address, at in contacts if address]
    if not contacts:
        return set()
    instants = {at for _address, at in contacts}
    if len(instants) == 1:
        [at] = instants
        opened = inbound.service_windows_open(
            channel="whatsapp", addresses={a for a, _at in contacts}, at=at
        )
        return {(address, at) for address, at in contacts if address in opened}
    normal = {
        address: address_normalise(channel="whatsapp", address=address) for address, _at in contacts
    }
    received: dict[str, list[datetime.datetime]] = {}
    rows = InboundMessage.objects.filter(
        channel="whatsapp",
        address__in=set(normal.values()),
        received_at__gt=min(instants) - WINDOW,
        received_at__lte=max(instants),
    ).values_list("address", "received_at")
    for address, received_at in rows:
        received.setdefault(address, []).append(received_at)
    return {
        (address, at)
        for address, at in contacts
        if any(at - WINDOW < t <= at for t in received.get(normal[address], ()))
    }
