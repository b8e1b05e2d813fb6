"""May the debtor be called now, and from when if not: the compliance engine's answer for the
phones of a case and for one page of the work queue, told in the debtor's local time.

The engine (messaging.services.compliance) decides; these reads only gather what it needs for
a set of debts at once (consent, holds, active agreements, the last days' contacts and the
creditors' rule overrides), so a page of 25 rows costs the same few queries as one case.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agreements.models import AgreementStatus, PaymentAgreement
from collections_app.models import Interaction
from collections_app.services.contacts import (
    COMPLIANCE_CHANNEL,
    HISTORY_DAYS,
    debt_contact,
    past_contact_kind,
)
from core.memo import already_read
from messaging.models import Message
from messaging.services import compliance
from portfolio.models import Channel, ContactPoint, Debt, Hold

# How far ahead "from when" looks: a week covers every window, rest day, cap and cool-down.
HORIZON_DAYS = 7


@dataclass(frozen=True)
class CallStatus:
    """The engine's answer for a call to the debtor at `now`; `next_at` (in the debtor's zone)
    is the first lawful moment when the answer is no and waiting helps, else None."""

    allowed: bool
    now: datetime.datetime  # the moment asked about, in the debtor's zone
    rule: str = ""
    reason: str = ""
    next_at: datetime.datetime | None = None

    @property
    def label(self) -> str:
        """ "Callable now", "From 08:00", "Tomorrow from 07:00", "Monday 8 from 07:00"..."""
        if self.allowed:
            return _("Callable now")
        if self.next_at is None:
            return _("Not callable")
        time = formats.time_format(self.next_at, "H:i")
        days = (self.next_at.date() - self.now.date()).days
        if days <= 0:
            return _("From %(time)s") % {"time": time}
        if days == 1:
            return _("Tomorrow from %(time)s") % {"time": time}
        return _("%(day)s from %(time)s") % {
            "day": formats.date_format(self.next_at, "l j").capitalize(),
            "time": time,
        }

    @property
    def waits(self) -> bool:
        """Not now, but later (a contact window, rest day, cap or cool-down)."""
        return not self.allowed and self.next_at is not None


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # an empty or unknown zone: the engine refuses the call
        return timezone.get_current_timezone()


def contact_histories(
    *, debtor_ids: Iterable[int], at: datetime.datetime
) -> dict[int, list[compliance.PastContact]]:
    """Each debtor's contacts of the last days that the engine counts: logged interactions and
    messages the outbox sent (2 queries for all the debtors)."""
    ids = list(set(debtor_ids))
    since = at - datetime.timedelta(days=HISTORY_DAYS)
    rows = Interaction.objects.filter(debtor_id__in=ids, occurred_at__gte=since).values_list(
        "debtor_id", "channel", "outcome", "occurred_at"
    )
    sent = Message.objects.filter(
        debtor_id__in=ids,
        status__in=(Message.Status.SENT, Message.Status.DELIVERED),
        planned_for__gte=since,
    ).values_list("debtor_id", "channel", "planned_for", "sent_at")
    return _histories(ids, at=at, interactions=rows, messages=sent)


def contact_histories_from(
    *, debtor_id: int, at: datetime.datetime, interactions, messages
) -> dict[int, list[compliance.PastContact]]:
    """contact_histories of one debtor from rows read beforehand (Interaction and Message
    instances, newest first, reaching back at least HISTORY_DAYS before `at`)."""
    since = at - datetime.timedelta(days=HISTORY_DAYS)
    return _histories(
        [debtor_id],
        at=at,
        interactions=[
            (i.debtor_id, i.channel, i.outcome, i.occurred_at)
            for i in interactions
            if i.occurred_at >= since
        ],
        messages=[
            (m.debtor_id, m.channel, m.planned_for, m.sent_at)
            for m in messages
            if m.planned_for >= since
        ],
    )


def _histories(ids, *, at, interactions, messages) -> dict[int, list[compliance.PastContact]]:
    history: dict[int, list[compliance.PastContact]] = {pk: [] for pk in ids}
    for debtor_id, channel, outcome, occurred_at in interactions:
        kind = past_contact_kind(channel=channel, outcome=outcome)
        if kind is not None:
            history[debtor_id].append(
                compliance.PastContact(
                    debtor_id=debtor_id,
                    channel=COMPLIANCE_CHANNEL[channel],
                    at=occurred_at,
                    kind=kind,
                )
            )
    for debtor_id, channel, planned_for, sent_at in messages:
        history[debtor_id].append(
            compliance.PastContact(debtor_id=debtor_id, channel=channel, at=sent_at or planned_for)
        )
    return history


def _call_facts(debts: Sequence[Debt]) -> dict[int, tuple[bool, bool, frozenset[str]]]:
    """{debt id: (the debtor consented to calls, has an active agreement, the kinds of the
    holds in force on the debt or its debtor as a whole)}: one query for all the debts."""
    holds = Hold.objects.filter(debtor_id=OuterRef("debtor_id"), closed_at__isnull=True).filter(
        Q(debt_id=OuterRef("pk")) | Q(debt__isnull=True)
    )
    rows = (
        Debt.objects.filter(pk__in=[d.pk for d in debts])
        .annotate(
            voice=Exists(
                ContactPoint.objects.filter(
                    debtor_id=OuterRef("debtor_id"), channel=Channel.VOICE, consent_granted=True
                )
            ),
            agreement=Exists(
                PaymentAgreement.objects.filter(
                    debtor_id=OuterRef("debtor_id"), status=AgreementStatus.ACTIVE
                )
            ),
            hold_kinds=ArraySubquery(holds.values("kind")),
        )
        .values_list("pk", "voice", "agreement", "hold_kinds")
    )
    return {pk: (voice, agreement, frozenset(kinds)) for pk, voice, agreement, kinds in rows}


class _Caller:
    """Asks the engine about calls to the debtors of a set of debts, with shared reads: their
    consent, agreements and holds (1 query), the last days' contacts (2) and the creditors'
    rule overrides (1)."""

    def __init__(self, *, debts: Sequence[Debt], at: datetime.datetime):
        self.at = at
        # One case whose page read its call facts with the debt (selectors.page_reads).
        kept = already_read(debts[0], "call_facts") if len(debts) == 1 else None
        rows = already_read(debts[0], "contact_history_rows") if kept is not None else None
        if kept is not None and rows is not None:
            self.facts = kept
            self.history = contact_histories_from(
                debtor_id=debts[0].debtor_id, at=at, interactions=rows[0], messages=rows[1]
            )
        else:
            self.facts = _call_facts(debts)
            self.history = contact_histories(debtor_ids={d.debtor_id for d in debts}, at=at)
        self.rules = compliance.ruleset_cache(creditor_ids={d.creditor_id for d in debts})

    def status(self, debt: Debt, *, consented: bool | None = None) -> CallStatus:
        """The call status of the debt's debtor; `consented`: of one of their numbers (by
        default, whether any of their numbers may be called)."""
        voice, agreement, holds = self.facts.get(debt.pk, (False, False, frozenset()))
        debtor = debt.debtor
        contact = debt_contact(
            debt=debt,
            channel=Channel.VOICE,
            at=self.at,
            consented=voice if consented is None else consented,
            holds=holds,
            has_active_agreement=agreement,
        )
        history = self.history.get(debtor.pk, [])
        zone = _zone(debtor.timezone)
        now = self.at.astimezone(zone)
        decision = compliance.compliance_check(contact=contact, history=history, rules=self.rules)
        if decision.allowed:
            return CallStatus(True, now)
        following = compliance.first_lawful_moment(
            contact=contact,
            history=history,
            rules=self.rules,
            not_before=self.at,
            horizon_days=HORIZON_DAYS,
        )
        return CallStatus(
            False,
            now,
            rule=decision.rule or "",
            reason=decision.reason,
            next_at=following.astimezone(zone) if following else None,
        )


def call_statuses(
    *, debts: Sequence[Debt], at: datetime.datetime | None = None
) -> dict[int, CallStatus]:
    """May each debt's debtor be called (on a number they consented to) at `at` (now), and
    from when if not: {debt id: CallStatus}. For one page of rows: 4 queries whatever their
    number (each debt's debtor is read with it, as the queue's rows are)."""
    debts = list(debts)
    if not debts:
        return {}
    caller = _Caller(debts=debts, at=at or timezone.now())
    return {d.pk: caller.status(d) for d in debts}


@dataclass(frozen=True)
class Phone:
    point: ContactPoint
    status: CallStatus


def case_message_only_numbers(*, debt: Debt) -> list[str]:
    """The debtor's numbers on file for SMS or WhatsApp only, not for calls (consent is given
    per channel: a number to text is not a number to call). No query: the contact points come
    with the debt's debtor."""
    points = debt.debtor.contact_points.all()
    callable_ = {p.value for p in points if p.channel == Channel.VOICE}
    texting = (Channel.SMS, Channel.WHATSAPP)
    numbers = dict.fromkeys(p.value for p in points if p.channel in texting)
    return [number for number in numbers if number not in callable_]


def case_phones(*, debt: Debt, at: datetime.datetime | None = None) -> list[Phone]:
    """The debtor's phone numbers (their own: never a reference's), each with whether it may
    be called now and from when if not; consented numbers first. 4 queries (the contact points
    come with the debt's debtor)."""
    points = [p for p in debt.debtor.contact_points.all() if p.channel == Channel.VOICE]
    if not points:
        return []
    caller = _Caller(debts=[debt], at=at or timezone.now())
    by_consent: dict[bool, CallStatus] = {}
    phones = []
    for point in sorted(points, key=lambda p: (not p.consent_granted, not p.is_primary, p.pk)):
        consent = bool(point.consent_granted)
        if consent not in by_consent:
            by_consent[consent] = caller.status(debt, consented=consent)
        phones.append(Phone(point, by_consent[consent]))
    return phones
