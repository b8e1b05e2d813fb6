"""What messaging owes US debts: the validation notice (Reg F 12 CFR 1006.34) and the time-barred
debt disclosure (1006.26(b)); the rules that enforce them are US-VALIDATION and US-TIMEBARRED
(compliance/rules.py, docs/compliance.md).

* A US debt in a collection stage whose notice was not sent carries the pseudo hold
  `VALIDATION_PENDING` when its messages are planned and sent: collection messages wait, the
  notice (purpose "validation") goes.
* When the notice's message is sent, its debts record the moment and the end of the
  validation period the notice announced (once: a second send changes nothing).
* A message covering a time-barred US debt gets the disclosure appended to its text.
"""

import datetime
from functools import lru_cache

from django.conf import settings

from messaging.rendering import Rendered, sanitize_email_html
from messaging.services.compliance.certified import certified_required
from messaging.services.compliance.purpose import VALIDATION_TEMPLATE
from messaging.services.compliance.rules import (
    COLLECTION_STAGES,
    TIME_BARRED_DISCLOSURE,
    VALIDATION_PENDING,
)
from messaging.services.compliance.timeutil import holiday_dates
from portfolio.limitations import time_barred
from portfolio.models import Debt

US = "US"
# Reg F 1006.34(b)(5): the notice is assumed received 5 days (excluding legal public holidays,
# Saturdays and Sundays) after it is sent; the validation period ends 30 days after that.
RECEIPT_BUSINESS_DAYS = 5
VALIDATION_DAYS = 30


@lru_cache(maxsize=1024)
def validation_period_end(sent_on: datetime.date) -> datetime.date:
    """The last day of the validation period of a notice sent on `sent_on`."""
    # (The calendar expands its years on lookup: an unexpanded one is falsy, not empty.)
    holidays = holiday_dates(US, "")
    day, counted = sent_on, 0
    while counted < RECEIPT_BUSINESS_DAYS:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5 and (holidays is None or day not in holidays):
            counted += 1
    return day + datetime.timedelta(days=VALIDATION_DAYS)


def dispute_address() -> str:
    """Where a debtor mails a dispute or a request for the original creditor."""
    return settings.CARTERA_DISPUTE_MAIL_ADDRESS


def notice_pending(*, country: str, debt) -> bool:
    """Whether `debt` (of a debtor in `country`) still waits for its validation notice."""
    return (
        (country or "").upper() == US
        and debt.stage in COLLECTION_STAGES
        and debt.validation_notice_sent_at is None
    )


def pending_kinds(*, country: str, debts) -> set[str]:
    """The pseudo hold kinds a message covering `debts` carries ({VALIDATION_PENDING} or {})."""
    if any(notice_pending(country=country, debt=d) for d in debts):
        return {VALIDATION_PENDING}
    return set()


def pending_holds_sql(debtors_sql: str) -> str:
    """SQL of (debtor_id, debt_id, kind) rows: the pseudo hold of every US debt of the debtors
    `debtors_sql` selects that waits for its validation notice."""
    stages = ", ".join(f"'{stage}'" for stage in COLLECTION_STAGES)  # code constants
    return f"""
        SELECT d.debtor_id, d.id, '{VALIDATION_PENDING}' FROM portfolio_debt d
          JOIN portfolio_debtor p ON p.id = d.debtor_id
         WHERE p.country = '{US}' AND d.stage IN ({stages})
           AND d.validation_notice_sent_at IS NULL AND d.debtor_id IN ({debtors_sql})
    """


def covers_time_barred(*, debtor, debts, as_of: datetime.date) -> bool:
    """Whether one of `debts` of `debtor` is a time-barred US debt on `as_of`."""
    return any(
        time_barred(country=debtor.country, region=debtor.region, due_date=d.due_date, as_of=as_of)
        for d in debts
    )


def time_barred_disclosure(*, language: str, creditor_name: str) -> str:
    text = TIME_BARRED_DISCLOSURE.get(language) or TIME_BARRED_DISCLOSURE["en"]
    return text.format(creditor=creditor_name)


def with_disclosure(rendered: Rendered, disclosure: str) -> Rendered:
    """`rendered` with the disclosure as its last paragraph (text and e-mail HTML alike)."""
    if not disclosure:
        return rendered
    body = f"{rendered.body}\n\n{disclosure}"
    html = rendered.html
    if html:
        html = html + "<p>" + sanitize_email_html(disclosure) + "</p>"
    return Rendered(subject=rendered.subject, body=body, html=html)


def validation_notices_record(messages, debts_by_message: dict[int, list]) -> int:
    """Record on their debts the validation notices among `messages` that were just sent (the
    sent moment and the period's end, from the message's business date): in memory, so the
    batch's later messages see it, and in the database, once (a debt that has a notice keeps
    the first). Returns how many debts were recorded."""
    updates: dict[tuple, list[int]] = {}
    for message in messages:
        if message.template != VALIDATION_TEMPLATE or message.sent_at is None:
            continue
        if certified_required(
            country=message.debtor.country, template=message.template, channel=message.channel
        ):
            continue  # given only on its proof of receipt (services.proofs)
        ends = validation_period_end(message.business_date)
        for debt in debts_by_message.get(message.id, ()):
            if debt.validation_notice_sent_at is None:
                debt.validation_notice_sent_at = message.sent_at
                debt.validation_period_ends_on = ends
                updates.setdefault((message.sent_at, ends), []).append(debt.id)
    recorded = 0
    for (sent_at, ends), ids in updates.items():
        recorded += Debt.objects.filter(id__in=ids, validation_notice_sent_at__isnull=True).update(
            validation_notice_sent_at=sent_at, validation_period_ends_on=ends
        )
    return recorded
