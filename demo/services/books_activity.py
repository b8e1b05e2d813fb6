"""The books at work in the demo: the seeded payments posted to the ledger, a week of late
interest, money waiting in suspense and last month's draft remittance for Banco Andino.

Everything after the history goes through the services a manager and the nightly cycle use.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from collections_app.services.suspense import suspense_receive
from core.exceptions import ApplicationError
from ledger.models import EntryKind, LedgerEntry, Remittance, SuspenseReason
from ledger.services.accrual import accrual_run
from ledger.services.remittance import remittance_prepare
from portfolio.models import Creditor, Debtor, Payment

MANAGER = "gerente"
ACCRUAL_DAYS = 7


@dataclass
class DemoBooksActivity:
    history_entries: int
    accrued: int
    suspense: int
    remittances: int


def _history_entries(creditor_ids: list[int]) -> int:
    """The seeded payments' ledger entries, as the payments service would have posted them
    (set-based: the demo writes its history in bulk)."""
    entries, payments = LedgerEntry._meta.db_table, Payment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entries} (debt_id, creditor_id, currency, kind, posted_on, created_at,"
            " principal, interest, fees, amount, payment_id, stage, days_past_due, rate_capped,"
            " memo)"
            " SELECT p.debt_id, p.creditor_id, p.currency, %s,"
            " CAST(p.paid_at AT TIME ZONE %s AS date), p.created_at, -p.allocated_principal,"
            " -p.allocated_interest, -p.allocated_fees, -p.amount, p.id, d.stage,"
            " GREATEST(CAST(p.paid_at AT TIME ZONE %s AS date) - d.due_date, 0), false, %s"
            f" FROM {payments} p JOIN portfolio_debt d ON d.id = p.debt_id"
            " WHERE p.creditor_id = ANY(%s)"
            f" AND NOT EXISTS (SELECT 1 FROM {entries} e WHERE e.payment_id = p.id)",
            [EntryKind.PAYMENT.value, settings.TIME_ZONE, settings.TIME_ZONE,
             "demo history", creditor_ids],
        )  # fmt: skip
        return cursor.rowcount


def demo_books_activity(*, as_of: datetime.date) -> DemoBooksActivity:
    manager = User.objects.get(username=MANAGER)
    creditors = {c.code: c for c in Creditor.objects.all()}
    history = _history_entries([c.pk for c in creditors.values()])
    accrued = sum(
        accrual_run(as_of=as_of - datetime.timedelta(days=back))
        for back in range(ACCRUAL_DAYS - 1, -1, -1)
    )
    suspense = 0
    andino = creditors.get("banco-andino")
    if andino is not None:
        # A bank transfer quoting a reference nobody recognises, and a debtor's second payment
        # of a debt already paid: money received that no debt can take yet.
        received = timezone.make_aware(
            datetime.datetime.combine(as_of - datetime.timedelta(days=2), datetime.time(10))
        )
        _item, created = suspense_receive(
            creditor=andino, amount=Decimal("185000.00"), currency="COP", received_at=received,
            reference="DEMO-SUSP-1", quoted_reference="CT00000999", method="bank_transfer",
            source=Payment.Source.FILE, reason=SuspenseReason.UNKNOWN_REFERENCE,
            business_date=received.date(),
        )  # fmt: skip
        suspense += created
        paid = Debtor.objects.filter(creditor=andino, debts__stage="paid").first()
        if paid is not None:
            _item, created = suspense_receive(
                creditor=andino, amount=Decimal("92500.00"), currency="COP",
                received_at=received, reference="DEMO-SUSP-2", method="pse",
                source=Payment.Source.PORTAL, reason=SuspenseReason.DEBT_CLOSED,
                debt=paid.debts.filter(stage="paid").first(), debtor=paid,
                business_date=received.date(),
            )  # fmt: skip
            suspense += created
    remittances = 0
    if andino is not None:
        end = as_of.replace(day=1) - datetime.timedelta(days=1)
        start = end.replace(day=1)
        exists = Remittance.objects.filter(creditor=andino, period_start=start).exists()
        if not exists:
            try:
                remittance_prepare(
                    creditor=andino, currency="COP", period_start=start, period_end=end,
                    user=manager, as_of=as_of,
                )  # fmt: skip
                remittances = 1
            except ApplicationError:
                remittances = 0
    return DemoBooksActivity(history, accrued, suspense, remittances)
