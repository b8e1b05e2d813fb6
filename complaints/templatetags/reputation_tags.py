"""Template helpers of the reputation figures: rates as percentages, "—" for no data."""

from decimal import Decimal

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def rep_pct(value, places: int = 1) -> str:
    """A ratio (0.1234) as a percentage ("12.3 %"); "—" when there is none."""
    if value is None or value == "":
        return "—"
    number = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)))
    return f"{formats.number_format(number, decimal_pos=int(places))} %"


@register.filter
def rep_num(value, places: int = 1) -> str:
    """A figure with `places` decimals in the page's language; "—" when there is none."""
    if value is None or value == "":
        return "—"
    return formats.number_format(value, decimal_pos=int(places), force_grouping=True)
