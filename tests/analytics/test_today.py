"""The dashboard's live "today" band: today's contacts, promises, payments and messages read
from today's rows (no nightly snapshot needed), per currency, with drill-downs that list what
each figure counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import PromiseToPay
from analytics.forms import KpiFilters
from analytics.selectors.today import kpi_today
from collections_app.models import Interaction
from core.dates import business_today
from tests.analytics.helpers import at, pay
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_of_work(creditor, collector):
    """Today: two contacts on one debt, a payment in COP and one in USD, a promise, and an
    outbox of three suppressed messages and one sent; plus yesterday's and another creditor's
    rows that must not count."""
    today = business_today()
    cop = DebtFactory(creditor=creditor, principal=Decimal("1000000"), assigned_to=collector)
    usd = DebtFactory(creditor=creditor, currency="USD", principal=Decimal("900"))
    other = DebtFactory(creditor=CreditorFactory(code="otro"), principal=Decimal("500000"))
    for debt, when in (
        (cop, at(today, 9)),
        (cop, at(today, 10)),
        (cop, at(today) - datetime.timedelta(days=1)),
        (other, at(today, 9)),
    ):
        Interaction.objects.create(
            debt=debt,
            debtor=debt.debtor,
            collector=collector,
            channel="call",
            outcome="promise_to_pay",
            occurred_at=when,
        )
    pay(cop, "200000", today, "T-1")
    pay(usd, "100", today, "T-2")
    pay(cop, "50000", today - datetime.timedelta(days=1), "T-0")
    pay(other, "1000", today, "T-3")
    PromiseToPay.objects.create(
        debt=cop,
        debtor=cop.debtor,
        amount=Decimal("300000"),
        currency="COP",
        promised_date=today + datetime.timedelta(days=5),
        channel="phone",
        made_on=today,
    )
    for _ in range(3):
        make_message(debt=cop, business_date=today, status="suppressed", suppression_rule="CAP")
    make_message(debt=usd, business_date=today, status="sent", sent_at=timezone.now())
    make_message(debt=other, business_date=today, status="suppressed", suppression_rule="CAP")
    return today


def test_today_figures_come_from_todays_rows(creditor, day_of_work, django_assert_max_num_queries):
    f = KpiFilters(creditor_ids=(creditor.pk,), date_from=day_of_work, date_to=day_of_work)
    # contacts, payments, the day's reversals, promises, messages
    with django_assert_max_num_queries(5):
        today = kpi_today(filters=f, today=day_of_work)
    assert (today["contacts"]["logged"], today["contacts"]["debts"]) == (2, 1)
    assert [(r["currency"], r["amount"], r["debts"]) for r in today["payments"]] == [
        ("COP", Decimal("200000.00"), 1),
        ("USD", Decimal("100.00"), 1),
    ]
    assert [(r["currency"], r["amount"], r["promises"], r["debts"]) for r in today["promises"]] == [
        ("COP", Decimal("300000.00"), 1, 1)
    ]
    assert {r["status"]: r["count"] for r in today["messages"]} == {"suppressed": 3, "sent": 1}
    # narrowed like the rest of the dashboard: the dollars only
    usd = kpi_today(filters=KpiFilters(**{**f.__dict__, "currency": "USD"}), today=day_of_work)
    assert [r["currency"] for r in usd["payments"]] == ["USD"] and usd["contacts"]["logged"] == 0


def test_the_band_shows_without_snapshots_and_drills_down_to_the_same_totals(
    client, manager, day_of_work
):
    # No nightly job has run: the snapshots are empty, the band still shows the day
    client.force_login(manager)
    page = client.get(reverse("analytics:dashboard"), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="today"' in html
    today = page.context["today"]
    assert today["messages_total"] == 4
    # each drill-down lists as many debts as its figure says
    listed = client.get(today["contacts"]["link"])
    assert listed.context["page"].paginator.count == today["contacts"]["debts"] == 1
    # and says which filters it applies
    labels = [label for label, _value in listed.context["applied_filters"]]
    assert "Contact" in labels and "Contacted from" in labels
    for row in today["payments"]:
        listed = client.get(row["link"])
        assert listed.context["page"].paginator.count == row["debts"]
    assert today["promises"]
    for row in today["promises"]:
        listed = client.get(row["link"])
        assert listed.context["page"].paginator.count == row["debts"]
        labels = [label for label, _value in listed.context["applied_filters"]]
        assert "Promise made from" in labels
    for row in today["messages"]:
        outbox = client.get(row["link"])
        assert outbox.status_code == 200
        assert outbox.context["page"].paginator.count == row["count"]


def test_collected_per_week_keeps_each_currency_apart_and_every_week():
    from analytics.selectors.kpis import collected_per_week

    d = datetime.date
    rows = [
        {"date": d(2026, 11, 3), "currency": "COP", "collected": Decimal("100.00")},
        {"date": d(2026, 11, 5), "currency": "COP", "collected": Decimal("50.50")},
        {"date": d(2026, 11, 18), "currency": "MXN", "collected": Decimal("7.00")},
    ]
    weekly = collected_per_week(rows, d(2026, 11, 1), d(2026, 11, 20))
    # Weeks start on Monday: 26 Oct (for 1 Nov), 2, 9 and 16 Nov; empty weeks are zero
    assert weekly == {
        "COP": [
            (d(2026, 10, 26), Decimal("0")),
            (d(2026, 11, 2), Decimal("150.50")),
            (d(2026, 11, 9), Decimal("0")),
            (d(2026, 11, 16), Decimal("0")),
        ],
        "MXN": [
            (d(2026, 10, 26), Decimal("0")),
            (d(2026, 11, 2), Decimal("0")),
            (d(2026, 11, 9), Decimal("0")),
            (d(2026, 11, 16), Decimal("7.00")),
        ],
    }


def test_the_filter_bar_says_all_and_offers_the_books_currencies(client, manager, creditor):
    DebtFactory(creditor=creditor, currency="USD")
    DebtFactory(creditor=creditor)
    DebtFactory(creditor=CreditorFactory(code="otro"), currency="MXN")
    client.force_login(manager)
    form = client.get(reverse("analytics:dashboard"), HTTP_ACCEPT_LANGUAGE="es").context["form"]
    assert form.fields["currency"].widget.choices == [("", "Todos"), ("COP", "COP"), ("USD", "USD")]
    assert form.fields["creditor"].empty_label == "Todos"
    # any well-formed code is still accepted; a malformed one is a 400 with its message
    assert client.get(reverse("analytics:dashboard"), {"currency": "EUR"}).status_code == 200
    assert client.get(reverse("analytics:dashboard"), {"currency": "E1"}).status_code == 400


def test_the_segment_filter_narrows_the_band_and_says_what_messages_count(
    client, manager, creditor, day_of_work
):
    # Given the COP debt in a segment and the USD debt in none
    from analytics.models import DebtSegment, SegmentDefinition

    segment = SegmentDefinition.objects.create(creditor=creditor, code="tardios", name="Tardíos")
    cop = PromiseToPay.objects.get().debt
    DebtSegment.objects.create(debt=cop, segment=segment, assigned_on=day_of_work)
    # When the dashboard is narrowed to that segment
    client.force_login(manager)
    page = client.get(
        reverse("analytics:dashboard"), {"segment": segment.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    today = page.context["today"]
    # Then payments, promises and contacts count the segment's debts only
    assert [r["currency"] for r in today["payments"]] == ["COP"]
    assert [r["currency"] for r in today["promises"]] == ["COP"]
    assert today["contacts"]["debts"] == 1
    # and each drill-down keeps the segment
    listed = client.get(today["payments"][0]["link"])
    assert listed.context["page"].paginator.count == 1
    assert f"segment={segment.pk}" in today["payments"][0]["link"]
    # the messages (counted per creditor) say they are not narrowed
    assert 'data-testid="today-messages-scope"' in page.content.decode()
    unfiltered = client.get(reverse("analytics:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="today-messages-scope"' not in unfiltered.content.decode()


def test_todays_payments_are_net_of_todays_reversals(creditor, day_of_work):
    # Given yesterday's COP payment reversed today (a bounced transfer)
    from collections_app.services.reversals import payment_reverse
    from portfolio.models import Payment

    bounced = Payment.objects.get(reference="T-0")
    payment_reverse(
        payment_id=bounced.pk, reason="bounced", source="staff", business_date=day_of_work
    )
    f = KpiFilters(creditor_ids=(creditor.pk,), date_from=day_of_work, date_to=day_of_work)

    # Then today's COP figure takes it off (as the nightly CollectionDay does), the count stays
    today = kpi_today(filters=f, today=day_of_work)
    assert [(r["currency"], r["amount"], r["payments"]) for r in today["payments"]] == [
        ("COP", Decimal("150000.00"), 1),
        ("USD", Decimal("100.00"), 1),
    ]
