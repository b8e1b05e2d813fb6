"""Online payments: start a checkout, then record what a verified webhook confirms, once.

A provider's reversal of an approved payment (a chargeback, a PSE reversal, a returned SPEI or
Bre-B transfer) goes to the ledger's reversal path (`payment_reverse`), once.
"""

import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.services.allocation import agreement_debt_group
from collections_app.services.payments import payment_record
from collections_app.services.reversals import payment_reverse
from collections_app.services.suspense import suspense_receive
from core.exceptions import ApplicationError
from core.money import format_money
from core.transactions import atomic_with_retry
from ledger.models import ReversalReason, ReversalSource, SuspenseReason
from ledger.services.payments import payment_validate_amount
from portal.models import PaymentIntent, WebhookEvent
from portal.payments import ProviderEvent, method_provider, provider_for, provider_live
from portal.payments.rails import luhn_digit
from portal.services.ways_to_pay import country_methods
from portfolio.models import OPEN_STAGES, Debt, Payment, Stage
from portfolio.services.locks import debts_lock

logger = logging.getLogger(__name__)

METHOD_TO_PAYMENT = {
    PaymentIntent.Method.CARD: Payment.Method.CARD,
    PaymentIntent.Method.BANK_TRANSFER: Payment.Method.BANK_TRANSFER,
    PaymentIntent.Method.PSE: Payment.Method.PSE,
    PaymentIntent.Method.BREB: Payment.Method.BREB,
    PaymentIntent.Method.SPEI: Payment.Method.SPEI,
    PaymentIntent.Method.OXXO: Payment.Method.OXXO,
}
# A provider's reversal of an approved payment -> the reversal's reason.
REVERSAL_KINDS = {
    "chargeback": ReversalReason.CHARGEBACK,
    "reversed": ReversalReason.PROVIDER_REVERSAL,
    "returned": ReversalReason.PROVIDER_REVERSAL,
}
CHECKED_KINDS = ("approved", "pending", "declined", "expired", *REVERSAL_KINDS)
EXPIRED = "expired"  # the intent's detail when the rail's instructions expired unpaid


def method_refused_message() -> str:
    return _("That way to pay is not offered in your country. Choose one of the ways listed.")


def intent_create(
    *, debt: Debt, amount, method: str, success_url: str, cancel_url: str,
    provider: str | None = None, agreement=None,
) -> PaymentIntent:  # fmt: skip
    """Validate the amount and the way to pay, and open a checkout with the method's provider.

    The method must be one the debtor's country has (a Mexican debtor cannot start PSE); its
    provider is the rail's adapter, or the card checkout's (`method_provider`).
    """
    amount = payment_validate_amount(amount)
    if method not in PaymentIntent.Method.values:
        raise ApplicationError(_("Choose how to pay."), field="method")
    if method not in country_methods(debt.debtor.country):
        raise ApplicationError(
            method_refused_message(), field="method", extra={"country_refused": True}
        )
    if not debt.is_open or debt.balance <= 0:
        raise ApplicationError(_("This debt has nothing left to pay."), field="amount")
    if amount > debt.balance:
        raise ApplicationError(
            _("The most you can pay is the balance, %(balance)s.") % {"balance": debt.balance},
            field="amount",
        )
    provider = provider or method_provider(method)
    if not provider_live(provider):
        raise ApplicationError(_("Online payments are not available right now."))
    backend = provider_for(provider)
    if backend.methods and method not in backend.methods:
        raise ApplicationError(_("Online payments are not available right now."))
    if backend.currencies and debt.currency not in backend.currencies:
        raise ApplicationError(
            _("%(method)s takes payments in %(currencies)s only; this debt is in %(currency)s.")
            % {
                "method": PaymentIntent.Method(method).label,
                "currencies": ", ".join(backend.currencies),
                "currency": debt.currency,
            },
            field="method",
        )
    if backend.max_amount is not None and amount > backend.max_amount:
        raise ApplicationError(
            _(
                "%(method)s takes at most %(limit)s per payment. Pay %(limit)s or less this "
                "way, or choose another way to pay."
            )
            % {
                "method": PaymentIntent.Method(method).label,
                "limit": format_money(backend.max_amount, debt.currency),
            },
            field="amount",
        )
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
    intent.instructions = checkout.instructions
    intent.expires_at = checkout.expires_at
    intent.save()
    return intent


@transaction.atomic
def pse_transaction_start(
    *, intent: PaymentIntent, bank: str, person_type: str, document_type: str,
    document_number: str,
) -> str:  # fmt: skip
    """PSE: the payer chose their bank; create the transaction and return the bank's page."""
    intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
    if intent.method != PaymentIntent.Method.PSE or intent.status != PaymentIntent.Status.CREATED:
        raise ApplicationError(_("This payment was already sent to your bank."))
    url, instructions = provider_for(intent.provider).transaction_create(
        intent, bank=bank, person_type=person_type, document_type=document_type,
        document_number=document_number,
    )  # fmt: skip
    intent.instructions = instructions
    intent.checkout_url = url
    intent.save(update_fields=["instructions", "checkout_url", "updated_at"])
    return url


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
    if event.kind in CHECKED_KINDS:
        _event_check(event=event, intent=intent)
    if event.kind in REVERSAL_KINDS:
        return _reversal_apply(provider=provider, event=event, intent=intent)
    if intent.status in (
        PaymentIntent.Status.APPROVED, PaymentIntent.Status.FAILED,
        PaymentIntent.Status.REVERSED,
    ):  # fmt: skip
        return "final"
    if event.kind == "pending":
        intent.status = PaymentIntent.Status.PENDING
        intent.save(update_fields=["status", "updated_at"])
        return "pending"
    if event.kind in ("declined", EXPIRED):
        # An expired voucher or CLABE is a payment that will not come: declined, and why.
        intent.status = PaymentIntent.Status.DECLINED
        intent.detail = EXPIRED if event.kind == EXPIRED else ""
        intent.save(update_fields=["status", "detail", "updated_at"])
        return event.kind
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


def _reversal_apply(*, provider: str, event: ProviderEvent, intent: PaymentIntent) -> str:
    """The provider took back an approved payment: reverse it in the ledger, once.

    Only an approved intent has a payment to reverse; a second reversal event (another id
    for the same chargeback) finds the intent reversed and changes nothing, and
    `payment_reverse` is idempotent on its own (a staff reversal done first is kept).
    """
    if intent.status == PaymentIntent.Status.REVERSED:
        return "final"
    if intent.status != PaymentIntent.Status.APPROVED or intent.payment_id is None:
        logger.warning(
            "portal webhook %s: %s for intent %s in status %s: nothing to reverse",
            provider, event.kind, intent.pk, intent.status,
        )  # fmt: skip
        return "ignored"
    occurred = event.occurred_at or timezone.now()
    try:
        with transaction.atomic():
            payment_reverse(
                payment_id=intent.payment_id,
                reason=REVERSAL_KINDS[event.kind],
                note=f"{provider} {event.kind} {event.event_id}"[:500],
                source=ReversalSource.PROVIDER,
                user=None,
                business_date=timezone.localdate(occurred),
                provider_event_id=event.event_id[:200],
            )
    except ApplicationError as exc:
        # Nothing is kept (not even the event id): the provider's retry meets the same
        # answer until a human has looked.
        raise WebhookEventRefused(f"the reversal was refused: {exc.message}") from exc
    intent.status = PaymentIntent.Status.REVERSED
    intent.detail = f"{event.kind} {event.event_id}"[:500]
    intent.save(update_fields=["status", "detail", "updated_at"])
    return "reversed"


def thanks_plan(*, intent: PaymentIntent) -> None:
    """The thank-you message after any portal payment (full payments already plan it)."""
    from messaging.services.thanks import payment_thanks_plan

    if intent.status == PaymentIntent.Status.APPROVED and intent.payment_id:
        payment_thanks_plan(
            debt=intent.debt, business_date=timezone.localdate(intent.payment.paid_at)
        )


def payment_reference_for(debt: Debt):
    """The debt's bank/cash payment reference, created the first time it is shown."""
    from portfolio.models import PaymentReference

    existing = PaymentReference.objects.filter(debt=debt).first()
    if existing is not None:
        return existing
    digits = f"{debt.pk:010d}"
    reference, _created = PaymentReference.objects.get_or_create(
        debt=debt, defaults={"reference": "CT" + digits + luhn_digit(digits)}
    )
    return reference
