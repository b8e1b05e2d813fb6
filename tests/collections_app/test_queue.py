"""What a collector's queue holds and in which order: legal-stage debts belong to counsel, debts
not yet due wait at the end, each row says whether the debtor may be called now, and "save and
next" goes on down the queue."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from agreements.models import PromiseToPay
from collections_app.models import Interaction
from collections_app.selectors.workspace import (
    TIER_NOT_DUE,
    work_queue,
    work_queue_base,
    work_queue_next,
    work_queue_position,
)
from core.dates import business_today
from portfolio.models import Stage, Task
from tests.collections_app.workspace_helpers import DAY_ZONE, NIGHT_ZONE
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]


def make_debt(creditor, collector, ref, balance="1000000", *, zone=DAY_ZONE, **kwargs):
    debtor = DebtorFactory(creditor=creditor, timezone=zone)
    ContactPointFactory(debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}")
    kwargs.setdefault("stage", Stage.FIRM_NOTICE)
    kwargs.setdefault("due_date", business_today() - datetime.timedelta(days=30))
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        debt_ref=ref,
        assigned_to=collector,
        principal=Decimal(balance),
        interest=Decimal("0"),
        fees=Decimal("0"),
        **kwargs,
    )


def promise_due(debt):
    today = business_today()
    return PromiseToPay.objects.create(
        debt=debt,
        debtor=debt.debtor,
        amount=1,
        currency=debt.currency,
        promised_date=today,
        channel="phone",
        made_on=today - datetime.timedelta(days=3),
    )


def refs(user):
    return [d.debt_ref for d in work_queue(user=user, as_of=business_today())]


def test_legal_stage_debts_leave_the_collectors_queue(client, creditor, collector):
    # given a collector's legal-stage debt, the largest of their cases
    make_debt(creditor, collector, "LEGAL", "90000000", stage=Stage.LEGAL)
    make_debt(creditor, collector, "FIRM", "1000000")

    # then counsel works it: it is neither in the queue nor the next case
    assert refs(collector) == ["FIRM"]
    client.force_login(collector)
    response = client.get(reverse("collections:queue"))
    assert [d.debt_ref for d in response.context["rows"]] == ["FIRM"]
    assert response.context["counts"]["total"] == 1
    top = reverse("portfolio:debt-detail", args=[response.context["rows"][0].pk])
    assert client.get(reverse("collections:next")).url.startswith(top)


def test_debts_not_yet_due_go_after_every_past_due_one(creditor, collector):
    # given a large debt not yet due, a small past-due one, and a not-yet-due one whose
    # debtor asked to be called back today
    today = business_today()
    make_debt(
        creditor, collector, "NOT-DUE", "90000000", stage=Stage.CURRENT,
        due_date=today + datetime.timedelta(days=5),
    )  # fmt: skip
    make_debt(creditor, collector, "PAST-DUE", "100000")
    callback = make_debt(
        creditor, collector, "NOT-DUE-CALLBACK", "100000", stage=Stage.CURRENT,
        due_date=today + datetime.timedelta(days=5),
    )  # fmt: skip
    Task.objects.create(
        debt=callback, kind="callback", title="x", due_at=timezone.now(), assigned_to=collector
    )

    # then the callback keeps its tier, and the debt not yet due comes last, balance or not
    assert refs(collector) == ["NOT-DUE-CALLBACK", "PAST-DUE", "NOT-DUE"]
    assert work_queue(user=collector, as_of=today).get(debt_ref="NOT-DUE").tier == TIER_NOT_DUE


def test_each_queue_row_says_whether_the_debtor_may_be_called_now(client, creditor, collector):
    make_debt(creditor, collector, "DAY", "2000000")
    make_debt(creditor, collector, "NIGHT", "1000000", zone=NIGHT_ZONE)
    client.force_login(collector)

    response = client.get(reverse("collections:queue"), HTTP_ACCEPT_LANGUAGE="es")

    calls = {d.debt_ref: d.call for d in response.context["rows"]}
    assert calls["DAY"].allowed and not calls["NIGHT"].allowed
    html = response.content.decode()
    assert "Se puede llamar ahora" in html and "Desde las 07:00" in html and "CO-WINDOW" in html
    english = client.get(reverse("collections:queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Callable now" in english.content.decode()
    assert "From 07:00" in english.content.decode()


def test_next_goes_on_down_the_queue_from_where_the_case_stood(creditor, collector):
    # given two promises due today (tier 1) and a plain case
    first = make_debt(creditor, collector, "P-BIG", "5000000")
    second = make_debt(creditor, collector, "P-SMALL", "1000000")
    third = make_debt(creditor, collector, "PLAIN", "9000000")
    for debt in (first, second):
        promise_due(debt)
    queue, today = work_queue_base(user=collector), business_today()
    assert refs(collector) == ["P-BIG", "P-SMALL", "PLAIN"]

    # when the collector works the first, then the second, each time asking for the next
    after_first = work_queue_next(
        qs=queue,
        as_of=today,
        after=work_queue_position(qs=queue, as_of=today, debt_id=first.pk),
        exclude_id=first.pk,
    )
    after_second = work_queue_next(
        qs=queue,
        as_of=today,
        after=work_queue_position(qs=queue, as_of=today, debt_id=second.pk),
        exclude_id=second.pk,
    )

    # then they go down the queue, not back to the first promise (still due until paid)
    assert (after_first, after_second) == (second.pk, third.pk)
    after_last = work_queue_position(qs=queue, as_of=today, debt_id=third.pk)
    assert work_queue_next(qs=queue, as_of=today, after=after_last, exclude_id=third.pk) is None
    # a case outside the queue (another collector's, legal) starts from the top
    assert work_queue_position(qs=queue, as_of=today, debt_id=10**9) is None
    assert work_queue_next(qs=queue, as_of=today, after=None, exclude_id=None) == first.pk


def test_next_skips_a_case_contacted_earlier_today_that_now_ranks_after(creditor, collector):
    # given three plain cases, the first worked a moment ago: just contacted, it drops below
    # the second (the queue favours cases not contacted for a while)
    first = make_debt(creditor, collector, "BIG", "9000000")
    second = make_debt(creditor, collector, "MEDIUM", "5000000")
    third = make_debt(creditor, collector, "SMALL", "1000000")
    Interaction.objects.create(
        debt=first, debtor=first.debtor, collector=collector, channel="call",
        outcome="no_answer", occurred_at=timezone.now(),
    )  # fmt: skip
    assert refs(collector) == ["MEDIUM", "BIG", "SMALL"]
    queue, today = work_queue_base(user=collector), business_today()

    # when the second is worked and the collector asks for the next case
    after = work_queue_next(
        qs=queue,
        as_of=today,
        after=work_queue_position(qs=queue, as_of=today, debt_id=second.pk),
        exclude_id=second.pk,
    )

    # then the third comes, not the first again
    assert after == third.pk


def test_a_collectors_queue_reads_the_work_queue_index_which_holds_only_assigned_debts(
    creditor, collector
):
    # given a collector's cases and a debt nobody works yet
    for n in range(3):
        make_debt(creditor, collector, f"MINE-{n}")
    make_debt(creditor, None, "UNASSIGNED")
    # the index leaves unassigned debts out (a first import builds nothing for them) ...
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
            " WHERE indexrelid = 'debt_work_queue_idx'::regclass"
        )
        assert cursor.fetchone()[0] == "(assigned_to_id IS NOT NULL)"
    # ... and the collector's queue can still be read through it: its `assigned_to = x`
    # implies the index's predicate (table scans are off so the planner shows what it may use)
    base = work_queue_base(user=collector).order_by()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = base.explain()
    assert "debt_work_queue_idx" in plan
    assert sorted(d.debt_ref for d in base) == ["MINE-0", "MINE-1", "MINE-2"]
