"""What a collector's queue holds and in which order: legal-stage debts belong to counsel, debts
not yet due wait at the end, and each row says whether the debtor may be called now."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from collections_app.selectors.workspace import (
    TIER_NOT_DUE,
    work_queue,
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
