"""The demo's inbox: debtors writing back by SMS, WhatsApp and e-mail over the last days, so
the team inbox, its unread count and the case timelines have something to show on the first
sign-in (one opt-out among them: it revokes that consent, as a real one would).

Written through messaging's inbound service, as a provider's webhook would: matched to the
debtor by their contact points, assigned to their collector.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from messaging.services.inbox import inbound_receive
from portfolio.models import ContactPoint, Debt

SHARE = 1 / 80
TEXTS = {
    "es": (
        "Buenos días, ya hice el pago ayer en la sucursal. ¿Me confirman?",
        "¿Puedo pagar la mitad este mes y el resto el próximo?",
        "No reconozco esta deuda, yo nunca tuve esa tarjeta.",
        "Me quedé sin trabajo, ¿hay alguna forma de hacer un acuerdo?",
        "¿Me pueden llamar después de las 6 pm?",
        "Pago el viernes sin falta.",
        "BAJA",
    ),
    "en": (
        "Hi, I paid yesterday at the branch. Can you confirm?",
        "Can I pay half this month and the rest next month?",
        "I don't recognise this debt, I never had that card.",
        "I lost my job, is there any way to set up a plan?",
        "Can you call me after 6 pm?",
        "I'll pay on Friday for sure.",
        "STOP",
    ),
}
CHANNELS = ("sms", "whatsapp", "email")


def demo_inbox(*, debts: list[Debt], as_of: date, seed: int) -> int:
    """Seed the demo's inbound replies in the days before `as_of`; returns how many."""
    rng = random.Random(seed + 23)
    open_debts = [d for d in debts if d.is_open]
    count = min(len(open_debts), max(len(TEXTS["es"]), round(len(debts) * SHARE)))
    chosen = rng.sample(open_debts, count)
    points: dict[int, list[ContactPoint]] = {}
    for point in ContactPoint.objects.filter(
        debtor_id__in={d.debtor_id for d in chosen}, channel__in=CHANNELS
    ).order_by("debtor_id", "channel", "id"):
        points.setdefault(point.debtor_id, []).append(point)
    end = datetime.combine(as_of, time(17), tzinfo=UTC)
    written = 0
    for i, debt in enumerate(chosen):
        mine = points.get(debt.debtor_id)
        if not mine:
            continue
        point = rng.choice(mine)
        texts = TEXTS["en" if debt.debtor.language == "en" else "es"]
        text = texts[i % len(texts)]
        inbound_receive(
            channel=point.channel,
            address=point.value,
            subject="Re: su obligación" if point.channel == "email" else "",
            body=text,
            provider="demo",
            provider_message_id=f"demo-{seed}-{debt.pk}",
            received_at=end - timedelta(minutes=rng.randint(10, 60 * 72)),
        )
        written += 1
    return written
