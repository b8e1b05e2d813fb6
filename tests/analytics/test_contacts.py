"""Contact, RPC and promise rates and collector productivity on hand-logged contacts.

Banco Andino, November 2026 (previous period: October 2 – 31). Debts: A (COP) and C (USD)
assigned to Ana (`collector`), B (COP) assigned to Beto (`other_collector`); F (MXN) belongs
to Finzo, a creditor the manager does not manage.

Ana's attempts (calls and visits) in November, all COP:
  Nov 10, A: call no answer, call wrong number, call third party, call right-party contact,
             call promise to pay, visit third party
  Nov 11, B: call no answer, call refused, visit promise to pay, call no answer (23:30 Bogotá,
             04:30 UTC on the 12th: still the 11th)
  -> 10 attempts, 6 reached a person (2 third parties + 4 RPCs), 4 RPCs (RPC, promise, refused,
     promise), 2 promises: contact rate 60 %, RPC rate 40 %, promise rate 50 %.
  calls: 8 attempts, 4 reached, 3 RPCs, 1 promise (50 %, 37.5 %, 33.3 %);
  visits: 2 attempts, 2 reached, 1 RPC, 1 promise (100 %, 50 %, 100 %).
Ana's contacts that are not attempts (COP): Nov 10 A e-mail RPC, A WhatsApp promise, A SMS
  callback requested; Nov 11 A inbound call RPC -> 14 contacts logged. Cases worked: Nov 10 A,
  Nov 11 A and B -> 3 over 2 days.
Beto, Nov 12, on Ana's debt C (USD): call RPC, call no answer -> 2 attempts, 1 reached, 1 RPC,
  0 promises: 50 %, 50 %, 0 %. (Counted under Beto: who logged it, not who is assigned.)
Ana, Nov 10, on Finzo's F (MXN): call RPC (never shown to the Banco Andino manager).
Ana, October 20, A: call RPC, call no answer -> previous period 50 %, 50 %, 0 %.
Payment: A 100,000 on Nov 15 (Ana's assigned debt).
"""

import datetime
import io
import re
from decimal import Decimal

import factory.random
import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from analytics.forms import KpiFilters
from analytics.models import ContactDay
from analytics.selectors.kpis import kpi_dashboard
from analytics.services.snapshots_contacts import contact_snapshots_write
from collections_app.models import Interaction
from portfolio.models import Creditor, Debt
from tests.analytics.helpers import at, pay, run
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory

pytestmark = pytest.mark.django_db

D = datetime.date
NOV = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
CALL, VISIT = Interaction.Channel.CALL, Interaction.Channel.VISIT
OUT = Interaction.Outcome


def _log(debt, collector, day, channel, outcome, hour=15, minute=0):
    return Interaction.objects.create(
        debt=debt,
        debtor=debt.debtor,
        collector=collector,
        channel=channel,
        outcome=outcome,
        occurred_at=at(day, hour).replace(minute=minute),
    )


def _build_contacts(creditor, collector, other_collector):
    collector.first_name, collector.last_name = "Ana", "Ruiz"
    collector.save()
    other_collector.first_name, other_collector.last_name = "Beto", "Paz"
    other_collector.save()

    def debt(ref, currency, assigned_to, owner=creditor):
        return DebtFactory(
            creditor=owner,
            debt_ref=ref,
            currency=currency,
            principal=Decimal("1000000"),
            interest=0,
            fees=0,
            due_date=D(2026, 9, 1),
            assigned_to=assigned_to,
        )

    a = debt("A", "COP", collector)
    b = debt("B", "COP", other_collector)
    c = debt("C", "USD", collector)
    f = debt("F", "MXN", collector, owner=CreditorFactory(code="finzo", name="Finzo"))

    ana, beto = collector, other_collector
    _log(a, ana, D(2026, 10, 20), CALL, OUT.RIGHT_PARTY_CONTACT)
    _log(a, ana, D(2026, 10, 20), CALL, OUT.NO_ANSWER)
    nov10, nov11 = D(2026, 11, 10), D(2026, 11, 11)
    for channel, outcome in (
        (CALL, OUT.NO_ANSWER),
        (CALL, OUT.WRONG_NUMBER),
        (CALL, OUT.THIRD_PARTY),
        (CALL, OUT.RIGHT_PARTY_CONTACT),
        (CALL, OUT.PROMISE_TO_PAY),
        (VISIT, OUT.THIRD_PARTY),
        (Interaction.Channel.EMAIL, OUT.RIGHT_PARTY_CONTACT),
        (Interaction.Channel.WHATSAPP, OUT.PROMISE_TO_PAY),
        (Interaction.Channel.SMS, OUT.CALLBACK_REQUESTED),
    ):
        _log(a, ana, nov10, channel, outcome)
    _log(b, ana, nov11, CALL, OUT.NO_ANSWER, hour=9)
    _log(b, ana, nov11, CALL, OUT.REFUSED)
    _log(b, ana, nov11, VISIT, OUT.PROMISE_TO_PAY)
    _log(b, ana, nov11, CALL, OUT.NO_ANSWER, hour=23, minute=30)  # 04:30 UTC on the 12th
    _log(a, ana, nov11, Interaction.Channel.INBOUND_CALL, OUT.RIGHT_PARTY_CONTACT)
    _log(c, beto, D(2026, 11, 12), CALL, OUT.RIGHT_PARTY_CONTACT)
    _log(c, beto, D(2026, 11, 12), CALL, OUT.NO_ANSWER)
    _log(f, ana, nov10, CALL, OUT.RIGHT_PARTY_CONTACT)
    pay(a, "100000", D(2026, 11, 15), "PA")

    # The nightly job, as it ran: each run rewrites its last 7 days of contacts.
    for day in (D(2026, 10, 20), D(2026, 10, 31), D(2026, 11, 13), D(2026, 11, 15)):
        run(day)
    run(D(2026, 11, 30))
    return {"a": a, "b": b, "c": c, "f": f}


@pytest.fixture(scope="module")
def _contacts_world(django_db_setup, django_db_blocker):
    """The contacts above and their nightly runs, built once for the module (the slow part).

    Every test runs in its own savepoint, rolled back after it, so each one still starts from
    exactly this data; the fixtures below give each test fresh instances of it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        factory.random.reseed_random("cartera")
        creditor = CreditorFactory(code="banco-andino", name="Banco Andino")
        ana, beto = CollectorFactory(username="collector"), CollectorFactory(username="collector2")
        debts = _build_contacts(creditor, ana, beto)
        yield {
            "creditor": creditor.pk,
            "collector": ana.pk,
            "other_collector": beto.pk,
            "debts": {key: debt.pk for key, debt in debts.items()},
        }
        transaction.set_rollback(True)


@pytest.fixture
def creditor(_contacts_world):
    return Creditor.objects.get(pk=_contacts_world["creditor"])


@pytest.fixture
def collector(_contacts_world):
    return User.objects.get(pk=_contacts_world["collector"])


@pytest.fixture
def other_collector(_contacts_world):
    return User.objects.get(pk=_contacts_world["other_collector"])


@pytest.fixture
def contacts(_contacts_world):
    return {key: Debt.objects.get(pk=pk) for key, pk in _contacts_world["debts"].items()}


def _data(creditor, **kw):
    return kpi_dashboard(
        filters=KpiFilters(
            creditor_ids=(creditor.id,),
            date_from=kw.pop("date_from", D(2026, 11, 1)),
            date_to=kw.pop("date_to", D(2026, 11, 30)),
            **kw,
        )
    )


def _headline(creditor, **kw):
    return {h["currency"]: h for h in _data(creditor, **kw)["headline"]}


def _figures(h):
    return (
        h["attempts"],
        h["attempts_reached"],
        h["rpcs"],
        h["contact_promises"],
        h["contact_rate"],
        h["rpc_rate"],
        h["promise_rate"],
    )


def test_contact_rpc_and_promise_rates(creditor, contacts):
    headline = _headline(creditor)
    assert _figures(headline["COP"]) == (
        10,
        6,
        4,
        2,
        Decimal("0.6000"),
        Decimal("0.4000"),
        Decimal("0.5000"),
    )
    assert (headline["COP"]["contacts_logged"], headline["COP"]["cases_worked"]) == (14, 3)
    # Beto's attempts on Ana's USD debt C.
    assert _figures(headline["USD"]) == (
        2,
        1,
        1,
        0,
        Decimal("0.5000"),
        Decimal("0.5000"),
        Decimal("0.0000"),
    )
    assert "MXN" not in headline  # Finzo's debt F is not this manager's


def test_trend_against_the_previous_period(creditor, contacts):
    cop = _headline(creditor)["COP"]
    # October: 2 attempts, 1 reached, 1 RPC, no promise.
    assert (cop["contact_rate_previous"], cop["rpc_rate_previous"]) == (
        Decimal("0.5000"),
        Decimal("0.5000"),
    )
    assert cop["promise_rate_previous"] == Decimal("0.0000")
    assert cop["contact_rate_change"] == Decimal("0.2000")  # 60 % vs 50 %
    assert cop["rpc_rate_change"] == Decimal("-0.2000")  # 40 % vs 50 %
    assert cop["promise_rate_change"] is None  # nothing to compare 50 % with


def test_messages_and_inbound_calls_are_not_attempts(creditor, contacts):
    channels = {
        (r["currency"], r["channel"]): (
            r["interactions"],
            r["attempts"],
            r["reached"],
            r["rpc"],
            r["promises"],
            r["contact_rate"],
            r["rpc_rate"],
            r["promise_rate"],
        )
        for r in _data(creditor)["contact_channels"]
    }
    none = (0, 0, 0, 0, None, None, None)
    assert channels == {
        ("COP", "call"): (8, 8, 4, 3, 1, Decimal("0.5000"), Decimal("0.3750"), Decimal("0.3333")),
        ("COP", "visit"): (2, 2, 2, 1, 1, Decimal("1.0000"), Decimal("0.5000"), Decimal("1.0000")),
        ("COP", "email"): (1, *none),
        ("COP", "whatsapp"): (1, *none),
        ("COP", "sms"): (1, *none),
        ("COP", "inbound_call"): (1, *none),
        ("USD", "call"): (2, 2, 1, 1, 0, Decimal("0.5000"), Decimal("0.5000"), Decimal("0.0000")),
    }


def test_no_attempts_is_no_rate_not_a_division_by_zero(creditor, contacts):
    # September: nothing logged at all.
    for row in _headline(creditor, date_from=D(2026, 9, 1), date_to=D(2026, 9, 30)).values():
        assert (row["attempts"], row["contact_rate"], row["rpc_rate"]) == (0, None, None)
        assert row["promise_rate"] is None
    # SMS only: one contact logged, no attempt.
    cop = _headline(creditor, channel="sms")["COP"]
    assert (cop["contacts_logged"], cop["attempts"]) == (1, 0)
    assert (cop["contact_rate"], cop["rpc_rate"], cop["promise_rate"]) == (None, None, None)


def test_filters_by_channel_and_collector(creditor, contacts, collector, other_collector):
    visits = _headline(creditor, channel="visit")["COP"]
    assert _figures(visits) == (2, 2, 1, 1, Decimal("1.0000"), Decimal("0.5000"), Decimal("1"))
    assert visits["cases_worked"] == 2  # A on the 10th, B on the 11th

    ana = _headline(creditor, collector_id=collector.id)
    assert _figures(ana["COP"])[:4] == (10, 6, 4, 2)
    assert ana["USD"]["attempts"] == 0  # C is hers, but Beto made those calls

    beto = _headline(creditor, collector_id=other_collector.id)
    assert beto["COP"]["attempts"] == 0
    assert _figures(beto["USD"])[:4] == (2, 1, 1, 0)


def test_collector_productivity_with_attempts(creditor, contacts, collector, other_collector):
    rows = {
        (r["collector"], r["currency"]): (
            r["days_worked"],
            r["cases_worked"],
            r["attempts"],
            r["rpc"],
            r["promises"],
            r["collected"],
        )
        for r in _data(creditor)["collector_productivity"]
    }
    assert rows == {
        ("Ana Ruiz", "COP"): (2, 3, 10, 4, 2, Decimal("100000.00")),
        ("Beto Paz", "USD"): (1, 1, 2, 1, 0, None),
    }


def test_collector_productivity_per_day(creditor, contacts):
    days = [
        (r["collector"], r["date"], r["currency"], r["cases_worked"], r["attempts"], r["rpc"])
        + (r["promises"], r["collected"])
        for r in _data(creditor)["collector_days"]
    ]
    assert days == [
        ("Ana Ruiz", D(2026, 11, 10), "COP", 1, 6, 2, 1, None),
        ("Ana Ruiz", D(2026, 11, 11), "COP", 2, 4, 2, 1, None),
        ("Ana Ruiz", D(2026, 11, 15), "COP", 0, 0, 0, 0, Decimal("100000.00")),
        ("Beto Paz", D(2026, 11, 12), "USD", 1, 2, 1, 0, None),
    ]


def test_snapshot_is_one_statement_and_the_dashboard_never_reads_interactions(creditor, contacts):
    before = list(ContactDay.objects.order_by("as_of", "currency", "channel").values())
    with CaptureQueriesContext(connection) as writes:
        contact_snapshots_write(as_of=D(2026, 11, 13))
    assert len(writes) == 2  # DELETE the window, one INSERT ... SELECT
    assert list(ContactDay.objects.order_by("as_of", "currency", "channel").values()) != []
    after = list(ContactDay.objects.order_by("as_of", "currency", "channel").values())
    strip = [{k: v for k, v in r.items() if k != "id"} for r in before]
    assert [{k: v for k, v in r.items() if k != "id"} for r in after] == strip  # rerun: same
    with CaptureQueriesContext(connection) as reads:
        _data(creditor)
    assert not [q for q in reads if "collections_app_interaction" in q["sql"]]


def test_logged_without_a_collector_counts_for_the_assigned_one(creditor, contacts, collector):
    _log(contacts["c"], None, D(2026, 11, 30), CALL, OUT.THIRD_PARTY)
    run(D(2026, 11, 30))
    ana = _headline(creditor, collector_id=collector.id)["USD"]
    assert (ana["attempts"], ana["attempts_reached"], ana["contact_rate"]) == (
        1,
        1,
        Decimal("1.0000"),
    )


def _refs(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return sorted(d.debt_ref for d in response.context["rows"])


def test_dashboard_shows_rates_and_drills_into_the_debts(client, manager, contacts):
    client.force_login(manager)
    response = client.get(reverse("analytics:dashboard"), NOV)
    html = response.content.decode()
    assert re.search(r'data-kpi="contact-rate"\s+href="[^"]+">60.0 %', html)
    assert re.search(r'data-kpi="rpc-rate"\s+href="[^"]+">40.0 %', html)
    assert re.search(r'data-kpi="promise-rate"\s+href="[^"]+">50.0 %', html)
    # Trend against October (50 % contact rate, 50 % RPC rate): up a fifth, down a fifth.
    assert re.search(r"previous 50.0 %\s+\(▲ 20.0 %\)", html)
    assert re.search(r"previous 50.0 %\s+\(▼ -20.0 %\)", html)
    assert 'id="table-contact-funnel-COP"' in html and 'id="table-contact-channels"' in html
    assert "Not measured yet" not in html
    cop = next(h for h in response.context["data"]["headline"] if h["currency"] == "COP")
    assert _refs(client, cop["reached_link"]) == ["A", "B"]
    assert _refs(client, cop["promise_link"]) == ["A", "B"]
    collectors = {r["collector"]: r for r in response.context["data"]["collector_productivity"]}
    assert _refs(client, collectors["Beto Paz"]["attempts_link"]) == ["C"]
    assert _refs(client, collectors["Ana Ruiz"]["rpc_link"]) == ["A", "B"]

    # Field visits only: the RPC among them was on B.
    response = client.get(reverse("analytics:dashboard"), {**NOV, "channel": "visit"})
    cop = next(h for h in response.context["data"]["headline"] if h["currency"] == "COP")
    assert _refs(client, cop["rpc_link"]) == ["B"]
    assert _refs(client, cop["reached_link"]) == ["A", "B"]


def test_sms_only_shows_a_dash(client, manager, contacts):
    client.force_login(manager)
    html = client.get(reverse("analytics:dashboard"), {**NOV, "channel": "sms"}).content.decode()
    assert re.search(r'data-kpi="contact-rate"\s+href="[^"]+">—<', html)
    assert re.search(r'data-kpi="promise-rate"\s+href="[^"]+">—<', html)
    assert "No contact attempts in this period." in html


def test_api_returns_the_same_figures(client, manager, contacts):
    client.force_login(manager)
    body = client.get("/api/v1/kpis/", NOV).json()
    cop = next(h for h in body["headline"] if h["currency"] == "COP")
    assert (cop["contact_rate"], cop["rpc_rate"], cop["promise_rate"]) == (
        "0.6000",
        "0.4000",
        "0.5000",
    )
    assert {h["currency"] for h in body["headline"]} == {"COP", "USD"}
    ana = next(r for r in body["collector_productivity"] if r["collector"] == "Ana Ruiz")
    assert (ana["cases_worked"], ana["attempts"], ana["rpc"]) == (3, 10, 4)
    assert body["pending"] == []
    visits = client.get("/api/v1/kpis/", {**NOV, "channel": "visit"}).json()
    assert next(h for h in visits["headline"] if h["currency"] == "COP")["attempts"] == 2
    bad = client.get("/api/v1/kpis/", {**NOV, "channel": "pigeon"})
    assert bad.status_code == 400 and "channel" in bad.json()


def test_api_scoped_to_the_managers_creditors(client, manager, contacts):
    client.force_login(manager)
    assert client.get("/api/v1/kpis/", {**NOV, "creditor": "finzo"}).status_code == 400
    body = client.get("/api/v1/kpis/", NOV).json()
    assert all(r["currency"] != "MXN" for r in body["contact_channels"])
    assert all(r["currency"] != "MXN" for r in body["collector_days"])


def test_exports(client, manager, contacts):
    client.force_login(manager)
    url = reverse("analytics:dashboard-export", args=["contacts", "csv"])
    lines = client.get(url, NOV).content.decode("utf-8-sig").strip().splitlines()
    assert lines[1] == "COP,14,3,10,6,4,2,0.6000,0.5000,0.4000,0.5000,0.5000,0.0000"
    url = reverse("analytics:dashboard-export", args=["collectors", "xlsx"])
    rows = list(load_workbook(io.BytesIO(client.get(url, NOV).content)).active.values)
    ana = next(r for r in rows[1:] if r[0] == "Ana Ruiz")
    assert ana[1:10] == ("COP", 2, 3, 14, 10, 6, 4, 2, 0.6)
    url = reverse("analytics:dashboard-export", args=["collector-days", "csv"])
    lines = client.get(url, NOV).content.decode("utf-8-sig").strip().splitlines()
    assert lines[1] == "Ana Ruiz,2026-11-10,COP,1,6,2,1,,0,0,0,"
    url = reverse("analytics:dashboard-export", args=["contact-channels", "csv"])
    lines = client.get(url, {**NOV, "channel": "visit"}).content.decode("utf-8-sig").splitlines()
    assert lines[1:] == ["visit,COP,2,2,2,1,1,1.0000,0.5000,1.0000"]


def test_contact_rows_carry_the_debts_segment(creditor, contacts):
    """The snapshot's segment cut is the debt's segment (kept in the side table), so a segment
    filter narrows the contact figures to the debts in it."""
    from analytics.models import DebtSegment, SegmentDefinition

    a, b = contacts["a"], contacts["b"]
    segment_a = DebtSegment.objects.get(debt=a).segment
    other = SegmentDefinition.objects.exclude(pk=segment_a.pk).order_by("pk").first()
    DebtSegment.objects.filter(debt=b).update(segment=other)  # tell A and B apart
    contact_snapshots_write(as_of=D(2026, 11, 30), since=D(2026, 11, 1))

    rows = ContactDay.objects.filter(
        creditor=creditor, channel="", currency="COP", as_of__gte=D(2026, 11, 1)
    )
    assert sorted(rows.values_list("as_of", "segment_id", "attempts", "interactions")) == sorted(
        [
            (D(2026, 11, 10), segment_a.pk, 6, 9),  # A: 6 attempts, 3 messages
            (D(2026, 11, 11), segment_a.pk, 0, 1),  # A: the inbound call
            (D(2026, 11, 11), other.pk, 4, 4),  # B
        ]
    )
    assert _headline(creditor, segment_id=other.pk)["COP"]["attempts"] == 4
