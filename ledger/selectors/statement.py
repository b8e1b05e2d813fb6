"""A debt's account statement, read from the ledger.

The debt's components are the balance brought forward (what the creditor handed over, what
imports set) plus the sum of its entries; so the balance brought forward is today's components
minus every entry, and the balance at the end of any day is the brought forward plus the entries
posted up to that day. A payment recorded without an entry (before the ledger existed, or by a
writer that does not post one yet) is read from its allocation instead, so a past day's balance
still adds it back. The write-off is no entry (ledger.models.WriteOff): it is shown as an event
line that changes no balance. The caller passes a debt the reader may see: this reads no scope.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import format_date
from ledger.models import (
    COLLECTED_KINDS,
    EntryKind,
    LedgerEntry,
    PaymentReversal,
    WriteOff,
)
from portfolio.models import Debt, Payment

ZERO = Decimal("0.00")
# The kind of the write-off's event line (not an EntryKind: it moves no balance).
WRITE_OFF = "write_off"


@dataclass(frozen=True)
class Components:
    """What is owed, by part."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.principal + self.interest + self.fees

    def __add__(self, other: "Components") -> "Components":
        return Components(
            principal=self.principal + other.principal,
            interest=self.interest + other.interest,
            fees=self.fees + other.fees,
        )

    def __sub__(self, other: "Components") -> "Components":
        return Components(
            principal=self.principal - other.principal,
            interest=self.interest - other.interest,
            fees=self.fees - other.fees,
        )


@dataclass
class PaymentApplication:
    """How one payment was applied: to interest, principal and fees; and its reversal."""

    payment: Payment
    to_interest: Decimal
    to_principal: Decimal
    to_fees: Decimal
    posted_on: datetime.date
    recovery: bool = False
    reversal: PaymentReversal | None = None

    @property
    def amount(self) -> Decimal:
        return self.payment.amount

    @property
    def currency(self) -> str:
        return self.payment.currency

    @property
    def reversed(self) -> bool:
        return self.reversal is not None or self.payment.reversed_at is not None

    @property
    def reversed_on(self) -> datetime.date | None:
        if self.reversal is not None:
            return self.reversal.business_date
        if self.payment.reversed_at is not None:
            return timezone.localdate(self.payment.reversed_at)
        return None


@dataclass
class StatementLine:
    """One movement (an entry) or event (the write-off), with the balance after it."""

    kind: str
    label: str
    posted_on: datetime.date
    delta: Components
    balance: Components
    memo: str = ""
    user: object = None  # the User who recorded it, or None for the system
    entry_id: int | None = None
    # The payment it applies or takes back (payment, recovery and reversal lines).
    application: PaymentApplication | None = None
    # The write-off line's record; the amount it took off the creditor's books.
    write_off: WriteOff | None = None
    # A payment read from its allocation because it has no entry.
    from_payment: bool = False

    @property
    def amount(self) -> Decimal:
        return self.delta.balance

    @property
    def is_event(self) -> bool:
        return self.write_off is not None


@dataclass
class Statement:
    debt: Debt
    currency: str
    date_from: datetime.date | None
    date_to: datetime.date | None
    brought_forward: Components
    opening: Components
    lines: list[StatementLine]
    closing: Components
    # The payments applied in the period (payment and recovery lines), in the statement's order.
    payments: list[PaymentApplication] = field(default_factory=list)
    write_off: WriteOff | None = None

    @property
    def late_interest(self) -> Decimal:
        """Late interest accrued in the period (accrual entries)."""
        return sum(
            (line.delta.interest for line in self.lines if line.kind == EntryKind.ACCRUAL), ZERO
        )

    @property
    def movements(self) -> Components:
        """The period's movements added up (closing = opening + movements)."""
        return self.closing - self.opening


def _components(row: dict) -> Components:
    return Components(
        principal=row.get("principal") or ZERO,
        interest=row.get("interest") or ZERO,
        fees=row.get("fees") or ZERO,
    )


def _sum_entries(entries) -> Components:
    return _components(entries.aggregate(**{c: Sum(c) for c in ("principal", "interest", "fees")}))


def _payment_date(payment: Payment) -> datetime.date:
    # The business day a payment is posted on (ledger.services.payments does the same).
    return timezone.localdate(payment.paid_at)


def _application(payment: Payment, *, posted_on, recovery=False, reversal=None):
    return PaymentApplication(
        payment=payment,
        to_interest=payment.allocated_interest,
        to_principal=payment.allocated_principal,
        to_fees=payment.allocated_fees,
        posted_on=posted_on,
        recovery=recovery,
        reversal=reversal,
    )


def _kind_label(kind: str) -> str:
    return str(EntryKind(kind).label) if kind in EntryKind.values else kind


def _entry_memo(entry: LedgerEntry, application: PaymentApplication | None) -> str:
    if entry.memo:
        return entry.memo
    if entry.kind == EntryKind.ACCRUAL and entry.rate is not None:
        text = _("%(rate)s %% a year") % {"rate": f"{entry.rate.normalize():f}"}
        return text + (" · " + _("capped at the ceiling") if entry.rate_capped else "")
    if entry.kind == EntryKind.FORGIVENESS and entry.source_id:
        return _("Agreement #%(id)s") % {"id": entry.source_id}
    if application is not None:
        payment = application.payment
        if entry.kind == EntryKind.REVERSAL:
            text = _("Reverses payment %(ref)s of %(date)s") % {
                "ref": payment.reference,
                "date": format_date(application.posted_on, length="medium"),
            }
            if application.reversal is not None:
                text += " · " + application.reversal.get_reason_display()
            return text
        return f"{payment.reference} · {payment.get_method_display()}"
    return ""


def _write_off_memo(write_off: WriteOff) -> str:
    memo = _("Written off: %(reason)s; the debtor still owes it") % {
        "reason": write_off.get_reason_display()
    }
    return f"{memo} · {write_off.note}" if write_off.note else memo


def debt_statement(
    *,
    debt: Debt,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Statement:
    """The debt's statement for [date_from, date_to] (either open): the balance brought
    forward, the opening balance, each movement with the running balance per component, the
    closing balance, how each payment was applied, and the write-off as an event."""
    entries = LedgerEntry.objects.filter(debt_id=debt.pk)
    collected = entries.filter(payment_id=OuterRef("pk"), kind__in=COLLECTED_KINDS)
    # Payments without an entry of their own: read from their allocation.
    unposted = list(
        Payment.objects.filter(debt_id=debt.pk).exclude(Exists(collected)).order_by("paid_at", "id")
    )

    def unposted_sum(keep) -> Components:
        return sum(
            (
                Components(
                    principal=-p.allocated_principal,
                    interest=-p.allocated_interest,
                    fees=-p.allocated_fees,
                )
                for p in unposted
                if keep(_payment_date(p))
            ),
            Components(),
        )

    current = Components(principal=debt.principal, interest=debt.interest, fees=debt.fees)
    brought_forward = current - _sum_entries(entries) - unposted_sum(lambda day: True)
    opening = brought_forward
    shown = entries
    if date_from is not None:
        opening = (
            opening
            + _sum_entries(entries.filter(posted_on__lt=date_from))
            + unposted_sum(lambda day: day < date_from)
        )
        shown = shown.filter(posted_on__gte=date_from)
    if date_to is not None:
        shown = shown.filter(posted_on__lte=date_to)
    shown = list(shown.order_by("posted_on", "id"))

    def in_period(day: datetime.date) -> bool:
        return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)

    write_off = WriteOff.objects.filter(debt_id=debt.pk).select_related("written_off_by").first()
    # Everything the lines name, one query per kind of record.
    payment_ids = {e.payment_id for e in shown if e.payment_id}
    payments = {p.pk: p for p in Payment.objects.filter(pk__in=payment_ids)}
    payments.update({p.pk: p for p in unposted})
    reversals = {
        r.payment_id: r
        for r in PaymentReversal.objects.filter(payment_id__in=list(payments)).select_related(
            "reversed_by"
        )
    }
    user_ids = {e.user_id for e in shown if e.user_id}
    user_ids |= {p.recorded_by_id for p in unposted if p.recorded_by_id}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}
    # The day each posted payment was applied, for its reversal line's memo.
    applied_on = dict(
        entries.filter(payment_id__in=list(payments), kind__in=COLLECTED_KINDS).values_list(
            "payment_id", "posted_on"
        )
    )
    applications: dict[int, PaymentApplication] = {}

    def application_for(payment_id: int, *, recovery=False) -> PaymentApplication | None:
        payment = payments.get(payment_id)
        if payment is None:
            return None
        if payment_id not in applications:
            applications[payment_id] = _application(
                payment,
                posted_on=applied_on.get(payment_id) or _payment_date(payment),
                recovery=recovery,
                reversal=reversals.get(payment_id),
            )
        return applications[payment_id]

    # Posted entries in (posted_on, id) order; the unposted payments and the write-off are
    # merged in by their business date and the moment they were recorded.
    movements = []
    for entry in shown:
        application = None
        if entry.payment_id:
            application = application_for(
                entry.payment_id, recovery=entry.kind == EntryKind.RECOVERY
            )
        movements.append(
            (
                (entry.posted_on, entry.created_at),
                StatementLine(
                    kind=entry.kind,
                    label=_kind_label(entry.kind),
                    posted_on=entry.posted_on,
                    delta=Components(
                        principal=entry.principal, interest=entry.interest, fees=entry.fees
                    ),
                    balance=Components(),
                    memo=_entry_memo(entry, application),
                    user=users.get(entry.user_id),
                    entry_id=entry.pk,
                    application=application,
                ),
            )
        )
    events = []
    for payment in unposted:
        day = _payment_date(payment)
        if not in_period(day):
            continue
        application = application_for(payment.pk)
        events.append(
            (
                (day, payment.created_at),
                StatementLine(
                    kind=EntryKind.PAYMENT,
                    label=EntryKind.PAYMENT.label,
                    posted_on=day,
                    delta=Components(
                        principal=-payment.allocated_principal,
                        interest=-payment.allocated_interest,
                        fees=-payment.allocated_fees,
                    ),
                    balance=Components(),
                    memo=f"{payment.reference} · {payment.get_method_display()}",
                    user=users.get(payment.recorded_by_id),
                    application=application,
                    from_payment=True,
                ),
            )
        )
    if write_off is not None and in_period(write_off.business_date):
        events.append(
            (
                (write_off.business_date, write_off.written_off_at),
                StatementLine(
                    kind=WRITE_OFF,
                    label=_("Written off"),
                    posted_on=write_off.business_date,
                    delta=Components(),
                    balance=Components(),
                    memo=_write_off_memo(write_off),
                    user=write_off.written_off_by,
                    write_off=write_off,
                ),
            )
        )
    events.sort(key=lambda item: item[0])
    lines = []
    running = opening
    waiting = iter(events)
    event = next(waiting, None)
    for key, line in movements:
        while event is not None and event[0] < key:
            lines.append(event[1])
            event = next(waiting, None)
        lines.append(line)
    while event is not None:
        lines.append(event[1])
        event = next(waiting, None)
    for line in lines:
        running = running + line.delta
        line.balance = running
    return Statement(
        debt=debt,
        currency=debt.currency,
        date_from=date_from,
        date_to=date_to,
        brought_forward=brought_forward,
        opening=opening,
        lines=lines,
        closing=running,
        payments=[
            line.application
            for line in lines
            if line.application is not None and line.kind in COLLECTED_KINDS
        ],
        write_off=write_off,
    )
