"""The debt page's panels that other apps contribute (see portfolio.hooks), and how an action
taken on the page refreshes every panel it changed.

Each panel of the "work", "case" and "activity" slots is rendered inside a wrapper whose id
comes from its registration key (`debt-panel-<key>`), so an action's htmx response can send
fresh copies of the panels it touched as out-of-band swaps, whatever their markup.
"""

from collections.abc import Iterable

from django import template
from django.template import RequestContext
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from core.dates import business_today
from portfolio import hooks
from portfolio.models import Debt
from portfolio.selectors import debt_page_payments

SLOTS = {
    "header": hooks.debt_page_header_panels,
    "work": hooks.debt_page_work_panels,
    "case": hooks.debt_page_case_panels,
    "activity": hooks.debt_page_activity_panels,
    "payments": hooks.debt_page_payments_panels,
}
# What a slot shows when no app registered into it: (key, snippet).
_DEFAULTS = {
    "payments": ("payments", lambda: '{% include "portfolio/_debt_payments.html" %}'),
}
# Header notes are inline and refreshed with the header itself, not one by one.
_UNWRAPPED = {"header"}
_compiled: dict[str, template.Template] = {}


def panel_id(key: str) -> str:
    """The id of the wrapper of the panel registered under `key` (e.g. debt-panel-agreements)."""
    return "debt-panel-" + slugify(key.replace(".", "-"))


def _render(snippet: str, context) -> str:
    if snippet not in _compiled:
        _compiled[snippet] = template.Template(snippet)
    return _compiled[snippet].render(context)


def render_slot(context, slot: str, *, only: Iterable[str] | None = None, oob: bool = False):
    """Every panel registered for `slot` (or those of its keys in `only`), in order, rendered in
    `context`; `oob` marks each for an htmx out-of-band swap of the one on the page."""
    keys = None if only is None else set(only)
    parts = []
    entries = list(SLOTS[slot].items())
    if not entries and slot in _DEFAULTS:
        entries = [_DEFAULTS[slot]]
    for key, snippet in entries:
        if keys is not None and key not in keys:
            continue
        html = _render(snippet(), context)
        if slot in _UNWRAPPED:
            parts.append(html)
            continue
        wrapper = '<div id="{}" class="debt-panel" hx-swap-oob="true">{}</div>'
        if not oob:
            wrapper = '<div id="{}" class="debt-panel">{}</div>'
        parts.append(format_html(wrapper, panel_id(key), mark_safe(html)))
    return mark_safe("".join(parts))


def debt_page_refresh(
    *, request, debt: Debt, panels: Iterable[str], summary: bool = False
) -> SafeString:
    """The debt page's header and the panels registered under the keys `panels` (any slot),
    each marked for an htmx out-of-band swap: what an action on the debt page returns besides
    its own fragment, so every panel its change touched shows the change at once. `summary`:
    the balance and case cards too (an action that moved the balance or the stage).

    `debt` must be read after the change (debt_detail_get), so the panels' shared reads
    (core.memo) are fresh."""
    as_of = business_today()
    context = RequestContext(
        request,
        {
            "debt": debt,
            "debtor": debt.debtor,
            "as_of": as_of,
            "dpd": debt.days_past_due(as_of),
            "time_barred": debt.is_time_barred(as_of),
            "payments": debt_page_payments(user=request.user, debt=debt),
            "oob": True,
        },
    )
    wanted = set(panels)
    parts = [get_template("portfolio/_debt_header.html").template.render(context)]
    if summary:
        parts.append(get_template("portfolio/_debt_summary.html").template.render(context))
    for slot in SLOTS:
        if slot not in _UNWRAPPED:
            parts.append(render_slot(context, slot, only=wanted, oob=True))
    return mark_safe("".join(parts))
