"""Money and dates in templates, in the reader's locale (core.money, core.formatting)."""

from django import template

from core.formatting import format_date
from core.money import format_money

register = template.Library()


@register.filter
def money(amount, currency) -> str:
    """`{{ debt.balance|money:debt.currency }}`: the amount with its currency; "—" for none."""
    if amount is None or amount == "":
        return "—"
    return format_money(amount, currency)


@register.filter
def day(value, length: str = "medium") -> str:
    """`{{ line.due_date|day }}` ("5/12/2026", "Dec 5, 2026"); `|day:"long"` spells the month."""
    if not value:
        return ""
    return format_date(value, length=length)


@register.filter
def person(user) -> str:
    """`{{ change.changed_by|person }}`: a user's full name, else their username; "" for none
    (a record the system wrote), so `|default:"—"` can follow."""
    if user is None:
        return ""
    return user.get_full_name() or user.username
