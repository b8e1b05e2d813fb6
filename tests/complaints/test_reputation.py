"""Reputation KPIs of complaints: figures, scoping, the page, the API, exports, the dashboard."""

import datetime
import io
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from collections_app.models import Interaction
from complaints.models import Complaint
from complaints.selectors.reputation import ReputationFilters, reputation_report
from complaints.services.handling import complaint_answer
from core.models import ExportRecord
from tests.complaints.helpers import at, debt_with_email, file_complaint
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory
from tests.factories.users import CollectorFactory, OfficerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
NOV = {"from": "2026-11-01", "to": "2026-11-30"}
AS_OF = at(D(2026, 12, 10), 12)
_numbers = itertools.count(1)


def complaint(debt, received, due, *, answered=None, status=None, **fields) -> Complaint:
    """A complaint exactly as the figures need it (the services' clock is tested elsewhere)."""
    received_at = at(received, 11)
    status = status or ("answered" if answered else "in_progress")
    return Complaint.objects.create(
        number=f"PQR-T-{next(_numbers):06d}",
        creditor=debt.creditor,
        debtor=debt.debtor,
        debt=debt,
        kind=fields.pop("kind", "complaint"),
        channel=fields.pop("channel", "phone"),
        country=debt.debtor.country,
        subject=fields.pop("subject", "Llamadas"),
        description="…",
        received_at=received_at,
        received_on=received,
        term_code="CO-1755-GENERAL",
        clock_start_on=received,
        due_on=due,
        status=status,
        answered_on=answered,
        answered_at=at(answered, 12) if answered else None,
        **fields,
    )


def contact(debt, day):
    return Interaction.objects.create(
        debt=debt,
        debtor=debt.debtor,
        channel="call",
        outcome="no_answer",
        occurred_at=at(day, 12),
    )


def sent(debt, day, template):
    return make_message(
        debt=debt, template=template, business_date=day, status="sent", sent_at=at(day, 9)
    )


@pytest.fixture
def world(creditor):
    """Banco Andino: 4 accounts worked in November, 5 complaints received then; Finzo: 1."""
    worker = CollectorFactory(username="ana", first_name="Ana", last_name="Ruiz")
    d1, d2 = (DebtFactory(creditor=creditor, assigned_to=worker) for _ in range(2))
    d3, d4, d5, d6 = (DebtFactory(creditor=creditor) for _ in range(4))
    m1 = sent(d1, D(2026, 11, 1), "friendly")
    contact(d1, D(2026, 11, 6))
    sent(d2, D(2026, 11, 10), "friendly")
    m2 = sent(d3, D(2026, 11, 4), "firm")
    contact(d4, D(2026, 11, 20))
    contact(d5, D(2026, 10, 30))  # worked in October only
    make_message(debt=d6, template="friendly", business_date=D(2026, 11, 12))  # never sent
    # on time (10 days); on time thanks to its extension (20 days); late (14 days)
    complaint(
        d1,
        D(2026, 11, 2),
        D(2026, 11, 20),
        answered=D(2026, 11, 12),
        status="closed",
        root_cause="contact_hours",
        outcome="rejected",
        related_message=m1,
    )
    complaint(
        d2,
        D(2026, 11, 3),
        D(2026, 11, 10),
        extended_due_on=D(2026, 11, 24),
        answered=D(2026, 11, 23),
        kind="claim",
        channel="email",
        root_cause="wrong_amount",
    )
    complaint(
        d3,
        D(2026, 11, 5),
        D(2026, 11, 15),
        answered=D(2026, 11, 19),
        channel="portal",
        related_message=m2,
    )
    # open: past its date on Dec 10, and not yet due
    complaint(d1, D(2026, 11, 25), D(2026, 12, 5), kind="query")
    complaint(d4, D(2026, 11, 28), D(2026, 12, 20), channel="email")
    # October's, and another creditor's
    complaint(d1, D(2026, 10, 15), D(2026, 11, 5), answered=D(2026, 10, 20), status="closed")
    finzo = CreditorFactory(code="finzo", name="Finzo")
    theirs = DebtFactory(creditor=finzo)
    contact(theirs, D(2026, 11, 8))
    complaint(theirs, D(2026, 11, 9), D(2026, 11, 30))
    return {"worker": worker, "finzo": finzo, "d1": d1}


def _report(user, **extra):
    filters = ReputationFilters(
        date_from=D(2026, 11, 1), date_to=D(2026, 11, 30), as_of=D(2026, 12, 10), **extra
    )
    return reputation_report(user=user, filters=filters)


def _by_key(rows):
    return {r["key"]: r for r in rows}


def test_headline_figures_on_a_known_set(manager, world):
    h = _report(manager)["headline"]
    assert (h["received"], h["answered"], h["on_time"], h["late"]) == (5, 3, 2, 2)
    # the open complaint past its date is late, the one not yet due is neither
    assert h["due"] == 4 and h["on_time_rate"] == Decimal("0.5000")
    assert h["median_days"] == Decimal("14.0")  # 10, 14, 20 calendar days
    assert h["accounts_worked"] == 4
    assert h["per_10k"] == Decimal("12500.00")  # 5 / 4 x 10,000
    assert (h["open_now"], h["overdue_now"]) == (2, 1)


def test_breakdowns_by_type_cause_creditor_collector_channel_and_template(manager, world):
    b = _report(manager)["breakdowns"]
    assert {k: r["received"] for k, r in _by_key(b["kind"]).items()} == {
        "complaint": 3,
        "claim": 1,
        "query": 1,
    }
    causes = _by_key(b["root_cause"])
    assert causes["contact_hours"]["received"] == 1 and causes[""]["received"] == 3
    assert causes["wrong_amount"]["on_time_rate"] == Decimal("1.0000")
    assert [(r["label"], r["received"], r["worked"]) for r in b["creditor"]] == [
        ("Banco Andino", 5, 4)
    ]
    collectors = _by_key(b["collector"])
    ana = collectors[world["worker"].pk]
    assert (ana["label"], ana["received"], ana["worked"]) == ("Ana Ruiz", 3, 2)
    assert ana["per_10k"] == Decimal("15000.00")
    assert collectors[None]["received"] == 2 and collectors[None]["per_10k"] is None
    channels = _by_key(b["channel"])
    assert (channels["phone"]["received"], channels["email"]["received"]) == (2, 2)
    assert channels["portal"]["on_time_rate"] == Decimal("0.0000")
    templates = _by_key(b["template"])
    assert (templates["friendly"]["received"], templates["friendly"]["messages_sent"]) == (1, 2)
    assert templates["friendly"]["per_10k"] == Decimal("5000.00")
    assert templates["firm"]["median_days"] == Decimal("14.0")
    assert templates[None]["received"] == 3


def test_trend_has_twelve_months_with_each_months_complaints_and_accounts(manager, world):
    trend = _report(manager)["trend"]
    assert [r["month"] for r in trend][:1] == [D(2025, 12, 1)]
    assert trend[-1]["month"] == D(2026, 11, 1) and len(trend) == 12
    october, november = trend[-2], trend[-1]
    assert (october["received"], october["accounts_worked"], october["median_days"]) == (
        1,
        1,
        Decimal("5.0"),
    )
    assert (november["received"], november["accounts_worked"]) == (5, 4)
    assert all(r["received"] == 0 and r["per_10k"] is None for r in trend[:-2])


def test_an_officer_of_one_creditor_sees_only_theirs(world):
    officer = OfficerFactory(username="officer-finzo", creditors=[world["finzo"]])
    h = _report(officer)["headline"]
    assert (h["received"], h["accounts_worked"], h["per_10k"]) == (1, 1, Decimal("10000.00"))


def test_a_collector_sees_the_complaints_of_their_debts(world):
    h = _report(world["worker"])["headline"]
    assert (h["received"], h["accounts_worked"]) == (3, 2)


def test_figures_follow_the_services(creditor):
    # given a complaint filed on a Friday and answered the next Wednesday
    officer = OfficerFactory(username="officer", creditors=[creditor])
    debt = debt_with_email(creditor=creditor)
    with time_machine.travel(at(D(2026, 12, 4), 15), tick=False):
        filed = file_complaint(debt=debt, user=officer)
    with time_machine.travel(at(D(2026, 12, 9), 15), tick=False):
        complaint_answer(complaint=filed, user=officer, subject="Respuesta", body="Listo.")
    filters = ReputationFilters(
        date_from=D(2026, 12, 1), date_to=D(2026, 12, 31), as_of=D(2026, 12, 9)
    )
    h = reputation_report(user=officer, filters=filters)["headline"]
    assert (h["received"], h["on_time"], h["median_days"]) == (1, 1, Decimal("5.0"))
    assert h["per_10k"] is None  # no account worked: nothing to divide by


@time_machine.travel(AS_OF, tick=False)
def test_the_page_shows_the_figures_es_and_en(client, manager, world):
    client.force_login(manager)
    response = client.get(reverse("complaints:reputation"), NOV)
    assert response.status_code == 200
    assert response.context["report"]["headline"]["received"] == 5
    assert b'data-kpi="per-10k"' in response.content and b"Ana Ruiz" in response.content
    client.cookies["django_language"] = "es"
    response = client.get(reverse("complaints:reputation"), NOV, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    # counts of complaints: "Recibidas", not the queue's "Recibida" (of one complaint)
    page = response.content.decode()
    assert page.count('<th scope="col" class="num">Recibidas</th>') >= 2
    assert ">Recibida<" not in page


@time_machine.travel(AS_OF, tick=False)
def test_the_page_has_an_empty_state(client, manager):
    client.force_login(manager)
    response = client.get(reverse("complaints:reputation"), NOV)
    assert response.status_code == 200 and response.context["has_data"] is False
    assert b"empty-state" in response.content


def test_collectors_may_not_open_the_page_or_the_api(client, world):
    client.force_login(world["worker"])
    assert client.get(reverse("complaints:reputation")).status_code == 403
    assert client.get(reverse("api-complaint-kpis")).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-13-01"},
        {"from": "2026-12-01", "to": "2026-11-01"},
        {"from": "2024-01-01", "to": "2026-11-30"},
        {"to": "9999-12-31"},
        {"creditor": "finzo"},
        {"creditor": "x\x00"},
    ],
)
def test_bad_filters_are_a_400_on_the_page_the_api_and_the_exports(client, manager, world, query):
    client.force_login(manager)
    page = client.get(reverse("complaints:reputation"), query)
    assert page.status_code == 400 and page.context["report"] is None
    api = client.get(reverse("api-complaint-kpis"), query)
    assert api.status_code == 400 and set(api.json()) & {"from", "to", "creditor"}
    export = client.get(reverse("complaints:reputation-export", args=["kind", "csv"]), query)
    assert export.status_code == 400
    assert not ExportRecord.objects.exists()


@time_machine.travel(AS_OF, tick=False)
def test_the_api_gives_the_same_figures_as_exact_strings(client, manager, world):
    client.force_login(manager)
    body = client.get(reverse("api-complaint-kpis"), NOV).json()
    assert body["headline"]["per_10k"] == "12500.00"
    assert body["headline"]["on_time_rate"] == "0.5000"
    assert {r["key"] for r in body["breakdowns"]["template"]} == {"friendly", "firm", None}
    assert len(body["trend"]) == 12


def test_the_api_is_documented(client, admin_user):
    client.force_login(admin_user)
    schema = client.get(reverse("api-schema")).content.decode()
    assert "/api/v1/complaints/kpis/" in schema


@time_machine.travel(AS_OF, tick=False)
def test_exports_neutralise_formulas_and_are_recorded(client, manager, world):
    from portfolio.models import Creditor

    Creditor.objects.filter(code="banco-andino").update(name='=HYPERLINK("http://x","y")')
    client.force_login(manager)
    csv = client.get(reverse("complaints:reputation-export", args=["creditor", "csv"]), NOV)
    assert csv.status_code == 200
    assert "'=HYPERLINK" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("complaints:reputation-export", args=["root-cause", "xlsx"]), NOV)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 1).value == "Root cause"
    assert ExportRecord.objects.filter(export="complaints-reputation:creditor").exists()
    unknown = client.get(reverse("complaints:reputation-export", args=["nope", "csv"]), NOV)
    assert unknown.status_code == 404


@time_machine.travel(AS_OF, tick=False)
def test_redeco_file_has_mexicos_complaints_of_the_quarter(client, manager, creditor):
    mx = DebtFactory(creditor=creditor, debtor__country="MX")
    co = DebtFactory(creditor=creditor)
    complaint(
        mx,
        D(2026, 11, 3),
        D(2026, 11, 20),
        answered=D(2026, 11, 10),
        channel="regulator",
        regulator="redeco",
        regulator_reference="=cmd|' /C calc'!A0",
    )
    complaint(mx, D(2026, 9, 30), D(2026, 10, 15))  # the third quarter
    complaint(co, D(2026, 11, 4), D(2026, 11, 25))  # Colombia
    client.force_login(manager)
    response = client.get(
        reverse("complaints:reputation-redeco", args=["csv"]), {"quarter": "2026Q4"}
    )
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2  # the header and the one complaint
    assert "'=cmd" in lines[1] and "2026-11-03" in lines[1] and "Yes" in lines[1]
    xlsx = client.get(reverse("complaints:reputation-redeco", args=["xlsx"]), {"quarter": "2026Q3"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert len(rows) == 2 and rows[1][2].date() == D(2026, 9, 30)


@pytest.mark.parametrize("quarter", ["2026Q5", "Q4", "26Q1", "1999Q1", "2026Q4x"])
def test_a_bad_quarter_is_a_400(client, manager, quarter):
    client.force_login(manager)
    response = client.get(
        reverse("complaints:reputation-redeco", args=["csv"]), {"quarter": quarter}
    )
    assert response.status_code == 400 and "quarter" in response.content.decode()


@time_machine.travel(AS_OF, tick=False)
def test_the_dashboard_shows_the_complaints_card(client, manager, world):
    client.force_login(manager)
    response = client.get(
        reverse("analytics:dashboard"), {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    assert response.status_code == 200
    card = response.context["complaints"]
    assert (card["received"], card["per_10k"], card["open_now"]) == (5, Decimal("12500.00"), 2)
    assert b'data-testid="complaints-kpis"' in response.content
    assert reverse("complaints:reputation") in card["link"]
    assert "from=2026-11-01" in card["link"]


@time_machine.travel(AS_OF, tick=False)
def test_a_manager_without_creditors_sees_nothing_and_no_error(client, world):
    from tests.factories.users import ManagerFactory

    lonely = ManagerFactory(username="lonely")
    h = _report(lonely, creditor_ids=())["headline"]
    assert (h["received"], h["accounts_worked"], h["per_10k"], h["open_now"]) == (0, 0, None, 0)
    client.force_login(lonely)
    assert client.get(reverse("complaints:reputation"), NOV).status_code == 200
    assert client.get(reverse("analytics:dashboard")).status_code == 200
