"""Local-time helpers: debtor time zones (zoneinfo), wall-clock instants that survive DST."""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.utils import translation

UTC = datetime.UTC


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


@lru_cache(maxsize=4096)
def hhmm(value: str) -> int:
    """Seconds after midnight of "HH:MM" (24:00 allowed as the end of a day)."""
    hours, minutes = value.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60 and h * 60 + m <= 24 * 60):
        raise ValueError(value)
    return h * 3600 + m * 60


def seconds_of_day(local: datetime.datetime) -> float:
    return local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6


def wall_instant(day: datetime.date, seconds: int, tz, *, end: bool = False) -> datetime.datetime:
    """The aware instant at `seconds` after local midnight of `day`.

    Wall times that do not exist (spring-forward gap) or exist twice (fall-back) are resolved
    inward: a window start moves later, a window end earlier, so the slot stays lawful.
    """
    if seconds >= 86400:
        naive = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        instant = naive.replace(tzinfo=tz).astimezone(UTC)
        return instant - datetime.timedelta(microseconds=1)
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=seconds)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    u0, u1 = first.astimezone(UTC), second.astimezone(UTC)
    if u0 == u1:
        return u0
    exists = u0.astimezone(tz).replace(tzinfo=None) == naive
    if exists:  # ambiguous: first occurrence for a start, second for an end
        return u1 if end else u0
    # Gap: fold=0 lands after the transition, fold=1 before it.
    return min(u0, u1) if end else max(u0, u1)


def local_midnight(day: datetime.date, tz) -> datetime.datetime:
    return wall_instant(day, 0, tz)


def holiday_calendar(country: str, region: str = ""):
    """The `holidays` calendar of a country (with the subdivision when the library knows it)."""
    return _holiday_calendar(country, region, _holiday_language())


def holiday_dates(country: str, region: str = ""):
    """The same calendar without the language lookup: for fast membership tests."""
    return _holiday_calendar(country, region, "")


def _holiday_language() -> str:
    return "es" if (translation.get_language() or "es").startswith("es") else "en_US"


@lru_cache(maxsize=256)
def _holiday_calendar(country: str, region: str, language: str):
    try:
        supported = holidays_lib.list_supported_countries()
        subdivs = supported.get(country, None)
        if subdivs is None:
            return None
        subdiv = region if region and region in subdivs else None
        cal = holidays_lib.country_holidays(country, subdiv=subdiv)
        if language in (cal.supported_languages or ()):
            cal = holidays_lib.country_holidays(country, subdiv=subdiv, language=language)
        return cal
    except (NotImplementedError, KeyError):
        return None
