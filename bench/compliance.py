"""Benchmark the compliance engine (pure Python; no database queries in the loop).

    .venv/bin/python bench/compliance.py --contacts 100000

Builds N contacts for random debtors (CO/MX/US and US states, several time zones, channels,
purposes, a few holds, 0-6 past contacts each), loads the rule sets once with
`ruleset_cache()` (the one query it makes), then times:
  * compliance_check for every contact (planning time, no content),
  * compliance_check with rendered content (send time: opt-out, creditor name, wording),
  * spread_moment for every contact (the planner's pick of a lawful minute),
  * first_lawful_moment from the contact's time.
Reports calls/s on the wall clock and per CPU second (the machine is shared), and
asserts that no query ran inside the timed loops. Uses DATABASE_URL (migrated first; only the
override table is read).
"""

import argparse
import datetime
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from messaging.services.compliance import (  # noqa: E402
    Contact,
    PastContact,
    compliance_check,
    first_lawful_moment,
    ruleset_cache,
    spread_moment,
)

DEBTORS = (
    ("CO", "", "America/Bogota"),
    ("CO", "", "America/Bogota"),
    ("MX", "", "America/Mexico_City"),
    ("US", "NY", "America/New_York"),
    ("US", "MA", "America/New_York"),
    ("US", "CA", "America/Los_Angeles"),
    ("US", "TX", "America/Chicago"),
)
CHANNELS = ("email", "sms", "whatsapp", "voice", "letter")
TEXT = "Banco Andino: su saldo es $120.000. Pague en el portal. Responda STOP para salir."


def build(n: int, seed: int = 7):
    rnd = random.Random(seed)
    start = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=datetime.UTC)
    contacts, histories = [], []
    for i in range(n):
        country, region, tz = rnd.choice(DEBTORS)
        at = start + datetime.timedelta(minutes=rnd.randrange(0, 14 * 60))
        c = Contact(
            debtor_id=i,
            creditor_id=1 + i % 5,
            country=country,
            region=region,
            timezone=tz,
            channel=rnd.choice(CHANNELS),
            at=at,
            stage=rnd.choice(("friendly_reminder", "firm_notice", "pre_legal")),
            purpose=rnd.choice(("collection",) * 8 + ("agreement", "transactional")),
            consented=rnd.random() > 0.05,
            holds=frozenset({"dispute"}) if rnd.random() < 0.02 else frozenset(),
            has_active_agreement=rnd.random() < 0.05,
            creditor_name="Banco Andino",
        )
        history = [
            PastContact(
                debtor_id=i,
                channel=rnd.choice(CHANNELS),
                at=at - datetime.timedelta(hours=rnd.randrange(12, 24 * 10)),
                kind=rnd.choice(("message", "call_attempt", "conversation")),
            )
            for _ in range(rnd.randrange(0, 7))
        ]
        contacts.append(c)
        histories.append(history)
    return contacts, histories


def timed(label, n, fn):
    with CaptureQueriesContext(connection) as queries:
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert len(queries) == 0, f"{label}: {len(queries)} queries in the loop"
    print(
        f"{label:<42} {n:>7} calls {elapsed:6.2f} s wall {n / elapsed:>8,.0f}/s"
        f" | {cpu:6.2f} s CPU {n / cpu:>8,.0f}/s"
    )
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    args = parser.parse_args()
    n = args.contacts
    call_command("migrate", verbosity=0)  # the override table the cache reads
    contacts, histories = build(n)
    cache = ruleset_cache(creditor_ids=range(1, 6))
    pairs = list(zip(contacts, histories, strict=True))

    def check_all(with_text=False):
        allowed = 0
        for c, h in pairs:
            if with_text:
                c = replace(c, content=TEXT)
            allowed += compliance_check(contact=c, history=h, rules=cache).allowed
        return allowed

    allowed = timed("compliance_check (planning, no content)", n, check_all)
    timed("compliance_check (send, with content)", n, lambda: check_all(True))
    print(f"  allowed at the drawn instant: {allowed / n:.1%}")
    day = datetime.date(2026, 12, 2)

    def spread_all():
        return sum(
            spread_moment(contact=c, day=day, key=str(c.debtor_id), history=h, rules=cache)
            is not None
            for c, h in pairs
        )

    spread = timed("spread_moment (one local day)", n, spread_all)
    print(f"  with a lawful minute that day: {spread / n:.1%}")
    m = min(n, 20_000)

    def first_all():
        return sum(
            first_lawful_moment(contact=c, history=h, rules=cache, not_before=c.at) is not None
            for c, h in pairs[:m]
        )

    timed("first_lawful_moment (7-day horizon)", m, first_all)


if __name__ == "__main__":
    main()
