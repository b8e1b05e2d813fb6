"""The safe template context of a message: plain strings and numbers, formatted for the debtor."""

import datetime
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.utils.translation import get_language

from core.dates import days_past_due
from core.formatting import format_date, locale_for
from core.http import reverse_token
from core.money import format_money
from messaging.hooks import portal_link
from messaging.services.us_debts import validation_period_end
from portfolio.models import Debt

OPTOUT_SALT = "messaging.optout"
OPTOUT_MAX_AGE = 60 * 60 * 24 * 400  # a link in an old message still works for over a year


def optout_token(message_id: int) -> str:
    return signing.dumps({"m": message_id}, salt=OPTOUT_SALT, compress=True)


def optout_message_id(token: str) -> int | None:
    """The message an opt-out token was issued for, or None if forged or expired."""
    try:
        data = signing.loads(token, salt=OPTOUT_SALT, max_age=OPTOUT_MAX_AGE)
    except signing.BadSignature:
        return None
    value = data.get("m") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


def optout_link(message_id: int | None) -> str:
    token = optout_token(message_id) if message_id else "preview"
    return settings.CARTERA_PUBLIC_URL.rstrip("/") + reverse_token("messaging:unsubscribe", token)


# A dispatch batch formats the same amounts, dates and product names hundreds of times: each
# is a pure function of its arguments (the locale is explicit), so a worker remembers them.
_money = lru_cache(maxsize=4096)(format_money)
_date = lru_cache(maxsize=4096)(format_date)


@lru_cache(maxsize=256)
def _product(product: str, language: str | None) -> str:
    return str(dict(Debt._meta.get_field("product").flatchoices).get(product, product))


def message_context(
    *,
    debtor,
    creditor,
    debts,
    language: str,
    as_of: datetime.date,
    message_id: int | None = None,
    collector=None,
) -> dict:
    """Everything a template may use (see messaging.rendering.CONTEXT_DOC) for one message."""
    debts = list(debts)
    locale = locale_for(language=language, country=debtor.country)
    currency = debts[0].currency if debts else ""
    total = sum((d.balance for d in debts), Decimal("0"))
    oldest = min((d.due_date for d in debts), default=as_of)
    rows = [
        {
            "ref": d.debt_ref,
            "product": _product(d.product, get_language()),
            "amount": _money(d.balance, d.currency, locale),
            "due_date": _date(d.due_date, locale),
            "days_past_due": days_past_due(due_date=d.due_date, as_of=as_of),
            # The validation notice's itemization (Reg F 1006.34(c)(2)): as of the due date.
            "itemization_date": _date(d.due_date, locale),
            "principal": _money(d.principal, d.currency, locale),
            "interest": _money(d.interest, d.currency, locale),
            "fees": _money(d.fees, d.currency, locale),
        }
        for d in debts
    ]
    collector_name = ""
    if collector is not None:
        collector_name = collector.get_full_name() or collector.username
    return {
        "first_name": debtor.first_name,
        "full_name": debtor.full_name,
        "creditor_name": creditor.name,
        "amount": _money(total, currency, locale) if currency else "",
        "currency": currency,
        "debt_count": len(debts),
        "debt_refs": ", ".join(d.debt_ref for d in debts),
        "debts": rows,
        "due_date": _date(oldest, locale),
        "days_past_due": days_past_due(due_date=oldest, as_of=as_of),
        "portal_link": portal_link.call_one(debtor.pk),
        "optout_link": optout_link(message_id),
        "contact_phone": creditor.contact_phone or settings.CARTERA_CONTACT_PHONE,
        "collector_name": collector_name or creditor.name,
        "business_date": _date(as_of, locale),
        "itemization_date": _date(oldest, locale),
        "principal": _sum(debts, "principal", currency, locale),
        "interest": _sum(debts, "interest", currency, locale),
        "fees": _sum(debts, "fees", currency, locale),
        # A notice sent on the message's business date: the end of its validation period.
        "validation_end_date": _date(validation_period_end(as_of), locale),
        "dispute_address": settings.CARTERA_DISPUTE_MAIL_ADDRESS,
    }


def _sum(debts, field: str, currency: str, locale) -> str:
    if not currency:
        return ""
    return _money(sum((getattr(d, field) for d in debts), Decimal("0")), currency, locale)


# Markers for validation: each required name must show up in the rendered text.
SAMPLE_MARKERS = {
    "amount": "⟦AMOUNT⟧",
    "creditor_name": "⟦CREDITOR⟧",
    "portal_link": "⟦PORTAL⟧",
    "contact_phone": "⟦PHONE⟧",
    "optout_link": "⟦OPTOUT⟧",
}


def sample_context(language: str = "es") -> dict:
    """A context with made-up values, to check that a template renders and says what it must."""
    day = datetime.date(2026, 12, 1)
    locale = locale_for(language=language)
    return {
        "first_name": "Ana",
        "full_name": "Ana Pérez Gómez",
        "creditor_name": SAMPLE_MARKERS["creditor_name"],
        "amount": SAMPLE_MARKERS["amount"],
        "currency": "COP",
        "debt_count": 2,
        "debt_refs": "OBL-1, OBL-2",
        "debts": [
            {
                "ref": "OBL-1",
                "product": "Tarjeta",
                "amount": format_money(Decimal(1000), "COP", locale),
                "due_date": format_date(day, locale),
                "days_past_due": 20,
                "itemization_date": format_date(day, locale),
                "principal": format_money(Decimal(900), "COP", locale),
                "interest": format_money(Decimal(60), "COP", locale),
                "fees": format_money(Decimal(40), "COP", locale),
            }
        ],
        "due_date": format_date(day, locale),
        "days_past_due": 20,
        "portal_link": SAMPLE_MARKERS["portal_link"],
        "optout_link": SAMPLE_MARKERS["optout_link"],
        "contact_phone": SAMPLE_MARKERS["contact_phone"],
        "collector_name": "Luis",
        "business_date": format_date(day, locale),
        "itemization_date": format_date(day, locale),
        "principal": format_money(Decimal(900), "COP", locale),
        "interest": format_money(Decimal(60), "COP", locale),
        "fees": format_money(Decimal(40), "COP", locale),
        "validation_end_date": format_date(day + datetime.timedelta(days=37), locale),
        "dispute_address": "Cartera Disputes, P.O. Box 1006",
    }
