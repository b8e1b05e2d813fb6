"""In which order a payment pays off a debt's components, per creditor and debtor country.

Colombia's default pays interest before principal (Código Civil art. 1653), and collection
fees last: a creditor may place the fees elsewhere but never principal before interest. Mexico,
the US and everywhere else keep Cartera's original order (fees, interest, principal). The
creditor's choice lives in LedgerSettings; the statement and the portal show each payment's
split, which is stored on the payment and its ledger entry.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from ledger.models import ApplicationOrder, LedgerSettings, order_components

DEFAULT_ORDERS = {"CO": ApplicationOrder.INTEREST_PRINCIPAL_FEES}
FALLBACK_ORDER = ApplicationOrder.FEES_INTEREST_PRINCIPAL


@dataclass(frozen=True)
class Allocation:
    fees: Decimal
    interest: Decimal
    principal: Decimal


def application_order_default(country: str) -> str:
    """The order a creditor's debtors of `country` get until the creditor chooses one."""
    return DEFAULT_ORDERS.get((country or "").upper(), FALLBACK_ORDER)


def application_order_for(*, creditor_id: int, country: str) -> str:
    """The order payments of this creditor's debtors of `country` are applied in."""
    country = (country or "").upper()
    chosen = (
        LedgerSettings.objects.filter(creditor_id=creditor_id, country=country)
        .values_list("application_order", flat=True)
        .first()
    )
    return chosen or application_order_default(country)


def application_orders(*, creditor_id: int) -> dict[str, str]:
    """{country: order} of every country the creditor chose an order for (bulk writers)."""
    return dict(
        LedgerSettings.objects.filter(creditor_id=creditor_id).values_list(
            "country", "application_order"
        )
    )


def application_order_validate(*, country: str, order: str) -> str:
    """The order when the country's law allows it, or ApplicationError."""
    if order not in ApplicationOrder.values:
        raise ApplicationError(_("Choose an application order."), field="application_order")
    parts = order_components(order)
    if (country or "").upper() == "CO" and parts.index("principal") < parts.index("interest"):
        raise ApplicationError(
            _(
                "In Colombia a payment goes to interest before principal (Código Civil "
                "art. 1653): choose an order that pays interest first."
            ),
            field="application_order",
        )
    return order


def payment_split(
    *, amount: Decimal, principal: Decimal, interest: Decimal, fees: Decimal, order: str
) -> Allocation:
    """Split `amount` over the components in `order` (the caller checked the balance)."""
    owed = {"principal": principal, "interest": interest, "fees": fees}
    paid = dict.fromkeys(owed, Decimal(0))
    left = amount
    for part in order_components(order):
        take = min(left, owed[part])
        paid[part] = take
        left -= take
    # Whatever the components cannot take (never, when the balance was checked) is principal's.
    paid["principal"] += left
    return Allocation(fees=paid["fees"], interest=paid["interest"], principal=paid["principal"])
