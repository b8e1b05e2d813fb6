"""The legal KPIs on a hand-built set of cases whose answers are worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from legal.models import CaseState, LegalCase
from legal.selectors.kpis import legal_kpis
from tests.factories.legal import LawFirmFactory, make_case
from tests.factories.portfolio import CreditorFactory, DebtFactory, PaymentFactory
from tests.factories.users import CollectorFactory, LawyerFactory, ManagerFactory

pytestmark = pytest.mark.django_db

HANDED = datetime.date(2026, 3, 2)
YEAR = {"date_from": datetime.date(2026, 1, 1), "date_to": datetime.date(2026, 12, 31)}


def paid(debt, day: datetime.date, amount: str):
    # 15:00 UTC is 10:00 in Bogotá: the same business day.
    return PaymentFactory(
        debt=debt,
        amount=Decimal(amount),
        paid_at=datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC),
    )


@pytest.fixture
def book():
    creditor = CreditorFactory(name="Banco Andino")
    f1 = LawFirmFactory(name="Firma Uno", creditors=[creditor])
    f2 = LawFirmFactory(name="Firma Dos", creditors=[creditor])

    def debt(due=datetime.date(2025, 1, 10), currency="COP"):
        return DebtFactory(creditor=creditor, due_date=due, currency=currency)

    # 1: filed before prescription (due 2025-01-10 + 3 years), order after 30 days, first
    # payment after 44 days; a payment before the hand-off is not the legal stage's.
    one = make_case(
        debt=debt(),
        firm=f1,
        handed_over_on=HANDED,
        state=CaseState.PAYMENT_ORDER,
        filed_on=datetime.date(2026, 3, 20),
        payment_order_on=datetime.date(2026, 4, 1),
    )
    paid(one.debt, datetime.date(2026, 2, 1), "10000")
    paid(one.debt, datetime.date(2026, 4, 15), "50000")
    paid(one.debt, datetime.date(2026, 5, 1), "25000")
    # 2: another firm; order after 10 days, paid after 20, closed paid; a payment after closing
    # is not the case's.
    two = make_case(
        debt=debt(),
        firm=f2,
        handed_over_on=HANDED,
        state=CaseState.CLOSED,
        outcome="paid",
        payment_order_on=datetime.date(2026, 3, 12),
        closed_on=datetime.date(2026, 6, 1),
    )
    paid(two.debt, datetime.date(2026, 3, 22), "100000")
    paid(two.debt, datetime.date(2026, 7, 1), "5000")
    # 3: due in 2020, prescribed in 2023: filed too late, closed as prescribed.
    make_case(
        debt=debt(due=datetime.date(2020, 1, 10)),
        firm=f1,
        handed_over_on=HANDED,
        state=CaseState.CLOSED,
        outcome="prescribed",
        filed_on=datetime.date(2026, 3, 10),
        closed_on=datetime.date(2026, 5, 1),
    )
    # 4: in dollars, paid after 10 days: never added to the pesos.
    four = make_case(debt=debt(currency="USD"), firm=f1, handed_over_on=HANDED)
    paid(four.debt, datetime.date(2026, 3, 12), "200")
    # Another creditor's case: not this manager's.
    other = make_case(handed_over_on=HANDED)
    paid(other.debt, datetime.date(2026, 4, 1), "999999")
    return {"creditor": creditor, "f1": f1, "f2": f2, "other": other}


def test_per_creditor_known_answers(book):
    manager = ManagerFactory(creditors=[book["creditor"]])

    report = legal_kpis(user=manager, **YEAR)

    [row] = report["creditors"]
    assert row["creditor"] == book["creditor"].pk and row["creditor_name"] == "Banco Andino"
    assert row["cases"] == 4
    assert row["cases_by_state"] == {"closed": 2, "payment_order": 1, "prepared": 1}
    assert row["recovered"] == [
        {"currency": "COP", "amount": Decimal("175000.00")},
        {"currency": "USD", "amount": Decimal("200.00")},
    ]
    assert row["net"] == row["recovered"]
    assert [r["ratio"] for r in row["cost_per_recovered"]] == [Decimal("0"), Decimal("0")]
    assert row["median_days_to_payment_order"] == Decimal("20.0")  # 30 and 10
    assert row["median_days_to_recovery"] == Decimal("20.0")  # 44, 20 and 10
    assert row["prescriptions_avoided"] == 1
    assert row["prescriptions_lost"] == 1


def test_per_firm_known_answers(book):
    report = legal_kpis(user=ManagerFactory(creditors=[book["creditor"]]), **YEAR)

    rows = {row["firm_name"]: row for row in report["firms"]}
    assert set(rows) == {"Firma Uno", "Firma Dos"}
    uno, dos = rows["Firma Uno"], rows["Firma Dos"]
    assert uno["cases"] == 3 and dos["cases"] == 1
    assert uno["recovered"] == [
        {"currency": "COP", "amount": Decimal("75000.00")},
        {"currency": "USD", "amount": Decimal("200.00")},
    ]
    assert dos["recovered"] == [{"currency": "COP", "amount": Decimal("100000.00")}]
    assert uno["median_days_to_recovery"] == Decimal("27.0")  # 44 and 10
    assert uno["median_days_to_payment_order"] == Decimal("30.0")
    assert (uno["prescriptions_avoided"], uno["prescriptions_lost"]) == (1, 1)
    assert (dos["prescriptions_avoided"], dos["prescriptions_lost"]) == (0, 0)


def test_the_range_limits_what_counts(book):
    manager = ManagerFactory(creditors=[book["creditor"]])

    report = legal_kpis(
        user=manager, date_from=datetime.date(2026, 4, 1), date_to=datetime.date(2026, 4, 30)
    )

    [row] = report["creditors"]
    # Only the 50,000 of April 15; the order of April 1; the recovery of April 15 (44 days).
    assert row["recovered"] == [{"currency": "COP", "amount": Decimal("50000.00")}]
    assert row["median_days_to_payment_order"] == Decimal("30.0")
    assert row["median_days_to_recovery"] == Decimal("44.0")
    assert (row["prescriptions_avoided"], row["prescriptions_lost"]) == (0, 0)


def test_costs_of_the_ledger_give_net_and_cost_per_peso(book):
    from legal.models import CostStatus, LegalCost

    case = LegalCase.objects.filter(creditor=book["creditor"], debt__currency="COP").first()
    for amount, status in (("10000.00", "approved"), ("7500.00", "pending_approval")):
        LegalCost.objects.create(
            case=case,
            kind="court_cost",
            amount=Decimal(amount),
            currency="COP",
            incurred_on=datetime.date(2026, 4, 2),
            description="Arancel judicial",
            status=status,
        )
    # A rejected cost, or one outside the period, is no cost of it.
    for day, status in (
        (datetime.date(2026, 4, 3), CostStatus.REJECTED),
        (datetime.date(2024, 1, 1), "approved"),
    ):
        LegalCost.objects.create(
            case=case,
            kind="disbursement",
            amount=Decimal("99999.00"),
            currency="COP",
            incurred_on=day,
            description="No cuenta",
            status=status,
        )

    [row] = legal_kpis(user=ManagerFactory(creditors=[book["creditor"]]), **YEAR)["creditors"]

    assert row["net"][0] == {"currency": "COP", "amount": Decimal("157500.00")}
    assert row["cost_per_recovered"][0] == {"currency": "COP", "ratio": Decimal("0.1000")}
    # Dollars stay apart: no cost in dollars.
    assert row["net"][1] == {"currency": "USD", "amount": Decimal("200.00")}


def test_a_manager_sees_only_their_creditors_an_admin_all(book):
    from tests.factories.users import AdminFactory

    assert len(legal_kpis(user=AdminFactory(), **YEAR)["creditors"]) == 2
    other_manager = ManagerFactory(creditors=[book["other"].creditor])
    [row] = legal_kpis(user=other_manager, **YEAR)["creditors"]
    assert row["recovered"] == [{"currency": "COP", "amount": Decimal("999999.00")}]


def test_the_api_and_the_page_give_the_same_figures_to_managers_only(book, client):
    manager = ManagerFactory(creditors=[book["creditor"]])
    api = APIClient()
    api.force_authenticate(manager)

    response = api.get("/api/v1/legal-cases/kpis/", {"from": "2026-01-01", "to": "2026-12-31"})

    assert response.status_code == 200, response.content
    [row] = response.json()["creditors"]
    assert row["recovered"] == [
        {"currency": "COP", "amount": "175000.00"},
        {"currency": "USD", "amount": "200.00"},
    ]
    assert row["median_days_to_recovery"] == "20.0"
    bad = api.get("/api/v1/legal-cases/kpis/", {"from": "2026-12-31", "to": "2026-01-01"})
    assert bad.status_code == 400 and "from" in bad.json()
    assert api.get("/api/v1/legal-cases/kpis/", {"creditor": "nobody"}).status_code == 400
    for outsider in (CollectorFactory(), LawyerFactory(firms=[book["f1"]])):
        api.force_authenticate(outsider)
        assert api.get("/api/v1/legal-cases/kpis/").status_code == 403

    client.force_login(manager)
    page = client.get(reverse("legal:kpis"), {"from": "2026-01-01", "to": "2026-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Firma Uno" in html and "Firma Dos" in html
    assert "175,000.00" in html and "$200.00" in html and "Payment order issued: 1" in html
    client.force_login(CollectorFactory())
    assert client.get(reverse("legal:kpis")).status_code == 403
