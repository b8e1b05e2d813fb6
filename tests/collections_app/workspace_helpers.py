"""Helpers for the workspace tests: a clock frozen inside the contact hours, whatever the day.

The contact rules depend on the debtor's local day and hour (CO-WINDOW, CO-REST: no calls on
Sundays or Colombian holidays), so a test that logs a call "now" with the real clock fails at
night, on Sundays and on holidays. The `contact_hours` fixture freezes the application's clock
(`django.utils.timezone.now`, which `business_today()`, the services and the compliance
engine all read) at 10:00 in Bogotá on the latest Colombian business day on or before the
real date: a call to a debtor in `DAY_ZONE` is then lawful in every jurisdiction we know, and
one to a debtor in `NIGHT_ZONE` (03:00 there, the same business day) falls outside every
window. The frozen instant stays within a few days of the real one, so cookies and sessions
the browser tests use do not expire.
"""

import datetime
import os
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest

from core.dates import business_today
from portfolio.models import Stage
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

BOGOTA = ZoneInfo("America/Bogota")
DAY_ZONE = "America/Bogota"  # 10:00 local at the frozen instant
NIGHT_ZONE = "Etc/GMT+12"  # UTC-12: 03:00 local on the same business day
CONTACT_HOUR = datetime.time(10, 0)
# Set to an ISO instant to run the suite as if the wall clock said so (e.g. a Sunday).
WALL_CLOCK_ENV = "CARTERA_TEST_WALL_CLOCK"


def contact_hours_instant(wall_clock: datetime.datetime) -> datetime.datetime:
    """10:00 Bogotá on the latest Colombian business day (Mon-Fri, not a national holiday) on
    or before `wall_clock`'s date in Bogotá."""
    day = wall_clock.astimezone(BOGOTA).date()
    co_holidays = holidays.country_holidays("CO", years=range(day.year - 1, day.year + 1))
    while day.weekday() >= 5 or day in co_holidays:
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day, CONTACT_HOUR, tzinfo=BOGOTA).astimezone(datetime.UTC)


def wall_clock() -> datetime.datetime:
    forced = os.environ.get(WALL_CLOCK_ENV)
    if forced:
        return datetime.datetime.fromisoformat(forced)
    return datetime.datetime.now(datetime.UTC)


@pytest.fixture
def contact_hours(monkeypatch) -> datetime.datetime:
    """Freeze the application clock inside the contact hours; returns the frozen instant."""
    from django.utils import timezone

    frozen = contact_hours_instant(wall_clock())
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


def callable_debt(
    creditor,
    ref,
    principal,
    *,
    collector=None,
    currency="COP",
    stage=Stage.FIRM_NOTICE,
    interest="0",
    fees="0",
):
    """A debt 30 days late whose debtor (in DAY_ZONE) has a voice number: callable now."""
    debtor = DebtorFactory(creditor=creditor, timezone=DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}")
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref=ref,
        currency=currency,
        due_date=business_today() - datetime.timedelta(days=30),
        stage=stage,
        assigned_to=collector,
        principal=Decimal(principal),
        interest=Decimal(interest),
        fees=Decimal(fees),
    )
