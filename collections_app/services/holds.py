"""Holds staff place from the debt page or the API: a dispute also starts its legal clock."""

from django.db import transaction

from collections_app.hooks import dispute_opened
from portfolio.models import Debt, Hold
from portfolio.services.holds import hold_open


@transaction.atomic
def hold_place(*, debt: Debt, kind: str, reason: str, source: str, user, channel: str) -> Hold:
    """Open a hold; a dispute also becomes a complaint with a due date and a written answer
    (`dispute_opened`, registered by complaints), in the same transaction."""
    hold = hold_open(debt=debt, kind=kind, reason=reason, source=source, user=user)
    if hold.kind == Hold.Kind.DISPUTE:
        dispute_opened.call_all(hold=hold, user=user, channel=channel, received_at=None)
    return hold
