"""Whether a debtor may be called now, and from when: the compliance engine's answer for the
phones of a case and the rows of the work queue, in the debtor's local time."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from collections_app.models import Interaction
from collections_app.selectors.calls import call_statuses, case_phones
from portfolio.models import Debt, Hold, Stage
from tests.collections_app.workspace_helpers import DAY_ZONE, NIGHT_ZONE
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]


def make_debt(creditor, collector, *, zone=DAY_ZONE, consent=True, ref=None):
    debtor = DebtorFactory(creditor=creditor, timezone=zone)
    ContactPointFactory(
        debtor=debtor, channel="voice", value=f"+57300{debtor.pk:07d}", consent_granted=consent
    )
    return DebtFactory(
        creditor=creditor,
        debtor=debtor,
        assigned_to=collector,
        principal=Decimal("1000000"),
        stage=Stage.FIRM_NOTICE,
        **({"debt_ref": ref} if ref else {}),
    )


def statuses(*debts):
    rows = Debt.objects.filter(pk__in=[d.pk for d in debts]).select_related("debtor", "creditor")
    return call_statuses(debts=list(rows))


def test_a_debtor_in_contact_hours_may_be_called_now(creditor, collector):
    debt = make_debt(creditor, collector)

    status = statuses(debt)[debt.pk]

    assert status.allowed and status.next_at is None
    assert status.now.tzinfo == ZoneInfo(DAY_ZONE) and status.now.hour == 10
    with translation.override("es"):
        assert status.label == "Se puede llamar ahora"
    with translation.override("en"):
        assert status.label == "Callable now"


def test_before_the_window_opens_the_status_says_from_when_in_the_debtors_time(creditor, collector):
    # given a debtor for whom it is 03:00 (Colombian rules: calls from 07:00 on weekdays)
    debt = make_debt(creditor, collector, zone=NIGHT_ZONE)

    # when the queue asks whether they may be called
    status = statuses(debt)[debt.pk]

    # then not now, but from 07:00 their time, today, and the rule says why
    assert not status.allowed and status.rule == "CO-WINDOW"
    assert status.next_at.tzinfo == ZoneInfo(NIGHT_ZONE)
    assert (status.next_at.date(), status.next_at.time()) == (
        status.now.date(),
        datetime.time(7, 0),
    )
    with translation.override("es"):
        assert status.label == "Desde las 07:00"
    with translation.override("en"):
        assert status.label == "From 07:00"


def test_a_debtor_already_called_today_waits_for_another_day(creditor, collector):
    # given a call that reached the debtor an hour ago (CO-DAY: one contact a day)
    debt = make_debt(creditor, collector)
    Interaction.objects.create(
        debt=debt,
        debtor=debt.debtor,
        collector=collector,
        channel="call",
        outcome="right_party_contact",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )

    status = statuses(debt)[debt.pk]

    assert not status.allowed and status.rule == "CO-DAY"
    assert status.next_at.date() > status.now.date()
    assert status.next_at.time() in (datetime.time(7), datetime.time(8))


def test_no_consent_or_a_dispute_means_no_call_at_all(creditor, collector):
    no_consent = make_debt(creditor, collector, consent=False)
    disputed = make_debt(creditor, collector)
    Hold.objects.create(
        debtor=disputed.debtor,
        debt=disputed,
        kind="dispute",
        reason="not mine",
        source="collector",
        opened_at=timezone.now(),
    )

    found = statuses(no_consent, disputed)

    assert not found[no_consent.pk].allowed and found[no_consent.pk].next_at is None
    assert found[no_consent.pk].rule == "CO-CHANNEL"
    assert not found[disputed.pk].allowed and found[disputed.pk].next_at is None
    with translation.override("en"):
        assert found[disputed.pk].label == "Not callable"


def test_a_page_of_rows_costs_four_queries_whatever_their_number(
    creditor, collector, django_assert_num_queries
):
    debts = [make_debt(creditor, collector, zone=(DAY_ZONE, NIGHT_ZONE)[i % 2]) for i in range(25)]
    for debt in debts[:5]:
        Interaction.objects.create(
            debt=debt,
            debtor=debt.debtor,
            collector=collector,
            channel="call",
            outcome="no_answer",
            occurred_at=timezone.now() - datetime.timedelta(days=2),
        )
    rows = list(
        Debt.objects.filter(pk__in=[d.pk for d in debts]).select_related("debtor", "creditor")
    )

    # consent + agreements + holds (one query), logged calls, messages, rule overrides
    with django_assert_num_queries(4):
        found = call_statuses(debts=rows)

    assert [found[d.pk].allowed for d in debts] == [True, False] * 12 + [True]


def test_case_phones_lists_each_number_with_its_own_consent(creditor, collector):
    # given a debtor with a consented number and one they withdrew consent from
    debt = make_debt(creditor, collector)
    ContactPointFactory(
        debtor=debt.debtor, channel="voice", value="+573009999999", consent_granted=False
    )
    ContactPointFactory(debtor=debt.debtor, channel="email", value="someone@example.com")
    debt = Debt.objects.select_related("debtor", "creditor").get(pk=debt.pk)

    phones = case_phones(debt=debt)

    # then the phones only, the callable one first, the other refused by the consent rule
    assert [(p.point.value, p.status.allowed) for p in phones] == [
        (f"+57300{debt.debtor_id:07d}", True),
        ("+573009999999", False),
    ]
    assert phones[1].status.rule == "CO-CHANNEL"
