"""Agreement messages as ContactAction rows (messaging turns them into messages)."""

import datetime
from collections import defaultdict

from messaging.models import ContactAction
from portfolio.models import Channel, ContactPoint, Debt

AGREEMENT_CHANNELS = (Channel.EMAIL, Channel.SMS)


def notice_channels(debtor_ids) -> dict[int, list[str]]:
    """Per debtor, the e-mail/SMS channels to use: the consented ones, else any on file.

    With no consent the action is still recorded (the debtor has a right to the terms);
    messaging's compliance check suppresses what may not be sent.
    """
    consented: dict[int, set[str]] = defaultdict(set)
    on_file: dict[int, set[str]] = defaultdict(set)
    rows = ContactPoint.objects.filter(
        debtor_id__in=list(debtor_ids), channel__in=AGREEMENT_CHANNELS
    ).values_list("debtor_id", "channel", "consent_granted")
    for debtor_id, channel, granted in rows:
        (consented if granted else on_file)[debtor_id].add(channel)
    result = {}
    for debtor_id in debtor_ids:
        chosen = consented.get(debtor_id) or on_file.get(debtor_id) or {Channel.EMAIL}
        result[debtor_id] = sorted(str(c) for c in chosen)
    return result


def notices_insert(*, debt_ids, template_code: str, business_date: datetime.date) -> int:
    """Insert one planned ContactAction per debt and channel (idempotent by the unique key)."""
    debts = list(Debt.objects.filter(pk__in=list(debt_ids)).values("id", "debtor_id", "stage"))
    if not debts:
        return 0
    channels = notice_channels({d["debtor_id"] for d in debts})
    actions = [
        ContactAction(
            debt_id=d["id"],
            business_date=business_date,
            stage=d["stage"],
            channel=channel,
            template_code=template_code,
            status=ContactAction.Status.PLANNED,
        )
        for d in debts
        for channel in channels[d["debtor_id"]]
    ]
    ContactAction.objects.bulk_create(actions, ignore_conflicts=True)
    return len(actions)
