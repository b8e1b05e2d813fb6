"""The US escalation caps the cycle applies (cycle_us.escalation_caps): read by id for a few
debts, from every capped open debt for many; both give each debt the same cap."""

import datetime

import pandas as pd
import pytest

from collections_app.services import cycle_us
from portfolio.models import Stage
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)
SENT = datetime.datetime(2026, 11, 2, 15, tzinfo=datetime.UTC)


def _debt(country="US", stage=Stage.FRIENDLY_REMINDER, **fields):
    debtor = DebtorFactory(country=country, timezone="America/New_York")
    return DebtFactory(creditor=debtor.creditor, debtor=debtor, stage=stage, **fields)


@pytest.fixture
def debts():
    return {
        "unsent": _debt(),
        "in its period": _debt(validation_notice_sent_at=SENT, validation_period_ends_on=DAY),
        "period over": _debt(
            validation_notice_sent_at=SENT,
            validation_period_ends_on=DAY - datetime.timedelta(days=1),
        ),
        "colombian": _debt(country="CO"),
    }


EXPECTED = {"unsent": 1, "in its period": 2, "period over": 99, "colombian": 99}


@pytest.mark.parametrize("by_id_max", [10_000, 0], ids=["by id", "every capped debt"])
def test_each_debt_gets_its_cap_whichever_way_they_are_read(debts, monkeypatch, by_id_max):
    monkeypatch.setattr(cycle_us, "CAPS_BY_ID_MAX", by_id_max)
    # A closed US debt without a notice is capped too, but not among the debts asked about.
    _debt(stage=Stage.PAID)
    frame = pd.DataFrame({"id": [d.pk for d in debts.values()]})
    capped = cycle_us.escalation_caps(frame, business_date=DAY)
    assert dict(zip(debts, capped["cap_rank"], strict=True)) == EXPECTED
    assert list(capped["id"]) == list(frame["id"])
