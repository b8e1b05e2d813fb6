"""The reader's locale, and dates in it (Babel): es_CO, es_MX or en_US.

Money is formatted by `core.money.format_money` in the same locales.
"""

import contextlib
import datetime
from contextvars import ContextVar

from babel import dates as babel_dates
from django.conf import settings
from django.utils import timezone, translation

LOCALES = ("es_CO", "es_MX", "en_US")

# The country of whoever reads the page (set by the debtor portal); staff pages have none.
_reader_country: ContextVar[str] = ContextVar("reader_country", default="")


def locale_for(*, language: str, country: str = "") -> str:
    """The locale for a language (and country): English -> en_US; Spanish in Mexico -> es_MX;
    any other Spanish, and any language Cartera does not speak, -> es_CO (Spanish first)."""
    base, _, region = (language or "").replace("_", "-").lower().partition("-")
    if base == "en":
        return "en_US"
    return "es_MX" if (country or region).upper() == "MX" else "es_CO"


def active_locale() -> str:
    """The locale of the active Django language and the reader's country, if one is set."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return locale_for(language=language, country=_reader_country.get())


@contextlib.contextmanager
def reader_country(country: str):
    """Format for a reader in `country` (ISO 3166 alpha-2) inside this block."""
    token = _reader_country.set((country or "").upper())
    try:
        yield
    finally:
        _reader_country.reset(token)


def format_date(
    day: datetime.date | datetime.datetime, locale: str | None = None, *, length: str = "long"
) -> str:
    """A date as the reader writes it: "5 de diciembre de 2026", "December 5, 2026" (long);
    "5/12/2026", "5 dic 2026", "Dec 5, 2026" (medium); a datetime in the current time zone."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return babel_dates.format_date(day, length, locale=locale or active_locale())
