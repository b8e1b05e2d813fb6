"""What the complaints tests share: a debtor with a debt and an e-mail, a complaint on it."""

import datetime

from complaints.services.intake import complaint_create
from tests.factories.portfolio import ContactPointFactory, DebtFactory


def debt_with_email(*, creditor, country="CO", **fields):
    zones = {"CO": "America/Bogota", "MX": "America/Mexico_City", "US": "America/New_York"}
    debt = DebtFactory(
        creditor=creditor,
        debtor__country=country,
        debtor__timezone=zones.get(country, "UTC"),
        debtor__language="en" if country == "US" else "es",
        **fields,
    )
    ContactPointFactory(debtor=debt.debtor, value=f"{debt.debt_ref.lower()}@example.com")
    return debt


def file_complaint(*, debt, user=None, by_debtor=False, kind="complaint", received_at=None, **more):
    return complaint_create(
        debtor=debt.debtor,
        debt=debt,
        kind=kind,
        channel=more.pop("channel", "phone"),
        subject=more.pop("subject", "Me llamaron a las 10 de la noche"),
        description=more.pop("description", "Recibí una llamada fuera del horario permitido."),
        received_at=received_at,
        user=user,
        by_debtor=by_debtor,
        **more,
    )


def at(day: datetime.date, hour: int = 10, tz="America/Bogota") -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(tz))
