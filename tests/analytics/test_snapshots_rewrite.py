"""The rewritten snapshot statements give the rows the previous ones gave, on a hand-built book.

MessageDay and SuppressionDay now count each message once per cut before grouping (instead of
count(DISTINCT ...) over every message-debt row), BucketTransition groups the openings by
an integer state before meeting segments and users, and InstalmentDay and AgreementSpan find
an agreement's first debt with a lateral lookup. The previous statements are kept here,
verbatim, as the reference: each table's rows must equal what they select.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from agreements.models import AgreementDebt, PaymentAgreement
from analytics.models import (
    AgreementSpan,
    BucketTransition,
    InstalmentDay,
    MessageDay,
    SegmentDefinition,
    SuppressionDay,
)
from analytics.services.loading import DEBTS_WITH_SEGMENT, day_bounds, local_date_sql
from analytics.services.nightly import nightly_run
from analytics.services.snapshots import _dpd, bucket_sql
from analytics.services.snapshots_activity import (
    FOLLOW_UP_DAYS,
    JUDGING_WINDOW_DAYS,
    MESSAGE_WINDOW_DAYS,
    _plus_days_sql,
)
from core.bulk import days_between_sql
from tests.analytics.helpers import at
from tests.factories.messaging import make_message
from tests.factories.portfolio import (
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
    PaymentFactory,
    PortfolioFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = D(2026, 6, 10)
CUT = "creditor_id, portfolio_id, segment_id, collector_id, currency"
DEBT_CUT = "d.creditor_id, d.portfolio_id, d.segment_id, d.assigned_to_id"


def _book(collector):
    """Debtors with two or three debts each (different currencies, collectors, portfolios),
    messages covering one or several of them in every status, payments after some."""
    creditor = CreditorFactory()
    portfolios = [PortfolioFactory(creditor=creditor), None]
    messages = []
    for n in range(6):
        debtor = DebtorFactory(creditor=creditor)
        debts = [
            DebtFactory(
                creditor=creditor,
                debtor=debtor,
                portfolio=portfolios[(n + i) % 2],
                currency="USD" if (n + i) % 3 == 0 else "COP",
                assigned_to=collector if (n + i) % 2 else None,
                principal=Decimal("1000.00") * (i + 1),
                due_date=DAY - datetime.timedelta(days=10 + 40 * i + 7 * n),
            )
            for i in range(2 + n % 2)
        ]
        # A twin of the first debt (same cut): a message covering both counts once in it.
        first = debts[0]
        debts.append(
            DebtFactory(
                creditor=creditor,
                debtor=debtor,
                portfolio=first.portfolio,
                currency=first.currency,
                assigned_to=first.assigned_to,
                principal=first.principal,
                due_date=first.due_date,
            )
        )
        for k, status in enumerate(
            ["planned", "sent", "delivered", "suppressed", "failed", "cancelled", "sent"]
        ):
            day = DAY - datetime.timedelta(days=(n + k) % 4)
            sent = at(day, 10) if status in ("sent", "delivered", "failed") else None
            # every other message covers the twins (the payment below lands on one of them)
            covered = [debts[0], debts[-1]] if k % 2 else debts[k % len(debts) :]
            messages.append(
                make_message(
                    debt=covered[0],
                    debts=covered[1:],
                    status=status,
                    sent_at=sent,
                    business_date=day,
                    planned_for=at(day, 9),
                    channel=["email", "sms"][k % 2],
                    template=["friendly", "firm"][n % 2],
                    suppression_rule=(
                        ["CO-DAY", "CO-WINDOW"][n % 2] if status == "suppressed" else ""
                    ),
                )
            )
            if sent is not None and (n + k) % 3 == 0:
                # a payment within the 7 days after the message, on one of its debts
                PaymentFactory(debt=covered[-1], paid_at=sent + datetime.timedelta(days=2))
    return messages


def _reference(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted((tuple(row) for row in cursor.fetchall()), key=repr)


def _table(model, fields, **where):
    return sorted(model.objects.filter(**where).values_list(*fields), key=repr)


def _old_messages(as_of):
    low, high = as_of - datetime.timedelta(days=MESSAGE_WINDOW_DAYS), as_of
    _start, end = day_bounds(as_of)
    delivered = "m.status IN ('sent', 'delivered')"
    followed = f"""EXISTS (SELECT 1 FROM portfolio_payment q
                   WHERE q.debt_id = md.debt_id AND q.paid_at >= m.sent_at AND q.paid_at < %s
                     AND q.paid_at < {_plus_days_sql("m.sent_at", FOLLOW_UP_DAYS)})"""
    return _reference(
        f"""
        SELECT m.business_date, {DEBT_CUT}, d.currency, m.channel, m.template,
               count(DISTINCT m.id),
               count(DISTINCT CASE WHEN m.status = 'suppressed' THEN m.id END),
               count(DISTINCT CASE WHEN m.sent_at IS NOT NULL THEN m.id END),
               count(DISTINCT CASE WHEN {delivered} THEN m.id END),
               count(DISTINCT CASE WHEN m.status = 'delivered' THEN m.id END),
               count(DISTINCT CASE WHEN {delivered} AND {followed} THEN m.id END)
          FROM messaging_message m
          JOIN messaging_messagedebt md ON md.message_id = m.id
          JOIN {DEBTS_WITH_SEGMENT} d ON d.id = md.debt_id
         WHERE m.business_date BETWEEN %s AND %s AND m.status <> 'cancelled'
         GROUP BY m.business_date, {DEBT_CUT}, d.currency, m.channel, m.template
        """,
        [end, low, high],
    )


def _old_suppressions(as_of):
    low, high = as_of - datetime.timedelta(days=MESSAGE_WINDOW_DAYS), as_of
    rule = "COALESCE(NULLIF(m.suppression_rule, ''), '?')"
    return _reference(
        f"""
        SELECT m.business_date, {DEBT_CUT}, d.currency, m.channel, {rule}, count(DISTINCT m.id)
          FROM messaging_message m
          JOIN messaging_messagedebt md ON md.message_id = m.id
          JOIN {DEBTS_WITH_SEGMENT} d ON d.id = md.debt_id
         WHERE m.business_date BETWEEN %s AND %s AND m.status = 'suppressed'
         GROUP BY m.business_date, {DEBT_CUT}, d.currency, m.channel, {rule}
        """,
        [low, high],
    )


def _old_transitions(as_of, month):
    dpd = _dpd(as_of)
    to_state = (
        "CASE WHEN d.stage IN ('paid', 'settled') OR d.balance = 0 THEN 'paid' "
        f"WHEN d.stage = 'written_off' THEN 'written_off' ELSE {bucket_sql(dpd)} END"
    )
    return _reference(
        f"""
        SELECT %s, %s, o.creditor_id, o.portfolio_id, s.id, u.id, o.currency,
               o.bucket, {to_state}, count(*), sum(o.balance)
          FROM analytics_debtmonthopening o JOIN portfolio_debt d ON d.id = o.debt_id
          LEFT JOIN analytics_segmentdefinition s ON s.id = o.segment_id
          LEFT JOIN auth_user u ON u.id = o.collector_id
         WHERE o.month = %s
         GROUP BY o.creditor_id, o.portfolio_id, s.id, u.id, o.currency, o.bucket, {to_state}
        """,
        [month, as_of, month],
    )


def test_message_and_suppression_days_equal_the_previous_statements(collector):
    _book(collector)
    nightly_run(as_of=DAY)
    fields = ["as_of", *CUT.split(", "), "channel", "template"]
    counts = ["planned", "suppressed", "sent", "delivered", "confirmed", "followed"]
    rows = _table(MessageDay, [*fields, *counts])
    assert rows and any(row[-1] for row in rows) and any(row[-5] for row in rows)
    assert rows == _old_messages(DAY)
    suppressions = _table(SuppressionDay, [*fields[:-1], "rule", "messages"])
    assert {row[-2] for row in suppressions} == {"CO-DAY", "CO-WINDOW"}
    assert suppressions == _old_suppressions(DAY)


def test_bucket_transitions_equal_the_previous_statement(collector):
    _book(collector)
    month = DAY.replace(day=1)
    nightly_run(as_of=DAY)
    # Over the following days: debts paid, written off, cured, aged; a segment deleted.
    later = DAY + datetime.timedelta(days=15)
    debts = list(
        DebtFactory._meta.model.objects.filter(stage__in=["current", "friendly_reminder"])
        .order_by("id")
        .values_list("id", flat=True)
    )
    model = DebtFactory._meta.model
    zero = {"principal": 0, "interest": 0, "fees": 0, "balance": 0}
    model.objects.filter(id=debts[0]).update(stage="paid", **zero)
    model.objects.filter(id=debts[1]).update(stage="written_off")
    model.objects.filter(id=debts[2]).update(**zero)
    model.objects.filter(id=debts[3]).update(due_date=later + datetime.timedelta(days=5))
    # Each side of every bucket limit on the later date (0 is current, 1 is 1-30, ...).
    for offset, debt_id in zip((0, 1, 30, 31, 60, 61, 90, 91), debts[4:], strict=False):
        model.objects.filter(id=debt_id).update(due_date=later - datetime.timedelta(days=offset))
    SegmentDefinition.objects.filter(is_catch_all=False).first().delete()
    nightly_run(as_of=later)
    fields = ["month", "as_of", *CUT.split(", "), "from_bucket", "to_state"]
    rows = _table(BucketTransition, [*fields, "debts", "balance_start"], month=month)
    states = {row[-3] for row in rows}
    assert {"paid", "written_off"} <= states and len(states) >= 4
    assert rows == _old_transitions(later, month)
    assert timezone.now()  # the book is built with aware datetimes throughout
    # The transitions group without sorting (a hash aggregate), and give the setting back to
    # the rest of the night's transaction.
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_sort")
        assert cursor.fetchone()[0] == "on"


def _old_agreement_debt_sql():
    return "(SELECT min(l.debt_id) FROM agreements_agreementdebt l WHERE l.agreement_id = a.id)"


def _old_instalments(as_of):
    low, high = as_of - datetime.timedelta(days=JUDGING_WINDOW_DAYS), as_of
    late = days_between_sql(later=local_date_sql("i.paid_at"), earlier="i.due_date")
    _start, end = day_bounds(as_of)
    kept = f"(i.paid_amount >= i.amount AND i.paid_at < %s AND {late} <= a.grace_days)"
    judged = days_between_sql(later="%s", earlier="i.due_date") + " >= a.grace_days"
    return _reference(
        f"""
        SELECT i.due_date, {DEBT_CUT}, a.currency, count(*), sum(i.amount),
               sum(CASE WHEN {kept} THEN 1 ELSE 0 END),
               sum(CASE WHEN NOT {kept} AND {judged} AND i.paid_amount > 0 THEN 1 ELSE 0 END),
               sum(CASE WHEN NOT {kept} AND NOT ({judged}) THEN 1 ELSE 0 END),
               sum(i.paid_amount)
          FROM agreements_instalment i
          JOIN agreements_paymentagreement a ON a.id = i.agreement_id
          JOIN {DEBTS_WITH_SEGMENT} d ON d.id = {_old_agreement_debt_sql()}
         WHERE i.due_date BETWEEN %s AND %s AND i.status <> 'cancelled'
           AND a.activated_on IS NOT NULL AND a.activated_on <= %s
           AND (a.status NOT IN ('broken', 'cancelled') OR i.due_date <= a.ended_on)
         GROUP BY i.due_date, {DEBT_CUT}, a.currency
        """,
        [end, end, as_of.isoformat(), end, as_of.isoformat(), low, high, as_of],
    )


def _old_spans(as_of):
    return _reference(
        f"""
        SELECT a.id, {DEBT_CUT}, a.currency, a.activated_on,
               CASE WHEN a.ended_on <= %s THEN a.ended_on END,
               CASE WHEN a.status = 'broken' AND a.ended_on <= %s THEN a.ended_on END
          FROM agreements_paymentagreement a
          JOIN {DEBTS_WITH_SEGMENT} d ON d.id = {_old_agreement_debt_sql()}
         WHERE a.activated_on IS NOT NULL AND a.activated_on <= %s
        """,
        [as_of, as_of, as_of],
    )


def test_instalment_days_and_agreement_spans_equal_the_previous_statements(collector):
    from tests.analytics.test_activity_kpis import _agreement, _instalment

    creditor = CreditorFactory()
    debts = [
        DebtFactory(
            creditor=creditor,
            currency=["COP", "USD"][n % 2],
            assigned_to=collector if n % 3 else None,
            due_date=DAY - datetime.timedelta(days=20 * n),
        )
        for n in range(6)
    ]
    start = DAY - datetime.timedelta(days=40)
    statuses = [("active", None), ("broken", DAY - datetime.timedelta(days=5)), ("active", None)]
    for n, (status, ended) in enumerate(statuses):
        agreement = _agreement(
            debts[2 * n + 1], currency=debts[2 * n + 1].currency, active_from=start,
            status=status, ended_on=ended,
        )  # fmt: skip
        # a second debt, with a lower id: the agreement takes the cut of its first debt
        AgreementDebt.objects.create(
            agreement=agreement, debt=debts[2 * n], stage_at_start="friendly_reminder",
            balance_at_start=debts[2 * n].balance, share=0, is_open=True,
        )  # fmt: skip
        for k in range(4):
            due = start + datetime.timedelta(days=15 * k)
            paid = ["100.00", "40.00", "0", "100.00"][(n + k) % 4]
            _instalment(agreement, k + 1, due, "100.00", paid, due if paid != "0" else None)
    # one never activated: in no snapshot
    pending = _agreement(DebtFactory(creditor=creditor), currency="COP", active_from=start)
    PaymentAgreement.objects.filter(pk=pending.pk).update(activated_on=None)
    nightly_run(as_of=DAY)
    cut = CUT.split(", ")
    counts = ["due", "due_amount", "kept", "partial", "awaiting", "paid_amount"]
    rows = _table(InstalmentDay, ["as_of", *cut, *counts])
    assert len(rows) >= 3 and {row[2] for row in rows} <= {d.portfolio_id for d in debts}
    assert rows == _old_instalments(DAY)
    spans = _table(
        AgreementSpan, ["agreement_id", *cut, "active_from", "active_until", "broken_on"]
    )
    assert len(spans) == 3 and any(row[-1] for row in spans)
    assert spans == _old_spans(DAY)
