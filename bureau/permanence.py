"""How long negative data stays at the bureau, per country, as data (dates, never a guess).

* CO, Ley 1266 de 2008 art. 13 as amended by Ley 2157 de 2021 art. 3: once paid, the negative
  data stays twice the time the debt was in arrears, at most 4 years from the payment; unpaid,
  it expires ("caducidad") 8 years after the arrears began.
* MX, Ley para Regular las Sociedades de Información Crediticia art. 23: deleted after 1 year
  (debts under 25 UDIS), 2 years (up to 500 UDIS), 4 years (up to 1,000 UDIS) or 6 years
  (more), counted from the first default. The UDI's peso value is the setting BUREAU_MX_UDI
  (Banxico publishes it daily; the default below is its value in December 2025).
* US, FCRA 15 USC 1681c(a)(4) and (c)(1): 7 years from 180 days after the date of first
  delinquency.
"""

import datetime
from decimal import Decimal

from django.conf import settings

from messaging.services.compliance.bureau import _add_months

MX_UDI_DEFAULT = Decimal("8.60")
# (upper bound in UDIS, exclusive for the first, inclusive after; years until deletion)
MX_TIERS = ((Decimal("25"), 1), (Decimal("500"), 2), (Decimal("1000"), 4))
MX_LONGEST_YEARS = 6
CO_PAID_FACTOR = 2
CO_PAID_MAX_YEARS = 4
CO_EXPIRY_YEARS = 8
US_START_DAYS = 180
US_YEARS = 7


def mx_udi_value() -> Decimal:
    return Decimal(str(getattr(settings, "BUREAU_MX_UDI", MX_UDI_DEFAULT)))


def mx_years(amount_mxn: Decimal, *, udi: Decimal | None = None) -> int:
    """Years until deletion of an MX debt of `amount_mxn` pesos (art. 23 tiers in UDIS)."""
    udis = Decimal(amount_mxn) / (udi or mx_udi_value())
    if udis < MX_TIERS[0][0]:
        return MX_TIERS[0][1]
    for bound, years in MX_TIERS[1:]:
        if udis <= bound:
            return years
    return MX_LONGEST_YEARS


def remove_after(
    *,
    country: str,
    first_delinquency_on: datetime.date | None,
    paid_on: datetime.date | None = None,
    amount: Decimal = Decimal("0"),
    udi: Decimal | None = None,
) -> datetime.date | None:
    """The last day the negative data may be shown (after it the account goes as delete);
    None when nothing negative was ever reported (no date of first delinquency)."""
    if first_delinquency_on is None:
        return None
    country = (country or "").upper()
    if country == "US":
        start = first_delinquency_on + datetime.timedelta(days=US_START_DAYS)
        return _add_months(start, 12 * US_YEARS)
    if country == "MX":
        return _add_months(first_delinquency_on, 12 * mx_years(amount, udi=udi))
    # CO (and the default for any other country: the Colombian rule).
    if paid_on is not None:
        in_arrears = max((paid_on - first_delinquency_on).days, 0)
        doubled = paid_on + datetime.timedelta(days=CO_PAID_FACTOR * in_arrears)
        return min(doubled, _add_months(paid_on, 12 * CO_PAID_MAX_YEARS))
    return _add_months(first_delinquency_on, 12 * CO_EXPIRY_YEARS)
