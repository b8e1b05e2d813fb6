"""Delivery visibility: when a sent message is overdue for its delivery event, and which
notices failed. Data per channel; the outbox, the message page and the case page read it.

A message is **stuck** when it is still `sent`, with no delivery, failure or bounce event,
longer after it left than its channel normally takes to confirm delivery. A plain letter never
confirms delivery (the post sends nothing back), a call is final when it is listed and an
e-mail sent by SMTP (no ESP's tracking webhooks) never hears back, so none of them is stuck;
a certified letter is overdue when its proof of receipt has not come.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from messaging.models import DeliveryEvent, Message
from messaging.services.compliance.bureau import BUREAU_NOTICE_TEMPLATES
from messaging.services.compliance.certified import certified_q, certified_required
from messaging.services.compliance.purpose import VALIDATION_TEMPLATE

CERTIFIED = "certified_letter"
# How long each channel normally takes to report delivery (providers' callbacks arrive within
# seconds to minutes for SMS and WhatsApp, within hours for e-mail; certified mail's receipt
# comes back within about two weeks, domestic).
EXPECTED_DELIVERY = {
    "sms": datetime.timedelta(minutes=30),
    "whatsapp": datetime.timedelta(minutes=30),
    "email": datetime.timedelta(hours=6),
    CERTIFIED: datetime.timedelta(days=15),
    "letter": None,
    "voice": None,
}
# The messages whose failure the case page shows: notices the law or the ladder relies on.
NOTICE_TEMPLATES = (*BUREAU_NOTICE_TEMPLATES, VALIDATION_TEMPLATE, "firm_notice")
OUTCOME_KINDS = (
    DeliveryEvent.Kind.DELIVERED,
    DeliveryEvent.Kind.FAILED,
    DeliveryEvent.Kind.BOUNCED,
)


def email_reports_delivery() -> bool:
    """Whether e-mail delivery news can come at all: an ESP's tracking webhooks are served
    (CARTERA_EMAIL_ESP with its webhook secret). SMTP and the console never report, so their
    e-mails would all look stuck."""
    from messaging.email_webhooks import esp_served

    esp = (settings.CARTERA_EMAIL_ESP or "").lower()
    return bool(esp) and esp_served(esp)


def expected_delivery(*, channel: str, certified: bool = False) -> datetime.timedelta | None:
    """How long after sending a message of `channel` should have reported delivery (None:
    it never reports)."""
    if channel == "letter" and certified:
        return EXPECTED_DELIVERY[CERTIFIED]
    if channel == "email" and not email_reports_delivery():
        return None
    return EXPECTED_DELIVERY.get(channel)


def stuck_q(*, now: datetime.datetime) -> Q:
    """Messages stuck in `sent` at `now` (see the module), as a Q over Message."""
    certified = certified_q()
    by_channel = Q(pk__in=[])
    for channel, delay in EXPECTED_DELIVERY.items():
        if delay is None or (channel == "email" and not email_reports_delivery()):
            continue
        if channel == CERTIFIED:
            by_channel |= certified & Q(sent_at__lt=now - delay)
        elif channel == "letter":
            by_channel |= Q(channel="letter", sent_at__lt=now - delay) & ~certified
        else:
            by_channel |= Q(channel=channel, sent_at__lt=now - delay)
    outcome = DeliveryEvent.objects.filter(message=OuterRef("pk"), kind__in=OUTCOME_KINDS)
    return Q(status=Message.Status.SENT, sent_at__isnull=False) & by_channel & ~Exists(outcome)


def message_stuck(message: Message, *, now: datetime.datetime, country: str) -> bool:
    """The same for one message already read (its outcome events would have moved it on)."""
    if message.status != Message.Status.SENT or message.sent_at is None:
        return False
    certified = certified_required(
        country=country, template=message.template, channel=message.channel
    )
    delay = expected_delivery(channel=message.channel, certified=certified)
    return delay is not None and message.sent_at < now - delay


def notice_failed(message: Message) -> bool:
    """Whether `message` is a notice that failed or bounced (never reached the debtor)."""
    return message.template in NOTICE_TEMPLATES and message.status == Message.Status.FAILED
