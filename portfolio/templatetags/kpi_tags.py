"""Template helpers of segmentation and KPIs: percentages, the debt page's segment panel."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from portfolio.segmentation.engine import reasons_parse

register = template.Library()

REASON_LABELS = {
    "recency": _("Recency of the last payment"),
    "share": _("Share of the debt already paid"),
    "dpd": _("Days past due (worst open debt)"),
    "frequency": _("Payments in the last 180 days"),
    "promises": _("Promises kept and broken"),
    "contacts": _("Right-party contacts"),
}


@register.filter
def pct(value, places: int = 1) -> str:
    """A ratio (0.1234) as a percentage ("12.3 %"); "—" when there is none."""
    if value is None or value == "":
        return "—"
    number = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)))
    return f"{formats.number_format(number, decimal_pos=int(places))} %"


@register.filter
def lookup(mapping, key):
    return mapping.get(key, key) if hasattr(mapping, "get") else key


@register.inclusion_tag("portfolio/_debt_segment.html")
def debt_segment_panel(debt, user):
    """The segment of the debt and the debtor's behaviour score with its top reasons."""
    from portfolio.models import BehaviourScore

    score = BehaviourScore.objects.filter(debtor_id=debt.debtor_id).first()
    reasons = [
        {"label": REASON_LABELS.get(name, name), "points": points}
        for name, points in reasons_parse(score.reasons if score else "")
    ]
    return {"debt": debt, "segment": debt.segment, "score": score, "reasons": reasons}
