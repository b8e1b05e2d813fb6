"""The second factor: last four digits of the document and a one-time code sent on file.

Nothing here tells a caller whether a document number exists: the views answer the same
way whatever happens, and only the debtor's own contact point ever receives a code. They also
take the same time: after a typed document, a known and an unknown one run the same queries
and the same hashing, and the code itself is sent by a worker (`code_request`), off the request.
"""

import datetime
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.documents import document_normalise
from messaging.channels import ChannelError, backend_for
from messaging.models import Message
from messaging.rendering import Rendered
from messaging.selectors.inbound import service_window_open
from portal.models import AccessCode
from portal.services import throttle
from portfolio.models import OPEN_STAGES, ContactPoint, Debtor

logger = logging.getLogger(__name__)

CODE_CHANNELS = ("sms", "whatsapp", "email")
CODE_TTL = datetime.timedelta(minutes=10)
SENDS_PER_WINDOW = 5  # codes per debtor per lock window
STARTS_PER_WINDOW = 10  # document look-ups per IP per lock window


def _hash(debtor_id: int | None, code: str) -> str:
    message = f"portal-code:{debtor_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


# Compared against when there is no live code: a wrong code costs the same comparison either way.
_NO_CODE_HASH = "0" * 64


def debtor_by_document(*, document_type: str, document_number: str) -> Debtor | None:
    """The debtor with this document who has an open debt (oldest first), or None.

    Typed with or without separators ("123-45-6789", "123456789"): both are compacted as the
    stored number was (core.documents).
    """
    number = document_normalise(document_type, document_number)
    if not number:
        return None
    return (
        Debtor.objects.filter(
            document_type=document_type, document_number=number, debts__stage__in=OPEN_STAGES
        )
        .order_by("id")
        .first()
    )


def code_destination(debtor: Debtor, *, now=None) -> ContactPoint | None:
    """Where the code goes: a consented SMS, WhatsApp or e-mail contact point, primary first,
    not a dead address. WhatsApp only inside its 24-hour service window (the debtor wrote in
    the last 24 hours): outside it the provider refuses free text for good (Twilio 63016)."""
    points = ContactPoint.objects.filter(
        debtor=debtor, channel__in=CODE_CHANNELS, consent_granted=True, invalid_at__isnull=True
    ).order_by("-is_primary", "id")
    by_channel: dict[str, ContactPoint] = {}
    for point in points:
        by_channel.setdefault(point.channel, point)
    whatsapp = by_channel.get("whatsapp")
    if whatsapp is not None and not service_window_open(
        channel="whatsapp", address=whatsapp.value, at=now or timezone.now()
    ):
        del by_channel["whatsapp"]
    return next((by_channel[c] for c in CODE_CHANNELS if c in by_channel), None)


def masked_destination(point: ContactPoint | None) -> str:
    if point is None:
        return ""
    value = point.value
    if point.channel == "email" and "@" in value:
        name, domain = value.split("@", 1)
        return f"{name[:1]}•••@{domain}"
    return "•••" + value[-2:]


def _text(debtor: Debtor, code: str) -> tuple[str, str]:
    with translation.override(debtor.language or "es"):
        subject = _("Your access code for the payments portal")
        body = _(
            "Your access code is %(code)s. It expires in 10 minutes. "
            "Nobody from %(creditor)s will ask you for it."
        ) % {"code": code, "creditor": debtor.creditor.name}
    return subject, body


def code_request(*, debtor_id: int | None) -> None:
    """Have a worker send the debtor a code; the same call when there is nobody to send to.

    Finding the contact point, making the code, the outbox row and the provider's call take
    time: done in the request, they told whoever typed a document whether it exists (issue
    #15). The request only queues the task, with `None` for an unknown or locked document.
    """
    from portal.tasks import portal_code_send_task  # the tasks module imports this one

    portal_code_send_task.delay(debtor_id)


def code_send_to(*, debtor_id: int | None) -> AccessCode | None:
    """The worker's side of `code_request`: nothing to do for None or a debtor now gone."""
    if debtor_id is None:
        return None
    debtor = Debtor.objects.select_related("creditor").filter(pk=debtor_id).first()
    return code_send(debtor=debtor) if debtor is not None else None


def code_send(*, debtor: Debtor) -> AccessCode | None:
    """Issue a code and send it as a transactional message; None when none could be sent."""
    now = timezone.now()
    keys = [f"send:{debtor.pk}"]
    if throttle.locked_until(keys, now=now):
        return None
    throttle.failure_record(keys, now=now, limit=SENDS_PER_WINDOW)
    point = code_destination(debtor)
    if point is None:
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    subject, body = _text(debtor, code)
    stage = (
        debtor.debts.filter(stage__in=OPEN_STAGES).values_list("stage", flat=True).first()
        or "current"
    )
    with transaction.atomic():
        # Older codes stop working when a new one is sent.
        AccessCode.objects.filter(debtor=debtor, used_at__isnull=True).update(used_at=now)
        access = AccessCode.objects.create(
            debtor=debtor,
            contact_point=point,
            channel=point.channel,
            code_hash=_hash(debtor.pk, code),
            expires_at=now + CODE_TTL,
        )
        # In the outbox like every message (the code itself is not kept there).
        message = Message.objects.create(
            creditor_id=debtor.creditor_id,
            debtor=debtor,
            channel=point.channel,
            template="portal_code",
            purpose="transactional",
            stage=stage,
            language=debtor.language or "es",
            business_date=timezone.localdate(now),
            to=point.value,
            planned_for=now,
            sent_at=now,
            status=Message.Status.SENT,
            subject=subject,
            body=body.replace(code, "••••••"),
            idempotency_key=f"portal_code:{access.pk}",
            attempts=1,
        )
        try:
            result = backend_for(point.channel).send(message, Rendered(subject=subject, body=body))
        except ChannelError as exc:
            logger.warning("portal code for debtor %s not sent: %s", debtor.pk, exc)
            message.status = Message.Status.FAILED
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["status", "last_error", "updated_at"])
            return None
        message.provider_message_id = result.provider_message_id[:120]
        message.save(update_fields=["provider_message_id", "updated_at"])
    return access


@dataclass(frozen=True)
class Check:
    ok: bool
    locked_until: datetime.datetime | None = None


# Wrong answers count against whoever is being verified, never against a connection: one
# debtor's mistakes must not lock every debtor behind the same address (a phone carrier's NAT,
# an office). Look-ups by document stay limited per connection (`start_allowed`): that is where
# guessing documents is stopped.


def _subject_keys(debtor_id: int | None, stand_in: str | None) -> list[str]:
    """Whose wrong answers these are, and whose lockout the visitor is shown.

    After a typed document: the document's stand-in key, the same whether it names a debtor or
    not. After a personal link: the debtor's key.
    """
    if stand_in:
        return [stand_in]
    return [throttle.debtor_key(debtor_id)] if debtor_id else []


def _guard_keys(debtor_id: int | None, stand_in: str | None) -> list[str]:
    """After a typed document that names a debtor, the debtor's own key: their lockout stops a
    sign-in there too, without being shown (it would tell the document exists)."""
    return [throttle.debtor_key(debtor_id)] if stand_in and debtor_id else []


def lockout(*, debtor_id: int | None, stand_in: str | None = None) -> datetime.datetime | None:
    """The lockout in force that the visitor is shown, or None."""
    return throttle.locked_until(_subject_keys(debtor_id, stand_in))


def sending_locked(*, debtor_id: int | None, stand_in: str | None = None) -> bool:
    """Whether no code may be sent now: the visitor's lockout, or the debtor's own.

    One look-up of the same shape whether the typed document names a debtor or not.
    """
    keys = _subject_keys(debtor_id, stand_in) + _guard_keys(debtor_id, stand_in)
    return throttle.locked_until(keys) is not None


def last_digits_check(*, debtor_id: int, digits: str) -> Check:
    """Do these characters end the debtor's document? Wrong answers lock the debtor out."""
    keys = _subject_keys(debtor_id, None)
    until = throttle.locked_until(keys)
    if until:
        return Check(False, until)
    debtor = Debtor.objects.filter(pk=debtor_id).only("document_type", "document_number").first()
    digits = (digits or "").strip().upper()
    expected = debtor.document_number[-4:] if debtor else None
    if expected and len(digits) == 4 and hmac.compare_digest(digits, expected):
        return Check(True)
    return Check(False, throttle.failure_record(keys))


@transaction.atomic
def code_verify(*, debtor_id: int | None, code: str, stand_in: str | None = None) -> Check:
    """Check a code against the debtor's latest live code; five wrong answers lock out.

    Without a debtor (an unknown document, counted under `stand_in`) the same statements run
    and find nothing, so a wrong code takes as long whether the document exists or not.
    """
    now = timezone.now()
    subject, guard = _subject_keys(debtor_id, stand_in), _guard_keys(debtor_id, stand_in)
    locks = throttle.locks(subject + guard, now=now)
    shown = max((locks[key] for key in subject if key in locks), default=None)
    if shown:
        return Check(False, shown)
    # The debtor locked out (after their link) cannot sign in from a typed document either;
    # the answer is an ordinary wrong one, reached through the same statements.
    barred = any(key in locks for key in guard)
    code = re.sub(r"\s", "", code or "")
    # Without a debtor, id 0 (never a row's) makes the same index look-up, which finds nothing.
    access = (
        AccessCode.objects.select_for_update()
        .filter(debtor_id=debtor_id or 0, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-id")
        .first()
    )
    expected = access.code_hash if access is not None else _NO_CODE_HASH
    matches = hmac.compare_digest(expected, _hash(debtor_id, code))
    if matches and access is not None and not barred:
        access.used_at = now
        access.save(update_fields=["used_at"])
        throttle.success_record(subject + guard)
        return Check(True)
    # One wrong answer more on the live code (none: the same UPDATE, of no row); the last
    # allowed one burns it, so a new code is needed after the lockout.
    AccessCode.objects.filter(pk=access.pk if access is not None else 0).update(
        attempts=F("attempts") + 1,
        used_at=Case(
            When(attempts__gte=throttle.max_failures() - 1, then=now), default=F("used_at")
        ),
    )
    return Check(False, throttle.failure_record(subject, now=now))


def start_allowed(*, ip: str | None) -> bool:
    """Look-ups by document from one IP are limited (each counts, found or not)."""
    key = ["start:" + throttle.ip_key(ip)]
    if throttle.locked_until(key):
        return False
    throttle.failure_record(key, limit=STARTS_PER_WINDOW)
    return True
