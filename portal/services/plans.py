"""Payment plans the debtor chooses alone, inside the creditor's self-service limits."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import NegotiationChannel, PaymentAgreement
from agreements.services.lifecycle import agreement_create
from agreements.services.terms import (
    Terms,
    agreement_terms,
    negotiation_policy_for,
    offer_for,
)
from core.exceptions import ApplicationError
from core.money import quantize
from portfolio.models import Debt

FIRST_DUE_DAYS = 3  # the first amount falls due a few days after choosing the plan
SETTLE = "settle"


def plan_limits(debt: Debt) -> dict:
    """The plans the debtor may choose alone: the creditor's self-service offer, or the one
    the debtor's experiment arm tests (agreements' offer_for keeps it inside the limits)."""
    offer = offer_for(
        debtor_id=debt.debtor_id,
        creditor_id=debt.creditor_id,
        policy=negotiation_policy_for(debt.creditor),
    )
    return {
        "max_instalments": offer["self_service_max_instalments"],
        "min_down_pct": offer["self_service_min_down_pct"],
        "early_pct": offer["early_payment_discount_pct"],
        "early_days": offer["early_payment_days"],
        "min_down": quantize(debt.balance * offer["self_service_min_down_pct"] / Decimal(100)),
    }


def _terms_kwargs(*, option: str, down_payment, as_of: datetime.date) -> dict:
    first = as_of + datetime.timedelta(days=FIRST_DUE_DAYS)
    common = {
        "frequency": PaymentAgreement.Frequency.MONTHLY,
        "first_due_date": first,
        "channel": NegotiationChannel.PORTAL,
        "self_service": True,
    }
    if option == SETTLE:
        return {**common, "kind": PaymentAgreement.Kind.SETTLEMENT, "instalment_count": 1}
    try:
        count = int(option)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(_("Choose a plan."), field="option") from exc
    return {
        **common,
        "kind": PaymentAgreement.Kind.INSTALMENT_PLAN,
        "instalment_count": count,
        "down_payment": down_payment,
    }


def plan_preview(*, debt: Debt, option: str, down_payment, as_of: datetime.date) -> Terms:
    """The exact schedule of a plan; ApplicationError when it is beyond the self-service limits."""
    kwargs = _terms_kwargs(option=option, down_payment=down_payment, as_of=as_of)
    terms = agreement_terms(debts=[debt], proposer=None, as_of=as_of, **kwargs)
    if terms.needs_approval:
        raise ApplicationError(
            " ".join(terms.approval_reasons)
            + " "
            + _("A collector can look at other options with you: ask for a call."),
            field="option",
            extra={"beyond_limits": True},
        )
    return terms


def first_amount(terms_or_agreement) -> Decimal:
    """What the debtor pays first: the early-settlement total, or the first instalment."""
    early = getattr(terms_or_agreement, "early_total", None)
    if early:
        return early
    schedule = getattr(terms_or_agreement, "schedule", None)
    if schedule is not None:
        return schedule[0].amount
    return terms_or_agreement.instalments.order_by("number").first().amount


@transaction.atomic
def plan_accept(*, debt: Debt, option: str, down_payment, as_of: datetime.date):
    """Create the agreement (active at once: it is inside the limits), proposed by the debtor."""
    plan_preview(debt=debt, option=option, down_payment=down_payment, as_of=as_of)
    kwargs = _terms_kwargs(option=option, down_payment=down_payment, as_of=as_of)
    return agreement_create(
        user=None,
        debtor_id=debt.debtor_id,
        debt_ids=[debt.pk],
        as_of=as_of,
        notes=_("Chosen by the debtor in the portal; terms accepted online."),
        **kwargs,
    )
