"""Template helpers of segmentation and KPIs: percentages, the debt page's segment panel."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from analytics.hooks import debt_segment
from analytics.services.engine import reasons_parse
from core.memo import read_once
from core.money import format_money

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


@register.inclusion_tag("analytics/_debt_segment.html")
def debt_segment_panel(debt, user):
    """The segment of the debt and the debtor's behaviour score with its top reasons."""
    from analytics.models import BehaviourScore

    # Read with the page's debt when it was (analytics.hooks.debt_page_reads).
    score = read_once(
        debt,
        "behaviour_score",
        lambda: BehaviourScore.objects.filter(debtor_id=debt.debtor_id).first(),
    )
    reasons = [
        {"label": REASON_LABELS.get(name, name), "points": points}
        for name, points in reasons_parse(score.reasons if score else "")
    ]
    return {"debt": debt, "segment": debt_segment(debt), "score": score, "reasons": reasons}


NUMERIC_KINDS = {"num": "num", "pct": "num", "money": "num money", "count_rate": "num"}


@register.filter
def kpi_cell_class(column) -> str:
    """The <td>/<th> class of a column of includes/kpi_table.html."""
    return NUMERIC_KINDS.get(column.get("kind"), "")


@register.simple_tag
def kpi_cell(row, column):
    """One cell of includes/kpi_table.html: the value formatted by the column's kind, linked
    to its drill-down when the row has one (and the figure is not zero)."""
    value = row.get(column["key"])
    kind = column.get("kind", "text")
    if kind == "points":
        return format_html_join(
            "", '<span class="chip">M{}: {}</span>', ((p["month"], pct(p["rate"])) for p in value)
        )
    if kind == "money":
        # Every table with a money column has the row's currency.
        text = "—" if value is None else format_money(value, row["currency"])
    elif kind == "pct":
        text = pct(value)
    elif kind == "code":
        text = format_html("<code>{}</code>", value)
    else:
        text = "" if value is None else value
    href = row.get(column["link"]) if column.get("link") else None
    if href and value:
        text = format_html('<a href="{}">{}</a>', href, text)
    if kind == "count_rate":
        # A count and its rate in one cell: "4 (50.0 %)", so the table fits a laptop screen.
        return format_html(
            '{} <span class="small muted">({})</span>', text, pct(row.get(column["rate"]))
        )
    return conditional_escape(text)
