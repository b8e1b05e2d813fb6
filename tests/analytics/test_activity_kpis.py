"""Promise, agreement, message and suppression KPIs on a hand-built November 2026.

One debtor of Banco Andino with three debts: A (COP, assigned to the collector), B (COP),
C (USD). Answers are literals worked out by hand (see each test).

Payments: A 100,000 on Nov 6; C 20.00 on Nov 9; B 200,000 on Nov 20.

Promises (grace 2 days):
  P1 A 100,000 made Nov 2, due Nov 5  -> paid Nov 6 (in grace): kept
  P2 B 200,000 made Nov 3, due Nov 10 -> paid Nov 20 (late): broken
  P3 A  50,000 made Nov 20, due Nov 29 -> grace runs to Dec 1: awaiting (the Nov 6 payment
     is before its ledger mark and does not count)
  P4 C  50.00  made Nov 1, due Nov 8  -> 20.00 paid Nov 9: broken (partly paid)
  P5 B  70,000 made Nov 4, due Nov 12, cancelled: made, never due

Agreements (instalments paid as recorded by the allocation):
  G1 COP on B, active since Nov 1, grace 3: #1 due Nov 5 paid in full Nov 7 (kept); #2 due
     Nov 15 paid 100,000 of 300,000 (partial); #3 due Nov 28 unpaid, grace to Dec 1
     (awaiting); #4 due Dec 28 (outside the period)
  G2 COP on A, active since Oct 1, grace 3, broken Nov 20: due Nov 10 paid in full Nov 14
     (late); due Nov 25 (after it broke: never due)
  G3 COP on A, active Sep 1, completed Oct 20 (not active in November)
  G4 USD on C, active since Nov 2, grace 3: due Nov 12 paid in full that day (kept)

Messages:
  M1 email friendly A, Nov 1, delivered (receipt) -> A paid Nov 6: followed
  M2 sms firm_notice B + C, Nov 13, sent (no receipt) -> B paid Nov 20 15:00, 7 days 5 h
     later: not followed; C's payment was before it
  M3 letter pre_legal_notice C, Nov 5, sent -> C paid Nov 9: followed (USD)
  M4 email friendly B, Nov 6, sent then failed: sent, not delivered
  M5 sms firm_notice A, Nov 3, suppressed by CO-WINDOW
  M6 email friendly B, Nov 4, suppressed by CO-WEEKLY
  M7 email friendly A, Nov 7, suppressed by CO-WINDOW
"""

import datetime
import io
from decimal import Decimal

import factory.random
import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from agreements.models import AgreementDebt, Instalment, PaymentAgreement, PromiseToPay
from analytics.forms import KpiFilters
from analytics.selectors.kpis import kpi_dashboard
from analytics.services.snapshots import collection_days_backfill
from portfolio.models import Creditor, Payment
from tests.analytics.helpers import at, pay, run
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory
from tests.factories.users import CollectorFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _agreement(debt, *, currency, active_from, status="active", ended_on=None, grace=3):
    agreement = PaymentAgreement.objects.create(
        creditor=debt.creditor,
        debtor=debt.debtor,
        kind="instalment_plan",
        currency=currency,
        balance_at_start=debt.balance,
        discount_amount=0,
        discount_pct=0,
        agreed_total=debt.balance,
        instalment_count=4,
        frequency="monthly",
        first_due_date=active_from,
        channel="phone",
        proposed_on=active_from,
        grace_days=grace,
    )
    PaymentAgreement.objects.filter(pk=agreement.pk).update(
        status=status, activated_on=active_from, ended_on=ended_on
    )
    AgreementDebt.objects.create(
        agreement=agreement,
        debt=debt,
        stage_at_start="friendly_reminder",
        balance_at_start=debt.balance,
        share=debt.balance,
        is_open=status == "active",
    )
    return agreement


def _instalment(agreement, number, due, amount, paid="0", paid_on=None):
    Instalment.objects.create(
        agreement=agreement,
        number=number,
        due_date=due,
        amount=Decimal(amount),
        paid_amount=Decimal(paid),
        paid_at=at(paid_on) if paid_on else None,
        status="paid" if paid == amount else ("partial" if paid != "0" else "pending"),
    )


def _promise(debt, *, amount, made, due, status, mark=0):
    return PromiseToPay.objects.create(
        debt=debt,
        debtor=debt.debtor,
        amount=Decimal(amount),
        currency=debt.currency,
        promised_date=due,
        grace_days=2,
        channel="phone",
        status=status,
        made_on=made,
        ledger_mark=mark,
    )


def _message(debt, debts=(), *, day, channel, template, status, sent_hour=10, rule=""):
    return make_message(
        debt=debt,
        debts=debts,
        business_date=day,
        channel=channel,
        template=template,
        status=status,
        sent_at=at(day, sent_hour) if status in ("sent", "delivered", "failed") else None,
        suppression_rule=rule,
    )


def _build_november(creditor, collector):
    debtor = DebtorFactory(creditor=creditor)

    def debt(ref, currency, balance, **kw):
        return DebtFactory(
            creditor=creditor,
            debtor=debtor,
            debt_ref=ref,
            currency=currency,
            principal=Decimal(balance),
            interest=0,
            fees=0,
            original_amount=Decimal(balance),
            due_date=D(2026, 9, 1),
            **kw,
        )

    a = debt("A", "COP", "1000000", assigned_to=collector)
    b = debt("B", "COP", "2000000")
    c = debt("C", "USD", "500.00")

    _promise(a, amount="100000", made=D(2026, 11, 2), due=D(2026, 11, 5), status="kept")
    _promise(b, amount="200000", made=D(2026, 11, 3), due=D(2026, 11, 10), status="broken")
    _promise(c, amount="50.00", made=D(2026, 11, 1), due=D(2026, 11, 8), status="broken")
    _promise(b, amount="70000", made=D(2026, 11, 4), due=D(2026, 11, 12), status="cancelled")
    pay(a, "100000", D(2026, 11, 6), "PA")
    pay(c, "20.00", D(2026, 11, 9), "PC")
    pay(b, "200000", D(2026, 11, 20), "PB")
    mark = Payment.objects.order_by("-pk").values_list("pk", flat=True).first()
    _promise(
        a, amount="50000", made=D(2026, 11, 20), due=D(2026, 11, 29), status="pending", mark=mark
    )

    g1 = _agreement(b, currency="COP", active_from=D(2026, 11, 1))
    _instalment(g1, 1, D(2026, 11, 5), "300000", "300000", D(2026, 11, 7))
    _instalment(g1, 2, D(2026, 11, 15), "300000", "100000")
    _instalment(g1, 3, D(2026, 11, 28), "300000")
    _instalment(g1, 4, D(2026, 12, 28), "300000")
    g2 = _agreement(
        a, currency="COP", active_from=D(2026, 10, 1), status="broken", ended_on=D(2026, 11, 20)
    )
    _instalment(g2, 1, D(2026, 11, 10), "100000", "100000", D(2026, 11, 14))
    _instalment(g2, 2, D(2026, 11, 25), "100000")
    g3 = _agreement(
        a, currency="COP", active_from=D(2026, 9, 1), status="completed", ended_on=D(2026, 10, 20)
    )
    _instalment(g3, 1, D(2026, 10, 1), "50000", "50000", D(2026, 10, 1))
    g4 = _agreement(c, currency="USD", active_from=D(2026, 11, 2))
    _instalment(g4, 1, D(2026, 11, 12), "50.00", "50.00", D(2026, 11, 12))

    _message(a, day=D(2026, 11, 1), channel="email", template="friendly", status="delivered")
    _message(b, [c], day=D(2026, 11, 13), channel="sms", template="firm_notice", status="sent")
    _message(c, day=D(2026, 11, 5), channel="letter", template="pre_legal_notice", status="sent")
    _message(b, day=D(2026, 11, 6), channel="email", template="friendly", status="failed")
    for debt_, day, channel, rule in (
        (a, D(2026, 11, 3), "sms", "CO-WINDOW"),
        (b, D(2026, 11, 4), "email", "CO-WEEKLY"),
        (a, D(2026, 11, 7), "email", "CO-WINDOW"),
    ):
        template = "firm_notice" if channel == "sms" else "friendly"
        _message(debt_, day=day, channel=channel, template=template, status="suppressed", rule=rule)
    run(D(2026, 11, 30))
    collection_days_backfill(start=D(2026, 11, 1), end=D(2026, 11, 30))


@pytest.fixture(scope="module")
def _november_world(django_db_setup, django_db_blocker):
    """November above, built once for the module (the slow part).

    Every test runs in its own savepoint, rolled back after it, so each one still starts from
    exactly this data; the fixtures below give each test fresh instances of it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        factory.random.reseed_random("cartera")
        creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
        collector = CollectorFactory(username="collector")
        _build_november(creditor, collector)
        yield {"creditor": creditor.pk, "collector": collector.pk}
        transaction.set_rollback(True)


@pytest.fixture
def creditor(_november_world):
    return Creditor.objects.get(pk=_november_world["creditor"])


@pytest.fixture
def collector(_november_world):
    return User.objects.get(pk=_november_world["collector"])


@pytest.fixture
def november(creditor):
    return creditor


def _data(creditor, **kw):
    return kpi_dashboard(
        filters=KpiFilters(
            creditor_ids=(creditor.id,),
            date_from=kw.pop("date_from", D(2026, 11, 1)),
            date_to=kw.pop("date_to", D(2026, 11, 30)),
            **kw,
        )
    )


def _by_currency(rows):
    return {r["currency"]: r for r in rows}


def test_promise_kept_rate_counts_late_and_partial_payments_as_broken(november):
    headline = _by_currency(_data(november)["headline"])
    cop, usd = headline["COP"], headline["USD"]
    assert (cop["promises_made"], cop["promises_due"]) == (4, 3)
    assert (cop["promises_kept"], cop["promises_broken"], cop["promises_awaiting"]) == (1, 1, 1)
    assert cop["promise_kept_rate"] == Decimal("0.5000")  # P1 of P1, P2 (P3 not judged yet)
    assert (usd["promises_made"], usd["promises_kept"], usd["promises_broken"]) == (1, 0, 1)
    assert usd["promise_kept_rate"] == Decimal("0.0000")


def test_no_promises_is_no_rate_not_zero(november):
    headline = _by_currency(
        _data(november, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))["headline"]
    )
    for row in headline.values():
        assert row["promises_made"] == 0
        assert row["promise_kept_rate"] is None


def test_agreement_compliance_and_broken_agreement_rate(november):
    headline = _by_currency(_data(november)["headline"])
    cop, usd = headline["COP"], headline["USD"]
    # G1 #1 kept, #2 partly paid, #3 awaiting; G2's Nov 10 paid late; G2's Nov 25 never due.
    assert cop["instalments_due"] == 4
    assert (cop["instalments_kept"], cop["instalments_partial"]) == (1, 2)
    assert cop["instalments_awaiting"] == 1
    assert cop["agreement_compliance"] == Decimal("0.3333")
    # Active at some time in November: G1 and G2 (G3 ended in October); G2 broke.
    assert (cop["agreements_active"], cop["agreements_broken"]) == (2, 1)
    assert cop["broken_agreement_rate"] == Decimal("0.5000")
    assert usd["agreement_compliance"] == Decimal("1.0000")
    assert (usd["agreements_active"], usd["agreements_broken"]) == (1, 0)
    assert usd["broken_agreement_rate"] == Decimal("0.0000")


def test_channel_and_template_effectiveness_per_currency(november):
    data = _data(november)
    channels = {
        (r["currency"], r["channel"]): (
            r["sent"],
            r["delivered"],
            r["followed"],
            r["effectiveness"],
        )
        for r in data["channel_effectiveness"]
    }
    assert channels == {
        ("COP", "email"): (2, 1, 1, Decimal("1.0000")),
        ("COP", "sms"): (1, 1, 0, Decimal("0.0000")),
        ("USD", "letter"): (1, 1, 1, Decimal("1.0000")),
        ("USD", "sms"): (1, 1, 0, Decimal("0.0000")),
    }
    templates = {
        (r["currency"], r["template"]): (r["delivered"], r["followed"])
        for r in data["template_effectiveness"]
    }
    assert templates == {
        ("COP", "friendly"): (1, 1),
        ("COP", "firm_notice"): (1, 0),
        ("USD", "firm_notice"): (1, 0),
        ("USD", "pre_legal_notice"): (1, 1),
    }


def test_message_funnel_and_suppressions_by_rule(november):
    data = _data(november)
    funnel = {
        r["currency"]: (
            r["planned"],
            r["suppressed"],
            r["sent"],
            r["delivered"],
            r["confirmed"],
            r["followed"],
        )
        for r in data["message_funnel"]
    }
    assert funnel == {"COP": (6, 3, 3, 2, 1, 1), "USD": (2, 0, 2, 2, 0, 1)}
    assert [
        (r["currency"], r["rule"], r["channel"], r["messages"]) for r in data["suppressions"]
    ] == [
        ("COP", "CO-WEEKLY", "email", 1),
        ("COP", "CO-WINDOW", "email", 1),
        ("COP", "CO-WINDOW", "sms", 1),
    ]


def test_the_funnel_counts_emails_opened_and_clicked(november, collector):
    from messaging.models import DeliveryEvent, Message

    # given M1 (COP, debt A) opened twice and clicked, and M4 (COP, debt B) opened once
    m1 = Message.objects.get(channel="email", status="delivered")
    m4 = Message.objects.get(channel="email", status="failed")
    for n, (message, kind) in enumerate(
        [(m1, "opened"), (m1, "opened"), (m1, "clicked"), (m4, "opened")]
    ):
        DeliveryEvent.objects.create(
            message=message, provider="postmark", kind=kind, event_key=f"test:{n}"
        )

    # then each message counts once per kind, in its debts' currency and cut
    funnel = {r["currency"]: (r["opened"], r["clicked"]) for r in _data(november)["message_funnel"]}
    assert funnel == {"COP": (2, 1), "USD": (0, 0)}
    mine = _data(november, collector_id=collector.id)["message_funnel"]
    assert [(r["currency"], r["opened"], r["clicked"]) for r in mine] == [("COP", 1, 1)]
    december = _data(november, date_from=D(2026, 12, 1), date_to=D(2026, 12, 31))
    assert all(r["opened"] == 0 for r in december["message_funnel"])


def test_message_funnel_counts_failed_and_stuck_notices(november):
    # On 20 December: M4 (a friendly e-mail) failed after it was sent; M2 (an SMS firm notice
    # on B and C) has had no delivery news for weeks, and M3 (a Colombian pre-legal letter, a
    # certified notice) has no proof of receipt after its 15 days.
    with time_machine.travel(datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC)):
        data = _data(november)
    funnel = {
        r["currency"]: (r["failed"], r["failed_notices"], r["stuck"], r["stuck_notices"])
        for r in data["message_funnel"]
    }
    assert funnel == {"COP": (1, 0, 1, 1), "USD": (0, 0, 2, 2)}
    # Three weeks earlier (17 November) the letter was not overdue yet, the SMS was
    with time_machine.travel(datetime.datetime(2026, 11, 17, 12, tzinfo=datetime.UTC)):
        data = _data(november)
    assert {r["currency"]: r["stuck"] for r in data["message_funnel"]} == {"COP": 1, "USD": 1}


def test_collector_productivity(november, collector):
    rows = _data(november)["collector_productivity"]
    assert [
        (
            r["collector_id"],
            r["currency"],
            r["collected"],
            r["promises_made"],
            r["promise_kept_rate"],
        )
        for r in rows
    ] == [(collector.id, "COP", Decimal("100000.00"), 2, Decimal("1.0000"))]


def test_rerun_writes_the_same_rows(november):
    before = _data(november)
    run(D(2026, 11, 30))
    assert _data(november) == before


def test_every_kpi_is_computed_so_nothing_is_pending(november):
    # Contact, RPC and promise rates (ContactDay) came last (tests/analytics/test_contacts).
    assert _data(november)["pending"] == []


PERIOD = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def test_dashboard_page_shows_the_new_figures(client, manager, november):
    client.force_login(manager)
    response = client.get(reverse("analytics:dashboard"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="promise-kept-rate">50.0' in html
    assert 'data-kpi="agreement-compliance">33.3' in html
    assert 'href="/agreements/?status=broken">50.0' in html  # drill-down: the broken agreements
    assert 'id="table-funnel-COP"' in html and 'id="table-funnel-USD"' in html
    assert "CO-WINDOW" in html and 'id="table-channels"' in html
    assert "Not measured yet" not in html  # every KPI of KPIS.md is computed


def test_api_returns_the_same_figures(client, manager, november):
    client.force_login(manager)
    body = client.get("/api/v1/kpis/", PERIOD).json()
    cop = next(h for h in body["headline"] if h["currency"] == "COP")
    assert cop["promise_kept_rate"] == "0.5000"
    assert cop["agreement_compliance"] == "0.3333"
    assert {(r["currency"], r["channel"]) for r in body["channel_effectiveness"]} == {
        ("COP", "email"),
        ("COP", "sms"),
        ("USD", "letter"),
        ("USD", "sms"),
    }
    assert [r["rule"] for r in body["suppressions"]] == ["CO-WEEKLY", "CO-WINDOW", "CO-WINDOW"]
    assert "suppressed_contacts" not in {p["code"] for p in body["pending"]}


@pytest.mark.parametrize("table", ["funnel", "channels", "templates", "suppressions"])
def test_new_tables_export_to_csv(client, manager, november, table):
    client.force_login(manager)
    response = client.get(reverse("analytics:dashboard-export", args=[table, "csv"]), PERIOD)
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) >= 2


def test_promises_and_agreements_export_to_excel(client, manager, november):
    client.force_login(manager)
    response = client.get(
        reverse("analytics:dashboard-export", args=["promises-agreements", "xlsx"]), PERIOD
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    cop = next(r for r in rows[1:] if r[0] == "COP")
    assert cop[1:7] == (4, 3, 1, 1, 1, 0.5)


def test_the_message_funnel_counts_messages_in_the_plural_in_spanish(client, manager, november):
    # "mensajes": planificados, enviados, entregados (a message's own status is singular)
    client.force_login(manager)
    html = client.get(reverse("analytics:dashboard"), PERIOD, HTTP_ACCEPT_LANGUAGE="es")
    funnel = html.content.decode().split('id="table-funnel-COP"')[1].split("</table>")[0]
    for label in ("Planificados", "Enviados", "Entregados"):
        assert f'<th scope="row">{label}</th>' in funnel
    export = client.get(
        reverse("analytics:dashboard-export", args=["funnel", "csv"]),
        PERIOD,
        HTTP_ACCEPT_LANGUAGE="es",
    )
    header = export.content.decode("utf-8-sig").splitlines()[0]
    assert "Planificados" in header and "Enviados" in header and "Entregados" in header
