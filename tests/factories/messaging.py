import datetime
import itertools

from django.utils import timezone

from messaging.models import Message, MessageDebt

_counter = itertools.count(1)


def make_message(*, debt, debts=(), **fields) -> Message:
    """A planned e-mail covering `debt` (and `debts`), due a minute ago unless told otherwise."""
    n = next(_counter)
    values = {
        "creditor": debt.creditor,
        "debtor": debt.debtor,
        "channel": "email",
        "template": "friendly",
        "stage": "friendly_reminder",
        "language": debt.debtor.language,
        "business_date": datetime.date(2026, 12, 1),
        "to": f"m{n}@example.com",
        "planned_for": timezone.now() - datetime.timedelta(minutes=1),
        "idempotency_key": f"test:{n}:{timezone.now().timestamp()}",
    }
    values.update(fields)
    message = Message.objects.create(**values)
    for covered in (debt, *debts):
        MessageDebt.objects.create(message=message, debt=covered)
    return message
