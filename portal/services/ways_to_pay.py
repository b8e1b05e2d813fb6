"""How a debtor can pay, by the country they live in.

Two kinds of way. Online, through the portal's payment provider (a card, or the country's bank
payment). And with the debt's payment reference (`payment_reference_for`), quoted to the
creditor's bank or a payment point: the creditor's payments file brings those payments in,
matched by the reference (imports.services.payments_file). Cartera keeps no creditor's account
numbers, so each way says where to ask for them: the creditor's phone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import PaymentIntent


@dataclass(frozen=True)
class Way:
    code: str
    title: str
    how: str


def online_method_choices(country: str) -> list[tuple[str, str]]:
    """The online methods of the pay form, named as the debtor's country knows them."""
    bank = {
        "CO": gettext_lazy("PSE (from your bank account)"),
        "MX": gettext_lazy("SPEI bank transfer"),
        "US": gettext_lazy("Bank account (ACH)"),
    }.get((country or "").upper(), gettext_lazy("Bank transfer"))
    return [
        (PaymentIntent.Method.CARD, gettext_lazy("Card (debit or credit)")),
        (PaymentIntent.Method.BANK_TRANSFER, bank),
    ]


def payment_ways(*, country: str, creditor: str) -> list[Way]:
    """The ways to pay with the payment reference in the debtor's country, most used first."""
    country = (country or "").upper()
    values = {"creditor": creditor}
    if country == "CO":
        return [
            Way(
                "pse",
                _("PSE, from your bank account"),
                _(
                    "In your bank's app or website choose PSE or “pay a company”, look for "
                    "%(creditor)s and enter your payment reference."
                )
                % values,
            ),
            Way(
                "bank_transfer",
                _("Bank transfer or deposit"),
                _(
                    "Transfer or deposit to %(creditor)s's collection account and write your "
                    "payment reference in the description."
                )
                % values,
            ),
            Way(
                "cash",
                _("Cash at Efecty, Baloto and other payment points"),
                _("Say you are paying %(creditor)s and give your payment reference.") % values,
            ),
        ]
    if country == "MX":
        return [
            Way(
                "spei",
                _("SPEI transfer"),
                _(
                    "From your bank's app or website, transfer to %(creditor)s's account and "
                    "write your payment reference in the “referencia” or “concepto” field."
                )
                % values,
            ),
            Way(
                "oxxo",
                _("Cash at OXXO"),
                _("Tell the cashier you are paying %(creditor)s and give your payment reference.")
                % values,
            ),
        ]
    if country == "US":
        return [
            Way(
                "ach",
                _("Bank transfer (ACH)"),
                _(
                    "From your bank, send an ACH transfer to %(creditor)s and write your "
                    "payment reference in the memo."
                )
                % values,
            ),
        ]
    return [
        Way(
            "bank_transfer",
            _("Bank transfer"),
            _(
                "Transfer to %(creditor)s's account and write your payment reference in the "
                "description."
            )
            % values,
        ),
    ]
