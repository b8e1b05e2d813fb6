"""The reasons portfolio's services record (codes for core.reasons; see that module)."""

from django.utils.translation import gettext_lazy as _

from core.money import format_money
from core.reasons import reason_register

PAYMENT_RECORDED = reason_register("payment.recorded", _("Payment %(reference)s"))
PAYMENT_REVERSED = reason_register("payment.reversed", _("Payment %(reference)s reversed"))

# Why a payment was refused: the API answers at once, a payments file stores them per row.
AMOUNT_FLOAT = reason_register(
    "payment.amount_float", _("Amount must be an exact decimal, not a float.")
)
AMOUNT_INVALID = reason_register(
    "payment.amount_invalid", _("Amount must be a number with at most 2 decimal places.")
)
AMOUNT_NOT_POSITIVE = reason_register(
    "payment.amount_not_positive", _("Amount must be greater than zero.")
)
METHOD_UNKNOWN = reason_register("payment.method_unknown", _("Unknown payment method: %(method)s."))
PAID_AT_NOT_DATETIME = reason_register(
    "payment.paid_at_not_datetime", _("Payment time must be a date and time.")
)
PAID_AT_NAIVE = reason_register(
    "payment.paid_at_naive", _("Payment time must include a time zone.")
)
PAID_AT_FUTURE = reason_register(
    "payment.paid_at_future", _("Payment time cannot be in the future.")
)
CURRENCY_MISMATCH = reason_register(
    "payment.currency_mismatch",
    _("Currency %(currency)s does not match the debt's currency %(expected)s."),
)


def _overpayment_text(params) -> str:
    # Amounts read as the viewer reads money, each with its currency.
    currency = params.get("currency", "")
    return _("Amount %(amount)s exceeds the outstanding balance of %(balance)s.") % {
        "amount": format_money(params["amount"], currency),
        "balance": format_money(params["balance"], currency),
    }


OVERPAYMENT = reason_register(
    "payment.overpayment",
    _("Amount %(amount)s exceeds the outstanding balance of %(balance)s."),
    render=_overpayment_text,
)
