"""Online payments: start a checkout, then record what a verified webhook confirms, once."""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.services.allocation import agreement_debt_group
from collections_app.services.payments import payment_record
from collections_app.services.suspense import suspense_receive
from core.exceptions import ApplicationError
from core.transactions import atomic_with_retry
from ledger.models import SuspenseReason
from ledger.services.payments import payment_validate_amount
from portal.models import PaymentIntent, WebhookEvent
from portal.payments import ProviderEvent, provider_for, provider_live
from portfolio.models import OPEN_STAGES, Debt, Payment, Stage
from portfolio.services.locks import debts_lock

logger = logging.getLogger(__name__)

METHOD_TO_PAYMENT = {
    PaymentIntent.Method.CARD: Payment.Method.CARD,
    PaymentIntent.Method.BANK_TRANSFER: Payment.Method.BANK_TRANSFER,
}


def intent_create(
    *, debt: Debt, amount, method: str, provider: str, success_url: str, cancel_url: str,
    agreement=None,
) -> PaymentIntent:  # fmt: skip
    """Validate the amount against the debt and open a checkout with the provider."""
    amount = payment_validate_amount(amount)
    if method not in PaymentIntent.Method.values:
        raise ApplicationError(_("Choose how to pay."), field="method")
    if not debt.is_open or debt.balance <= 0:
        raise ApplicationError(_("This debt has nothing left to pay."), field="amount")
    if amount > debt.balance:
        raise ApplicationError(
            _("The most you can pay is the balance, %(balance)s.") % {"balance": debt.balance},
            field="amount",
        )
    if not provider_live(provider):
        raise ApplicationError(_("Online payments are not available right now."))
    backend = provider_for(provider)
    intent = PaymentIntent(
        debt=debt,
        provider=provider,
        amount=amount,
        currency=debt.currency,
        method=method,
        agreement=agreement,
    )
    checkout = backend.checkout_start(intent, success_url=success_url, cancel_url=cancel_url)
    intent.provider_reference = checkout.provider_reference
    intent.checkout_url = checkout.url
    intent.save()
    return intent


class WebhookEventRefused(Exception):
    """A verified event that contradicts its checkout (currency, amount): nothing is recorded."""


def _event_check(*, event: ProviderEvent, intent: PaymentIntent) -> None:
    """Refuse an event whose currency or amount is not the checkout's (WebhookEventRefused)."""
    if event.currency and event.currency != intent.currency:
        raise WebhookEventRefused(
            f"the event is in {event.currency}, the checkout in {intent.currency}"
        )
    if event.kind == "approved" and not event.currency:
        raise WebhookEventRefused("an approved event must state its currency")
    if event.amount is not None and event.amount != intent.amount:
        raise WebhookEventRefused(
            f"the event pays {event.amount} {event.currency}, the checkout is for "
            f"{intent.amount} {intent.currency}"
        )
    if event.kind == "approved" and event.amount is None:
        raise WebhookEventRefused("an approved event must state its amount")


@atomic_with_retry
def webhook_handle(*, provider: str, event: ProviderEvent) -> str:
    """Apply a verified event: 'recorded', 'replay', 'unknown', 'ignored', 'final'...

    An event that contradicts its checkout raises WebhookEventRefused and leaves nothing
    behind (not even the event id, so the provider's retry is refused the same way). Locks:
    the intent, then what payment_record locks (portfolio.services.locks); a deadlock loser is
    run again, and the event id and the payment reference keep that idempotent.
    """
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(
                provider=provider,
                event_id=event.event_id[:200],
                kind=event.kind[:60],
                provider_reference=event.provider_reference[:120],
            )
    except IntegrityError:
        return "replay"
    # The intent's row alone: its debt is locked by payment_record, in the shared order, and
    # the creditor never (every insert that names it would queue behind this payment).
    intent = (
        PaymentIntent.objects.select_for_update(of=("self",))
        .select_related("debt", "debt__creditor")
        .filter(provider=provider, provider_reference=event.provider_reference)
        .first()
    )
    if intent is None:
        return "unknown"
    if event.kind in ("approved", "pending", "declined"):
        _event_check(event=event, intent=intent)
    if intent.status in (PaymentIntent.Status.APPROVED, PaymentIntent.Status.FAILED):
        return "final"
    if event.kind == "pending":
        intent.status = PaymentIntent.Status.PENDING
        intent.save(update_fields=["status", "updated_at"])
        return "pending"
    if event.kind == "declined":
        intent.status = PaymentIntent.Status.DECLINED
        intent.save(update_fields=["status", "updated_at"])
        return "declined"
    if event.kind != "approved":
        return "ignored"
    payment, item = _intent_apply(provider=provider, intent=intent)
    intent.status = PaymentIntent.Status.APPROVED
    intent.payment = payment
    update_fields = ["status", "payment", "updated_at"]
    if item is not None:
        # The money was received: what the debt could not take waits in suspense, named here.
        intent.detail = (
            _("%(amount)s %(currency)s held in suspense (item %(item)s): %(reason)s.")
            % {
                "amount": item.amount,
                "currency": item.currency,
                "item": item.pk,
                "reason": item.get_reason_display(),
            }
        )[:500]
        update_fields.append("detail")
        logger.info("portal intent %s: %s to suspense item %s", intent.pk, item.amount, item.pk)
    intent.save(update_fields=update_fields)
    if payment is None:
        return "suspense"
    thanks_plan(intent=intent)
    return "recorded"


def _intent_apply(*, provider: str, intent: PaymentIntent):
    """Apply what the debt takes and hold the rest in suspense; (payment or None, item or None).

    The debts are locked here, in the shared order (the intent is already locked), so the
    balance read decides the split and payment_record finds them already held. A closed debt
    sends the whole amount to suspense, an amount above the balance its excess; the payment's
    reference keys both (each is idempotent by it), so a replay records nothing twice.
    """
    debt_id = intent.debt_id
    locked = debts_lock([debt_id, *agreement_debt_group(debt_id)], related=("debtor",))
    debt = locked[debt_id]
    reference = f"{provider}:{intent.provider_reference}"[:100]
    received_at = timezone.now()
    method = METHOD_TO_PAYMENT.get(intent.method, Payment.Method.OTHER)
    payable = debt.stage in OPEN_STAGES or debt.stage == Stage.WRITTEN_OFF
    if not payable:
        applied, reason = Decimal(0), SuspenseReason.DEBT_CLOSED
    elif intent.currency != debt.currency:
        applied, reason = Decimal(0), SuspenseReason.CURRENCY
    else:
        applied, reason = min(intent.amount, max(debt.balance, Decimal(0))), None
    payment = None
    if applied > 0:
        payment, _created = payment_record(
            creditor=intent.debt.creditor,
            debt=debt,
            amount=applied,
            currency=intent.currency,
            paid_at=received_at,
            method=method,
            reference=reference,
            source=Payment.Source.PORTAL,
        )
    excess = intent.amount - applied
    item = None
    if excess > 0:
        item, _created = suspense_receive(
            creditor=intent.debt.creditor,
            amount=excess,
            currency=intent.currency,
            received_at=received_at,
            reference=reference,
            method=method,
            source=Payment.Source.PORTAL,
            reason=reason or SuspenseReason.OVERPAYMENT,
            debt=debt,
            business_date=timezone.localdate(received_at),
        )
    return payment, item


def thanks_plan(*, intent: PaymentIntent) -> None:
    """The thank-you message after any portal payment (full payments already plan it)."""
    from messaging.services.thanks import payment_thanks_plan

    if intent.status == PaymentIntent.Status.APPROVED and intent.payment_id:
        payment_thanks_plan(
            debt=intent.debt, business_date=timezone.localdate(intent.payment.paid_at)
        )


def _check_digit(digits: str) -> str:
    """Luhn check digit: a mistyped reference is caught before it reaches a debt."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            n = n - 9 if n > 9 else n
        total += n
    return str((10 - total % 10) % 10)


def payment_reference_for(debt: Debt):
    """The debt's bank/cash payment reference, created the first time it is shown."""
    from portfolio.models import PaymentReference

    existing = PaymentReference.objects.filter(debt=debt).first()
    if existing is not None:
        return existing
    digits = f"{debt.pk:010d}"
    reference, _created = PaymentReference.objects.get_or_create(
        debt=debt, defaults={"reference": "CT" + digits + _check_digit(digits)}
    )
    return reference
