"""Reads for the portal: always filtered by the signed-in debtor (another id is a 404)."""

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from babel import dates as babel_dates
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from agreements.models import OPEN_STATUSES, Instalment, PaymentAgreement
from complaints.models import Complaint, ComplaintAttachment, ComplaintEvent
from complaints.models.complaint import SENT_KINDS
from complaints.selectors.complaints import debtor_complaint_get, debtor_complaints
from core.documents import DOCUMENT_COUNTRY, document_normalise
from core.formatting import active_locale
from core.validation import TIMEZONES, default_timezone, phone_to_e164
from portal.models import ContactPreference, Dispute, PaymentIntent
from portal.services.access import (
    CODE_CHANNELS,
    code_destination,
    debtor_by_document,
    masked_destination,
)
from portfolio.models import OPEN_STAGES, ContactPoint, Debt, Debtor, Payment


@dataclass(frozen=True)
class PortalContact:
    """Whom a visitor can call and the time zone their times are shown in.

    `creditor` is empty while the portal does not know whose debtor the visitor is: then the
    page says "your creditor" and gives the portal's support line.
    """

    creditor: str
    phone: str
    zone: str
    phone_region: str = ""  # where the phone is dialled from, to read a national number

    @property
    def tel(self) -> str:
        """The phone as a `tel:` URI (E.164 when it parses), for a tap to call."""
        number = phone_to_e164(self.phone, self.phone_region)
        return "tel:" + (number or re.sub(r"[^+0-9]", "", self.phone))

    def local_time(self, when: datetime.datetime) -> dict[str, str]:
        """`when` as the reader's clock shows it, and the city that names their zone."""
        zone = zoneinfo.ZoneInfo(self.zone)
        locale = active_locale()
        return {
            "time": babel_dates.format_time(when.astimezone(zone), "short", locale=locale),
            "city": babel_dates.get_timezone_location(zone, locale=locale, return_city=True),
        }


def _zone(*candidates: str) -> str:
    return next((z for z in candidates if z in TIMEZONES), settings.TIME_ZONE)


def portal_contact(*, debtor_id: int | None = None, document_type: str = "") -> PortalContact:
    """The creditor and phone a visitor sees, and their time zone.

    With a debtor (a personal link, a sign-in): their creditor's name and phone, and the
    debtor's time zone on file, else the creditor country's. Without one (the start page, a
    typed document, known or not: nothing here may tell them apart): the portal's support line,
    and the zone of the country that issues the typed document type.
    """
    support = settings.CARTERA_PORTAL_SUPPORT_PHONE
    row = None
    if debtor_id:
        row = (
            Debtor.objects.filter(pk=debtor_id)
            .values_list(
                "timezone",
                "country",
                "creditor__name",
                "creditor__contact_phone",
                "creditor__country",
            )  # fmt: skip
            .first()
        )
    if row is None:
        country = DOCUMENT_COUNTRY.get((document_type or "").upper(), "")
        zone = default_timezone(country) if country else ""
        return PortalContact(creditor="", phone=support, zone=_zone(zone))
    zone, country, name, phone, creditor_country = row
    return PortalContact(
        creditor=name,
        phone=phone or support,
        zone=_zone(zone, default_timezone(creditor_country or country)),
        phone_region=creditor_country if phone else "",
    )


def debtor_debts(debtor_id: int):
    return (
        Debt.objects.filter(debtor_id=debtor_id)
        .select_related("creditor")
        .order_by("due_date", "id")
    )


def debtor_debt(debtor_id: int, debt_id: int) -> Debt:
    """One of the debtor's own debts, or Http404 (whether or not the id exists)."""
    return get_object_or_404(debtor_debts(debtor_id), pk=debt_id)


def debt_payments(debt: Debt) -> list[Payment]:
    return list(debt.payments.order_by("-paid_at", "-id")[:50])


def debt_agreement(debt: Debt) -> PaymentAgreement | None:
    """The debt's open agreement (active or waiting for approval) with its schedule."""
    return (
        PaymentAgreement.objects.filter(lines__debt=debt, status__in=OPEN_STATUSES)
        .prefetch_related(Prefetch("instalments", queryset=Instalment.objects.order_by("number")))
        .order_by("-created_at", "-id")
        .first()
    )


def debt_disputes(debt: Debt) -> list[Dispute]:
    return list(debt.portal_disputes.select_related("hold", "complaint").order_by("-created_at"))


def debtor_intent(debtor_id: int, reference: str) -> PaymentIntent:
    return get_object_or_404(
        PaymentIntent.objects.select_related("debt", "debt__creditor"),
        provider_reference=reference,
        debt__debtor_id=debtor_id,
    )


def debt_waiting_intents(debt: Debt) -> list[PaymentIntent]:
    """The debt's rail payments still open (a SPEI CLABE, an OXXO voucher, a Bre-B request)
    whose instructions have not expired: the debtor comes back to them from the debt."""
    now = timezone.now()
    return list(
        PaymentIntent.objects.filter(
            debt=debt,
            status__in=(PaymentIntent.Status.CREATED, PaymentIntent.Status.PENDING),
            method__in=(
                PaymentIntent.Method.SPEI,
                PaymentIntent.Method.OXXO,
                PaymentIntent.Method.BREB,
            ),
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")[:10]
    )


# Above this many debtors the planner's read of preferred hours takes every debtor's and keeps
# the given ones': a first cycle at 1M debts asked for 333,334 debtors, and sending their ids
# as one array took 0.60-0.66 s (for no preference at all); 20,000 ids take 0.03 s.
PREFERRED_BY_ID_MAX = 10_000


def preferred_hours(*, debtor_ids) -> dict[int, tuple[datetime.time, datetime.time]]:
    """The contact hours each debtor chose in the portal (only well-formed windows), for the
    planner: the one read other apps make of portal preferences."""
    wanted = list(debtor_ids)
    rows = ContactPreference.objects.filter(
        preferred_from__isnull=False, preferred_to__isnull=False
    )
    if len(wanted) <= PREFERRED_BY_ID_MAX:
        rows = rows.filter(debtor_id__any=wanted)
    keep = set(wanted)
    return {
        debtor_id: (start, end)
        for debtor_id, start, end in rows.values_list("debtor_id", "preferred_from", "preferred_to")
        if start < end and debtor_id in keep
    }


@dataclass(frozen=True)
class SignInExample:
    """A debtor who can sign in to the portal, and what they type there."""

    debtor: Debtor
    document_type: str
    document_number: str
    last_digits: str
    channel: str  # where the one-time code goes: sms, whatsapp or email
    destination: str  # that contact point, masked as the portal shows it


def sign_in_example(*, look_at: int = 50) -> SignInExample | None:
    """The first debtor (by id) who can sign in with their document, for the demo's banner.

    Can sign in: an open debt, a consented channel for the code, and their document finds them
    (not an earlier debtor with the same document). The same seeded data gives the same debtor.
    """
    consented = ContactPoint.objects.filter(
        debtor=OuterRef("pk"), channel__in=CODE_CHANNELS, consent_granted=True
    )
    open_debt = Debt.objects.filter(debtor=OuterRef("pk"), stage__in=OPEN_STAGES)
    candidates = (
        Debtor.objects.filter(Exists(open_debt), Exists(consented))
        .exclude(document_number="")
        .order_by("id")[:look_at]
    )
    for debtor in candidates:
        found = debtor_by_document(
            document_type=debtor.document_type, document_number=debtor.document_number
        )
        point = code_destination(debtor)
        if found is None or found.pk != debtor.pk or point is None:
            continue
        number = document_normalise(debtor.document_type, debtor.document_number)
        return SignInExample(
            debtor=debtor,
            document_type=debtor.document_type,
            document_number=number,
            last_digits=number[-4:],
            channel=point.channel,
            destination=masked_destination(point),
        )
    return None


def debt_page_reads(*, user) -> dict:
    """Whether the debtor ever signed in to the portal (the portal panel shows nothing more
    when not), read with the debt page's debt (portfolio.hooks.debt_page_reads)."""
    from django.db.models import Exists, OuterRef

    from core.memo import keep
    from portal.models import AccessCode

    return {
        "_read_portal_used": (
            Exists(AccessCode.objects.filter(debtor_id=OuterRef("debtor_id"))),
            lambda debt, used: keep(debt, "portal_used", bool(used)),
        )
    }


def debtor_requests(debtor_id: int) -> list[Complaint]:
    """The debtor's own requests and complaints, newest first."""
    return list(debtor_complaints(debtor_id=debtor_id))


def debtor_request(debtor_id: int, number: str) -> Complaint:
    """One of the debtor's own requests by its number, or Http404 (another debtor's too)."""
    complaint = debtor_complaint_get(debtor_id=debtor_id, number=(number or "").strip().upper())
    if complaint is None:
        raise Http404
    return complaint


def request_sent_steps(complaint: Complaint) -> list[ComplaintEvent]:
    """What was sent to the debtor (acknowledgement, requests for information, extensions,
    answers), exactly as sent, oldest first."""
    return list(
        complaint.events.filter(kind__in=SENT_KINDS).exclude(body="").order_by("occurred_at", "id")
    )


def request_debtor_steps(complaint: Complaint) -> list[ComplaintEvent]:
    """The information the debtor sent after filing, oldest first."""
    return list(
        complaint.events.filter(kind=ComplaintEvent.Kind.INFO_RECEIVED, by_debtor=True)
        .exclude(body="")
        .order_by("occurred_at", "id")
    )


def request_debtor_attachments(complaint: Complaint) -> list[ComplaintAttachment]:
    return list(complaint.attachments.filter(by_debtor=True).order_by("uploaded_at", "id"))
