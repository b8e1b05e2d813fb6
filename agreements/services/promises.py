"""Promises to pay: recorded by a collector from a call; the daily cycle judges them."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agreements.models import NegotiationChannel, PromiseToPay
from agreements.services.terms import _money, negotiation_policy_for
from core.dates import BUSINESS_DATE_WINDOWS
from core.exceptions import ApplicationError
from portfolio.models import Debt, Payment
from portfolio.selectors import debt_queryset

MAX_PROMISE_DAYS = BUSINESS_DATE_WINDOWS["promised_date"].future


@transaction.atomic
def promise_create(
    *,
    user,
    debt: Debt,
    amount,
    promised_date: datetime.date,
    channel: str,
    as_of: datetime.date,
    note: str = "",
) -> PromiseToPay:
    """Record a promise to pay on a debt the user works (one pending promise per debt)."""
    if not debt_queryset(user=user).filter(pk=debt.pk).exists():
        raise ApplicationError(_("Unknown debt."), field="debt")
    amount = _money(amount, "amount")
    if amount <= 0:
        raise ApplicationError(_("The amount must be greater than zero."), field="amount")
    if channel not in NegotiationChannel.values:
        raise ApplicationError(_("Unknown channel."), field="channel")
    if not isinstance(promised_date, datetime.date) or promised_date < as_of:
        raise ApplicationError(
            _("The promised date cannot be in the past (business date %(as_of)s).")
            % {"as_of": as_of.isoformat()},
            field="promised_date",
        )
    if promised_date > as_of + datetime.timedelta(days=MAX_PROMISE_DAYS):
        raise ApplicationError(
            _("A promise is for the next %(days)s days; propose an agreement instead.")
            % {"days": MAX_PROMISE_DAYS},
            field="promised_date",
        )
    debt = Debt.objects.select_for_update(of=("self",)).select_related("creditor").get(pk=debt.pk)
    if not debt.is_open or debt.balance <= 0:
        raise ApplicationError(_("The debt is closed; there is nothing to promise."), field="debt")
    if amount > debt.balance:
        raise ApplicationError(
            _("The amount is over the balance of %(balance)s %(currency)s.")
            % {"balance": debt.balance, "currency": debt.currency},
            field="amount",
        )
    if PromiseToPay.objects.filter(debt=debt, status=PromiseToPay.Status.PENDING).exists():
        raise ApplicationError(_("This debt already has a pending promise."), field="debt")
    mark = Payment.objects.filter(debt=debt).order_by("-pk").values_list("pk", flat=True).first()
    try:
        with transaction.atomic():
            return PromiseToPay.objects.create(
                debt=debt,
                debtor_id=debt.debtor_id,
                amount=amount,
                currency=debt.currency,
                promised_date=promised_date,
                grace_days=negotiation_policy_for(debt.creditor).promise_grace_days,
                channel=channel,
                note=(note or "").strip()[:5000],
                made_on=as_of,
                ledger_mark=mark or 0,
                created_by=user,
            )
    except IntegrityError as exc:
        raise ApplicationError(_("This debt already has a pending promise."), field="debt") from exc
