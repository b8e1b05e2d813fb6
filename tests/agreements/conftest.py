import datetime
from decimal import Decimal

import pytest

from portfolio.models import Stage
from tests.factories.portfolio import ContactPointFactory, DebtFactory

AS_OF = datetime.date(2026, 11, 2)
PAID_AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def debt(creditor, collector):
    debt = DebtFactory(
        creditor=creditor,
        assigned_to=collector,
        stage=Stage.FIRM_NOTICE,
        principal=Decimal("1000000.00"),
        interest=Decimal("150000.00"),
        fees=Decimal("50000.00"),
        due_date=datetime.date(2026, 10, 1),
    )
    ContactPointFactory(debtor=debt.debtor)
    return debt


def terms(**overrides):
    values = {
        "kind": "instalment_plan",
        "instalment_count": 3,
        "frequency": "monthly",
        "first_due_date": datetime.date(2026, 11, 10),
        "down_payment": Decimal("120000.00"),
        "channel": "phone",
    }
    values.update(overrides)
    return values
