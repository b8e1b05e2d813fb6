"""The whole loop with the real adapters: a run's file, written by the bureau's own layout,
passes its checks and reads back to what the run recorded."""

import hashlib

import pytest

from bureau.layouts import layout_for
from bureau.models import FurnishedAccount
from bureau.services.runs import run_create, run_generate, run_submit, run_validate
from tests.bureau.conftest import sent_notice
from tests.bureau.helpers import D
from tests.factories.portfolio import DebtFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db
# The adapters themselves, not the test layout the runs' tests use.
REAL_LAYOUTS = True


@pytest.mark.parametrize(
    ("bureau", "country", "debtor"),
    [
        (
            "metro2",
            "US",
            {
                "document_type": "SSN",
                "document_number": "123456789",
                "timezone": "America/New_York",
                "language": "en",
                "region": "NY",
                "address_line": "1 Main St",
                "city": "New York",
                "postal_code": "10001",
            },
        ),
        ("datacredito", "CO", {}),
        (
            "buro",
            "MX",
            {
                "document_type": "RFC",
                "document_number": "GODE561231GR8",
                "timezone": "America/Mexico_City",
                "address_line": "Av. Reforma 100",
                "city": "Ciudad de México",
                "region": "CDMX",
                "postal_code": "06600",
            },
        ),
    ],
)
def test_a_run_files_with_the_bureaus_own_layout_and_reads_back(bureau, country, debtor):
    debt = DebtFactory(
        due_date=D(2026, 8, 1),
        currency={"US": "USD", "CO": "COP", "MX": "MXN"}[country],
        debtor__country=country,
        **{f"debtor__{k}": v for k, v in debtor.items()},
    )
    manager = ManagerFactory(creditors=[debt.creditor])
    sent_notice(debt, D(2026, 9, 1))
    run = run_create(creditor=debt.creditor, bureau=bureau, cut_off=D(2026, 10, 31), user=manager)
    run = run_validate(run=run, user=manager)
    assert run.status == "validated", run.findings
    run = run_submit(run=run_generate(run=run, user=manager), user=manager)

    data = run.file.read()
    assert hashlib.sha256(data).hexdigest() == run.checksum
    layout = layout_for(bureau)
    _header, accounts = layout.parse(data)
    recorded = FurnishedAccount.objects.get(run=run, debt=debt)
    (account,) = accounts
    assert account.account_number == debt.debt_ref
    assert recorded.status_code.encode() in data  # the code the run recorded is the filed one
    assert recorded.action == "report" and recorded.days_late == 91
