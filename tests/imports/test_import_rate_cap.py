"""The portfolio file's late_interest_rate column: validated, loaded into the debt's contract
rate, and a rate above the ceiling in force loaded as written but counted and listed as capped."""

import datetime
from decimal import Decimal

import pytest

from core.dates import business_today
from ledger.models import LedgerSettings
from portfolio.models import Debt
from tests.factories.ledger import AccrualRuleFactory, UsuryRateFactory
from tests.factories.users import ManagerFactory
from tests.imports.test_import_service import HEADER, csv_bytes, row, run

pytestmark = pytest.mark.django_db

RATE_HEADER = HEADER + ",late_interest_rate"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rated(rate: str, **overrides) -> str:
    return row(**overrides) + "," + rate


@pytest.fixture
def usury():
    today = business_today()
    return UsuryRateFactory(
        valid_from=today - datetime.timedelta(days=10),
        valid_to=today + datetime.timedelta(days=20),
        bank_current_rate=Decimal("17"), usury_rate=Decimal("25.5"), resolution="Res. 1234",
    )  # fmt: skip


def test_the_rate_is_loaded_as_the_debts_contract_rate(creditor):
    content = csv_bytes(
        rated("24.5", debtor_ref="D1", debt_ref="A"),
        rated("", debtor_ref="D2", document_number="2020", debt_ref="B"),
        rated("+7.1234", debtor_ref="D3", document_number="3030", debt_ref="C"),
        header=RATE_HEADER,
    )

    batch = run(creditor, content)

    assert batch.status == "completed" and batch.rejected_count == 0
    rates = dict(Debt.objects.values_list("debt_ref", "contract_rate"))
    assert rates == {"A": Decimal("24.5"), "B": None, "C": Decimal("7.1234")}

    # A later file changes it (the ordinary, compare-and-update path)
    batch = run(creditor, csv_bytes(rated("19", debt_ref="A"), header=RATE_HEADER), name="b.csv")
    assert batch.updated_count == 1
    assert Debt.objects.get(debt_ref="A").contract_rate == Decimal("19")


def test_a_first_load_in_bulk_loads_the_rate_too(creditor, settings):
    settings.CARTERA_IMPORT_BULK_MIN_ROWS = 1
    content = csv_bytes(
        rated("31.25", debt_ref="A"),
        rated("", debtor_ref="D2", document_number="2020", debt_ref="B"),
        header=RATE_HEADER,
    )

    run(creditor, content)

    rates = dict(Debt.objects.values_list("debt_ref", "contract_rate"))
    assert rates == {"A": Decimal("31.25"), "B": None}


@pytest.mark.parametrize("value", ["abc", "-1", "1000.5", "12.12345", "2,5", "1e3"])
def test_a_malformed_rate_is_a_row_error(creditor, value):
    content = csv_bytes(rated(f'"{value}"'), header=RATE_HEADER)

    batch = run(creditor, content)

    assert batch.rejected_count == 1
    error = batch.row_errors.get()
    assert (error.row, error.column) == (2, "late_interest_rate")
    assert not Debt.objects.exists()


def test_a_rate_above_the_usury_rate_loads_and_is_reported_capped(client, creditor, usury):
    AccrualRuleFactory(
        creditor=creditor, product="credit_card", valid_from=datetime.date(2020, 1, 1)
    )
    LedgerSettings.objects.create(
        creditor=creditor, country="MX", application_order="fees_interest_principal",
        max_late_rate=Decimal("40"),
    )  # fmt: skip
    content = csv_bytes(
        rated("30", debt_ref="HIGH"),
        rated("25.5", debtor_ref="D2", document_number="2020", debt_ref="AT"),
        rated("45", debtor_ref="D3", document_number="3030", debt_ref="MXHIGH", country="MX",
              phone="", currency="MXN"),
        rated("", debtor_ref="D4", document_number="4040", debt_ref="NONE"),
        header=RATE_HEADER,
    )  # fmt: skip

    batch = run(creditor, content)

    # Then every row is loaded as written, and the two above their ceiling are listed
    assert batch.created_count == 4
    assert Debt.objects.get(debt_ref="HIGH").contract_rate == Decimal("30")
    assert batch.capped_count == 2
    listed = {capped["debt_ref"]: capped for capped in batch.capped_rows}
    assert set(listed) == {"HIGH", "MXHIGH"}
    assert (listed["HIGH"]["ceiling"], listed["HIGH"]["source"]) == ("25.5000", "usury")
    assert listed["HIGH"]["resolution"] == "Res. 1234" and listed["HIGH"]["row"] == 2
    assert (listed["MXHIGH"]["ceiling"], listed["MXHIGH"]["source"]) == ("40.0000", "creditor")

    client.force_login(ManagerFactory(username="m2", creditors=[creditor]))
    body = client.get(f"/imports/{batch.pk}/").content.decode()
    assert 'data-testid="capped-rows"' in body
    assert "capped to 25.5000 % (usury rate, Res. 1234)" in body


def test_without_a_certified_rate_or_maximum_nothing_is_reported_capped(creditor):
    batch = run(creditor, csv_bytes(rated("99"), header=RATE_HEADER))
    assert (batch.created_count, batch.capped_count, batch.capped_rows) == (1, 0, [])


def test_the_same_file_again_keeps_the_capped_report(creditor, usury):
    content = csv_bytes(rated("30"), header=RATE_HEADER)
    run(creditor, content)

    again = run(creditor, content, name="again.csv")

    assert (again.unchanged_count, again.capped_count) == (1, 1)
