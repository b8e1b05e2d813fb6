"""Two managers preparing overlapping statements of one creditor at once (PostgreSQL, real
threads): the creditor's lock queues them, one wins, the other is refused, and no entry lands
in two statements."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections

from core.exceptions import ApplicationError
from ledger.models import Remittance, RemittanceLine
from ledger.services.remittance import remittance_prepare
from portfolio.models import Stage
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import ManagerFactory
from tests.ledger.remittance_helpers import AS_OF, pay

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_overlapping_prepares_at_once_leave_one_statement():
    creditor = CreditorFactory()
    manager = ManagerFactory(creditors=[creditor])
    debt = DebtFactory(creditor=creditor, stage=Stage.FRIENDLY_REMINDER)
    for day in (5, 15, 25):
        pay(debt, "1000.00", datetime.date(2026, 11, day))
    periods = [
        (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
        (datetime.date(2026, 11, 10), datetime.date(2026, 12, 4)),
    ]
    start = threading.Barrier(len(periods))
    outcomes: list = []

    def prepare(period):
        try:
            start.wait(timeout=10)
            remittance_prepare(
                creditor=creditor, currency="COP", period_start=period[0],
                period_end=period[1], user=manager, as_of=AS_OF,
            )  # fmt: skip
            outcomes.append("prepared")
        except ApplicationError as exc:
            outcomes.append(exc.field)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=prepare, args=(period,)) for period in periods]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)

    assert sorted(outcomes) == ["period_start", "prepared"]
    remittance = Remittance.objects.get()
    entries = list(RemittanceLine.objects.values_list("entry_id", flat=True))
    assert len(entries) == len(set(entries)) == remittance.lines.count()
    assert remittance.collected == Decimal("1000.00") * len(entries)
