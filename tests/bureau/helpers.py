"""Books for the bureau tests: debts in a given state without going through every service."""

import datetime
from decimal import Decimal

from portfolio.models import Debt, Hold


def set_debt(debt, **fields):
    """Write `fields` straight to the row (stage is protected on the model) and reload it."""
    if "balance" in fields:
        balance = Decimal(fields["balance"])
        fields.update(principal=balance, interest=Decimal("0"), fees=Decimal("0"), balance=balance)
    Debt.objects.filter(pk=debt.pk).update(**fields)
    debt.refresh_from_db()
    return debt


def hold(debt, kind=Hold.Kind.DISPUTE):
    from django.utils import timezone

    return Hold.objects.create(
        debtor=debt.debtor,
        debt=debt,
        kind=kind,
        reason="test",
        source=Hold.Source.MANAGER,
        opened_at=timezone.now(),
    )


D = datetime.date
