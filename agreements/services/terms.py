"""The terms of a proposed agreement, validated and priced, before anything is written."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import NegotiationChannel, NegotiationPolicy, PaymentAgreement
from agreements.services.schedule import ScheduleLine, schedule_build, split_shares
from core.exceptions import ApplicationError
from core.money import quantize
from core.scoping import user_manages_creditor
from messaging.services.arms import debtor_arm
from portfolio.models import Creditor, Debt

HUNDRED = Decimal(100)
# What an offer experiment's arm may set (its keys in Arm.offer) and the NegotiationPolicy
# limit each one stands for.
OFFER_TERMS = {
    "max_instalments": "self_service_max_instalments",
    "min_down_pct": "self_service_min_down_pct",
    "early_payment_discount_pct": "early_payment_discount_pct",
    "early_payment_days": "early_payment_days",
}
OFFER_FIELDS = tuple(OFFER_TERMS.values())
# The longest early-payment window an arm may test (the policy sets no ceiling of its own).
MAX_EARLY_DAYS = 60


def negotiation_policy_for(creditor: Creditor) -> NegotiationPolicy:
    """The creditor's limits, created with the defaults the first time they are needed."""
    policy, _created = NegotiationPolicy.objects.get_or_create(creditor=creditor)
    return policy


def _number(value, kind):
    """An arm's offer value as `kind` (int or Decimal), or None where it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    if not number.is_finite():
        return None
    return int(number) if kind is int else number


def _between(value, low, high):
    return min(max(value, low), high)


def offer_for(*, debtor_id: int, creditor_id: int, policy: NegotiationPolicy | None = None) -> dict:
    """The self-service offer one debtor gets: OFFER_FIELDS -> value, and `arm_id` (the
    experiment arm the debtor is in with this creditor, or None).

    The creditor's policy, unless the debtor's arm tests an offer: then the arm's values, each
    kept inside the creditor's own limits (no more instalments than a collector may give nor
    than the absolute maximum; no smaller down payment than a collector must ask; no larger
    early-payment incentive than a collector may forgive). An arm is never looser."""
    if policy is None:
        policy, _created = NegotiationPolicy.objects.get_or_create(creditor_id=creditor_id)
    offer = {name: getattr(policy, name) for name in OFFER_FIELDS}
    arm = debtor_arm(debtor_id=debtor_id, creditor_id=creditor_id)
    offer["arm_id"] = arm["arm_id"] if arm else None
    tested = (arm or {}).get("offer") or {}
    if not isinstance(tested, dict):
        return offer
    count = _number(tested.get("max_instalments"), int)
    if count is not None:
        ceiling = min(policy.collector_max_instalments, policy.max_instalments)
        offer["self_service_max_instalments"] = _between(count, 1, ceiling)
    down = _number(tested.get("min_down_pct"), Decimal)
    if down is not None:
        offer["self_service_min_down_pct"] = quantize(
            _between(down, policy.collector_min_down_pct, HUNDRED)
        )
    early = _number(tested.get("early_payment_discount_pct"), Decimal)
    if early is not None:
        offer["early_payment_discount_pct"] = quantize(
            _between(early, Decimal(0), policy.collector_max_discount_pct)
        )
    days = _number(tested.get("early_payment_days"), int)
    if days is not None:
        offer["early_payment_days"] = _between(days, 1, MAX_EARLY_DAYS)
    return offer


def may_approve(*, user, creditor: Creditor) -> bool:
    """Admins, and managers of the creditor, decide agreements beyond the collector's limits."""
    return user_manages_creditor(user=user, creditor_id=creditor.pk)


@dataclass
class Terms:
    kind: str
    debts: list[Debt]
    currency: str
    balance: Decimal
    interest_waived: Decimal
    fees_waived: Decimal
    agreed_total: Decimal
    discount_amount: Decimal
    discount_pct: Decimal
    down_payment: Decimal
    instalment_count: int
    frequency: str
    first_due_date: datetime.date
    grace_days: int
    channel: str
    schedule: list[ScheduleLine]
    shares: list[Decimal]
    early_total: Decimal | None
    early_deadline: datetime.date | None
    # Stored as codes and numbers, so each reader sees them in their own language.
    approval_codes: list[dict] = field(default_factory=list)
    # The experiment arm the debtor is in (experiments.Arm id), recorded on the agreement.
    experiment_arm_id: int | None = None

    @property
    def needs_approval(self) -> bool:
        return bool(self.approval_codes)

    @property
    def approval_reasons(self) -> list[str]:
        return approval_messages(self.approval_codes)

    @property
    def down_pct(self) -> Decimal:
        return quantize(self.down_payment * HUNDRED / self.agreed_total)


def _pct(value) -> str:
    value = Decimal(str(value))
    places = 0 if value == value.to_integral_value() else 2
    return formats.number_format(value, places, use_l10n=True)


def approval_messages(codes: list[dict]) -> list[str]:
    """Why terms need a manager, in the current language."""
    messages = []
    for item in codes or []:
        code, value, limit = item.get("code"), item.get("value"), item.get("limit")
        if code == "discount":
            messages.append(
                _("It forgives %(pct)s%%; the limit is %(max)s%%.")
                % {"pct": _pct(value), "max": _pct(limit)}
            )
        elif code == "instalments":
            messages.append(
                _("%(count)s instalments; the limit is %(max)s.") % {"count": value, "max": limit}
            )
        elif code == "down_payment":
            messages.append(
                _("A down payment of %(pct)s%%; at least %(min)s%% is required.")
                % {"pct": _pct(value), "min": _pct(limit)}
            )
    return messages


LIMIT_LABELS = {
    "discount": gettext_lazy("Discount"),
    "instalments": gettext_lazy("Instalments"),
    "down_payment": gettext_lazy("Down payment"),
}


def approval_limits(codes: list[dict]) -> list[dict]:
    """The limits the terms break, one row each: code, its name and what breaks it, in the
    current language (from the stored codes and numbers)."""
    rows = []
    for item in codes or []:
        message = approval_messages([item])
        if message:
            rows.append(
                {
                    "code": item.get("code"),
                    "label": str(LIMIT_LABELS[item["code"]]),
                    "message": message[0],
                    "value": item.get("value"),
                    "limit": item.get("limit"),
                }
            )
    return rows


def _money(value, name: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, float):
        raise ApplicationError(_("Give an exact decimal amount."), field=name)
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise ApplicationError(_("Give an amount."), field=name) from exc
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ApplicationError(_("At most two decimal places."), field=name)
    if amount < 0:
        raise ApplicationError(_("The amount cannot be negative."), field=name)
    return quantize(amount)


def _check_debts(debts: list[Debt]) -> None:
    if not debts:
        raise ApplicationError(_("Choose at least one debt."), field="debts")
    if len({d.debtor_id for d in debts}) > 1:
        raise ApplicationError(_("All debts must belong to the same debtor."), field="debts")
    if len({d.currency for d in debts}) > 1:
        raise ApplicationError(_("All debts must be in the same currency."), field="debts")
    for debt in debts:
        if not debt.is_open or debt.balance <= 0:
            raise ApplicationError(
                _("Debt %(ref)s is closed or has nothing to pay.") % {"ref": debt.debt_ref},
                field="debts",
            )


def agreement_terms(
    *,
    debts: list[Debt],
    kind: str,
    instalment_count: int,
    frequency: str,
    first_due_date: datetime.date,
    as_of: datetime.date,
    proposer,
    channel: str = NegotiationChannel.PHONE,
    agreed_total=None,
    discount_pct=None,
    interest_waived=None,
    fees_waived=None,
    down_payment=None,
    grace_days: int | None = None,
    self_service: bool = False,
) -> Terms:
    """Validate and price proposed terms; ApplicationError (with the field) when they are wrong."""
    _check_debts(debts)
    if kind not in PaymentAgreement.Kind.values:
        raise ApplicationError(_("Unknown agreement kind."), field="kind")
    if frequency not in PaymentAgreement.Frequency.values:
        raise ApplicationError(_("Unknown frequency."), field="frequency")
    if channel not in NegotiationChannel.values:
        raise ApplicationError(_("Unknown channel."), field="channel")
    creditor = debts[0].creditor
    policy = negotiation_policy_for(creditor)
    if not isinstance(instalment_count, int) or instalment_count < 1:
        raise ApplicationError(_("At least one instalment is needed."), field="instalment_count")
    if instalment_count > policy.max_instalments:
        raise ApplicationError(
            _("At most %(max)s instalments.") % {"max": policy.max_instalments},
            field="instalment_count",
        )
    if first_due_date < as_of:
        raise ApplicationError(
            _("The first due date cannot be in the past (business date %(as_of)s).")
            % {"as_of": as_of.isoformat()},
            field="first_due_date",
        )
    if first_due_date > as_of + datetime.timedelta(days=366):
        raise ApplicationError(
            _("The first due date must be within a year."), field="first_due_date"
        )
    grace = policy.default_grace_days if grace_days is None else grace_days
    if grace < 0 or grace > 60:
        raise ApplicationError(_("Grace days must be between 0 and 60."), field="grace_days")

    balance = sum((d.balance for d in debts), Decimal(0))
    interest = sum((d.interest for d in debts), Decimal(0))
    fees = sum((d.fees for d in debts), Decimal(0))
    interest_waived = _money(interest_waived, "interest_waived")
    fees_waived = _money(fees_waived, "fees_waived")
    if interest_waived > interest:
        raise ApplicationError(
            _("Only %(amount)s of interest is outstanding.") % {"amount": interest},
            field="interest_waived",
        )
    if fees_waived > fees:
        raise ApplicationError(
            _("Only %(amount)s of fees is outstanding.") % {"amount": fees}, field="fees_waived"
        )
    base = balance - interest_waived - fees_waived
    if agreed_total not in (None, ""):
        total = _money(agreed_total, "agreed_total")
    elif discount_pct not in (None, ""):
        pct = _money(discount_pct, "discount_pct")
        if pct >= HUNDRED:
            raise ApplicationError(_("The discount must be below 100%."), field="discount_pct")
        total = quantize(base * (HUNDRED - pct) / HUNDRED)
    else:
        total = base
    if total <= 0:
        raise ApplicationError(
            _("The agreed total must be greater than zero."), field="agreed_total"
        )
    if total > balance:
        raise ApplicationError(
            _("The agreed total %(total)s is over the balance of %(balance)s %(currency)s.")
            % {"total": total, "balance": balance, "currency": debts[0].currency},
            field="agreed_total",
        )
    if total > base:
        raise ApplicationError(
            _("With the waivers the most that can be agreed is %(base)s.") % {"base": base},
            field="agreed_total",
        )
    down = _money(down_payment, "down_payment")
    schedule = schedule_build(
        agreed_total=total,
        down_payment=down,
        instalment_count=instalment_count,
        frequency=frequency,
        first_due_date=first_due_date,
    )
    forgiven = balance - total
    forgiven_pct = quantize(forgiven * HUNDRED / balance)
    # The debtor's offer: the policy's, or the one its experiment arm tests (inside the limits).
    offer = offer_for(debtor_id=debts[0].debtor_id, creditor_id=creditor.pk, policy=policy)
    early_total = early_deadline = None
    if kind == PaymentAgreement.Kind.SETTLEMENT and offer["early_payment_discount_pct"] > 0:
        early_total = quantize(total * (HUNDRED - offer["early_payment_discount_pct"]) / HUNDRED)
        early_deadline = as_of + datetime.timedelta(days=offer["early_payment_days"])

    reasons: list[dict] = []
    if self_service or not may_approve(user=proposer, creditor=creditor):
        max_count = (
            offer["self_service_max_instalments"]
            if self_service
            else policy.collector_max_instalments
        )
        min_down = (
            offer["self_service_min_down_pct"] if self_service else policy.collector_min_down_pct
        )
        if forgiven_pct > policy.collector_max_discount_pct:
            reasons.append(
                {
                    "code": "discount",
                    "value": forgiven_pct,
                    "limit": policy.collector_max_discount_pct,
                }
            )
        if instalment_count > max_count:
            reasons.append({"code": "instalments", "value": instalment_count, "limit": max_count})
        # A single lump sum has nothing to put down first.
        down_pct = quantize(down * HUNDRED / total)
        if instalment_count > 1 and down_pct < min_down:
            reasons.append({"code": "down_payment", "value": down_pct, "limit": min_down})
    return Terms(
        kind=kind,
        debts=debts,
        currency=debts[0].currency,
        balance=balance,
        interest_waived=interest_waived,
        fees_waived=fees_waived,
        agreed_total=total,
        discount_amount=forgiven,
        discount_pct=forgiven_pct,
        down_payment=down,
        instalment_count=instalment_count,
        frequency=frequency,
        first_due_date=first_due_date,
        grace_days=grace,
        channel=channel,
        schedule=schedule,
        shares=split_shares(total=total, balances=[d.balance for d in debts]),
        early_total=early_total,
        early_deadline=early_deadline,
        approval_codes=reasons,
        experiment_arm_id=offer["arm_id"],
    )
