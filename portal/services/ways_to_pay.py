"""How a debtor can pay, by the country they live in.

Two kinds of way. Online, through the portal's payment providers: a card, and the country's
own rails (Colombia: PSE and Bre-B; Mexico: SPEI and OXXO; the US: a bank account by ACH),
each country seeing only its own. And with the debt's payment reference
(`payment_reference_for`), quoted to the creditor's bank or a payment point: the creditor's
payments file brings those payments in, matched by the reference
(imports.services.payments_file). Cartera keeps no creditor's account numbers, so each way
says where to ask for them: the creditor's phone.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import PaymentIntent
from portal.payments import RAIL_PROVIDERS, method_provider, provider_live

Method = PaymentIntent.Method
# The online methods each country's debtors may use, in the order the pay form lists them.
COUNTRY_METHODS = {
    "CO": (Method.CARD, Method.PSE, Method.BREB),
    "MX": (Method.CARD, Method.SPEI, Method.OXXO),
    "US": (Method.CARD, Method.BANK_TRANSFER),
}
OTHER_COUNTRY_METHODS = (Method.CARD, Method.BANK_TRANSFER)
METHOD_LABELS = {
    Method.CARD: gettext_lazy("Card (debit or credit)"),
    Method.PSE: gettext_lazy("PSE (from your bank account)"),
    Method.BREB: gettext_lazy("Bre-B (instant transfer with a key or QR code)"),
    Method.SPEI: gettext_lazy("SPEI bank transfer"),
    Method.OXXO: gettext_lazy("Cash at OXXO"),
}


@dataclass(frozen=True)
class Way:
    code: str
    title: str
    how: str


def country_methods(country: str) -> tuple[str, ...]:
    """The online methods a debtor of this country may use (what the server accepts)."""
    return COUNTRY_METHODS.get((country or "").upper(), OTHER_COUNTRY_METHODS)


def online_method_choices(country: str) -> list[tuple[str, str]]:
    """The online methods of the pay form, named as the debtor's country knows them.

    A rail whose adapter is not served here (a sandboxed rail in production, before a real
    adapter is configured) is left out rather than offered and refused.
    """
    bank = (
        gettext_lazy("Bank account (ACH)")
        if (country or "").upper() == "US"
        else gettext_lazy("Bank transfer")
    )
    return [
        (method, METHOD_LABELS.get(method, bank))
        for method in country_methods(country)
        if method not in RAIL_PROVIDERS or provider_live(method_provider(method))
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
