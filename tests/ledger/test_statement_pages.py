"""The statement for staff (page, CSV, PDF), through the API, and the debtor's payments in the
portal: who may see it, the period's validation, formula-safe CSV, a readable PDF."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.models import ExportRecord
from core.money import format_money
from ledger.models import EntryKind
from ledger.services.entries import entry_post
from tests.factories.portfolio import ContactPointFactory, DebtFactory
from tests.factories.users import CollectorFactory, ManagerFactory
from tests.ledger.statement_helpers import (
    accrue,
    colombian_debt,
    day,
    pay,
    reverse_payment,
    write_off,
)
from tests.portal.conftest import sign_in

pytestmark = pytest.mark.django_db


def _statement_url(debt, name="ledger:debt-statement"):
    return reverse(name, args=[debt.pk])


def _debt_with_history(prefix="P", **fields):
    debt = colombian_debt(**fields)
    pay(debt, "100000.00", f"{prefix}-1", 2)
    accrue(debt, "4500.00", 4)
    pay(debt, "200000.00", f"{prefix}-2", 5)
    return debt


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


# --- who may see it ----------------------------------------------------------------------------


def test_a_manager_sees_the_statement_of_their_creditors_debt(client, manager, creditor):
    debt = _debt_with_history(creditor=creditor)
    client.force_login(manager)

    response = client.get(_statement_url(debt))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="statement-lines"' in body
    assert body.count('data-kind="payment"') == 2 and 'data-kind="accrual"' in body
    # the closing balance with its currency, and the ledger's sub-navigation for a manager
    with translation.override("en"):
        assert format_money(debt.balance, "COP") in body
    assert 'class="ledger-nav"' in body


def test_a_collector_sees_their_assigned_debts_statement_only(client, creditor):
    collector = CollectorFactory()
    mine = _debt_with_history(creditor=creditor, assigned_to=collector)
    theirs = _debt_with_history("T", creditor=creditor, assigned_to=CollectorFactory())
    client.force_login(collector)

    assert client.get(_statement_url(mine)).status_code == 200
    # Another collector's debt looks like a missing one: page, CSV, PDF and API alike
    for name in ("ledger:debt-statement", "ledger:debt-statement-csv", "ledger:debt-statement-pdf"):
        assert client.get(_statement_url(theirs, name)).status_code == 404
    assert client.get(f"/api/v1/debts/{theirs.pk}/statement/").status_code == 404
    # the collector gets no manager sub-navigation
    assert 'class="ledger-nav"' not in client.get(_statement_url(mine)).content.decode()


def test_another_creditors_manager_gets_a_404(client, creditor):
    debt = _debt_with_history(creditor=creditor)
    client.force_login(ManagerFactory(creditors=[DebtFactory().creditor]))

    assert client.get(_statement_url(debt)).status_code == 404
    assert client.get(f"/api/v1/debts/{debt.pk}/statement/").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client, creditor):
    debt = _debt_with_history(creditor=creditor)
    response = client.get(_statement_url(debt))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- the period --------------------------------------------------------------------------------


def test_a_period_filters_the_lines_and_opens_with_what_came_before(client, manager, creditor):
    debt = _debt_with_history(creditor=creditor)
    client.force_login(manager)

    response = client.get(_statement_url(debt), {"from": "2026-11-03", "to": "2026-11-04"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-kind="payment"') == 0 and 'data-kind="accrual"' in body
    with translation.override("en"):
        # opening: handed over less the first payment's 100,000 of interest
        assert format_money(Decimal("1070000.00"), "COP") in body
        # closing: and the day's accrual
        assert format_money(Decimal("1074500.00"), "COP") in body


@pytest.mark.parametrize(
    "query,field",
    [
        ({"from": "2026-13-45"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "from"),
        ({"from": "1500-01-01"}, "from"),
    ],
)
def test_an_unreadable_period_is_a_400_with_a_message(client, manager, creditor, query, field):
    debt = _debt_with_history(creditor=creditor)
    client.force_login(manager)

    page = client.get(_statement_url(debt), query)
    assert page.status_code == 400
    assert 'id="statement-invalid"' in page.content.decode()
    assert 'class="field-error"' in page.content.decode()
    for name in ("ledger:debt-statement-csv", "ledger:debt-statement-pdf"):
        response = client.get(_statement_url(debt, name), query)
        assert response.status_code == 400
        assert response.content.decode().startswith(f"{field}:")
    api = client.get(f"/api/v1/debts/{debt.pk}/statement/", query)
    assert api.status_code == 400 and field in api.json()
    assert not ExportRecord.objects.exists()


def test_a_debt_without_movements_shows_the_empty_state(client, manager, creditor):
    debt = colombian_debt(creditor=creditor)
    client.force_login(manager)

    body = client.get(_statement_url(debt)).content.decode()

    assert 'class="empty-state"' in body and 'id="statement-lines"' not in body


def test_the_write_off_and_a_reversal_show_on_the_page(client, manager, creditor):
    debt = colombian_debt(creditor=creditor)
    bounced = pay(debt, "50000.00", "BOUNCED-1", 2)
    reverse_payment(bounced, 3)
    debt.refresh_from_db()
    write_off(debt, 10, user=manager)
    pay(debt, "70000.00", "RECOVERED-1", 12)
    client.force_login(manager)

    body = client.get(_statement_url(debt)).content.decode()

    for kind in ("payment", "reversal", "write_off", "recovery"):
        assert f'data-kind="{kind}"' in body
    assert 'id="statement-write-off"' in body
    assert "BOUNCED-1" in body and "RECOVERED-1" in body


# --- files -------------------------------------------------------------------------------------


def test_the_csv_is_formula_safe_and_recorded(client, manager, creditor):
    debt = _debt_with_history(creditor=creditor)
    entry_post(
        debt=debt, kind=EntryKind.ADJUSTMENT, posted_on=day(6), fees=Decimal("1000.00"),
        memo='=HYPERLINK("http://evil.example","clic")',
    )  # fmt: skip
    debt.fees += Decimal("1000.00")
    debt.balance += Decimal("1000.00")
    debt.save(update_fields=["fees", "balance"])
    client.force_login(manager)

    response = client.get(_statement_url(debt, "ledger:debt-statement-csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"{debt.debt_ref}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    kinds = [row[1] for row in rows[1:]]
    assert kinds == ["opening", "payment", "accrual", "payment", "adjustment", "closing"]
    memo_column = rows[0].index("Memo") if "Memo" in rows[0] else 13
    adjustment = rows[5]
    assert adjustment[memo_column].startswith("'=HYPERLINK")
    # amounts are plain numbers (a negative one too), the closing is the debt's balance
    assert rows[2][4:8] == ["0.00", "-100000.00", "0.00", "-100000.00"]
    assert rows[-1][11] == str(debt.balance)
    record = ExportRecord.objects.get()
    assert (record.user, record.export, record.row_count) == (manager, "ledger-debt-statement", 6)


def test_the_pdf_reads_with_the_closing_balance(client, manager, creditor):
    from pypdf import PdfReader

    debt = _debt_with_history(creditor=creditor)
    client.force_login(manager)

    response = client.get(_statement_url(debt, "ledger:debt-statement-pdf"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = _plain("\n".join(page.extract_text() for page in pages))
    with translation.override("en"):
        closing = _plain(format_money(debt.balance, "COP"))
    assert closing in text
    assert debt.debt_ref in text and "P-2" in text


def test_the_pdf_of_an_empty_period_still_reads(client, manager, creditor):
    from pypdf import PdfReader

    debt = _debt_with_history(creditor=creditor)
    client.force_login(manager)

    period = {"from": "2026-11-20", "to": "2026-11-25"}
    response = client.get(_statement_url(debt, "ledger:debt-statement-pdf"), period)

    text = _plain(PdfReader(io.BytesIO(response.content)).pages[0].extract_text())
    with translation.override("en"):
        assert _plain(format_money(debt.balance, "COP")) in text


# --- API ---------------------------------------------------------------------------------------


def test_the_api_gives_brought_forward_lines_and_closing(client, manager, creditor):
    debt = _debt_with_history(creditor=creditor)
    client.force_login(manager)

    data = client.get(f"/api/v1/debts/{debt.pk}/statement/").json()

    assert data["debt"] == debt.pk and data["currency"] == "COP"
    assert data["brought_forward"] == {
        "principal": "1000000.00",
        "interest": "150000.00",
        "fees": "20000.00",
        "balance": "1170000.00",
    }
    assert [line["kind"] for line in data["lines"]] == ["payment", "accrual", "payment"]
    first = data["lines"][0]
    assert first["payment"]["reference"] == "P-1"
    assert (first["payment"]["to_interest"], first["payment"]["to_principal"]) == (
        "100000.00",
        "0.00",
    )
    assert first["interest"] == "-100000.00" and first["balance"]["interest"] == "50000.00"
    assert data["lines"][1]["payment"] is None
    assert data["closing"]["balance"] == str(debt.balance)

    period = client.get(
        f"/api/v1/debts/{debt.pk}/statement/", {"from": "2026-11-05", "to": "2026-11-05"}
    ).json()
    assert [line["kind"] for line in period["lines"]] == ["payment"]
    assert period["opening"]["balance"] == "1074500.00"
    assert (period["date_from"], period["date_to"]) == ("2026-11-05", "2026-11-05")


# --- the staff debt page -----------------------------------------------------------------------


def test_the_debt_page_links_to_the_statement_and_marks_reversed_payments(
    client, manager, creditor
):
    debt = colombian_debt(creditor=creditor)
    reverse_payment(pay(debt, "50000.00", "BOUNCED-1", 2), 3)
    client.force_login(manager)

    body = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()

    assert f'href="{_statement_url(debt)}"' in body
    payments = body[body.index('id="payments-title"') :]
    assert "Reversed" in payments


# --- the portal --------------------------------------------------------------------------------


def test_the_portal_shows_how_each_of_the_debtors_payments_was_applied(client, creditor):
    # Given a debtor with a debt paid twice (one payment bounced) and a day of late interest,
    # and someone else's payment on another debt
    debt = colombian_debt(
        creditor=creditor, debtor__language="en", debtor__document_number="1020304050"
    )
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001112233")
    pay(debt, "100000.00", "P-1", 2)
    accrue(debt, "4500.00", 4)
    bounced = pay(debt, "210000.00", "P-2", 5)
    reverse_payment(bounced, 6)
    debt.refresh_from_db()
    other = colombian_debt(creditor=creditor)
    pay(other, "77777.00", "O-1", 2)
    sign_in(client, debt.debtor)

    response = client.get(reverse("portal:debt", args=[debt.pk]))

    body = _plain(response.content.decode())
    section = body[body.index('id="payments-applied"') :]
    section = section[: section.index("</section>")]
    assert section.count('data-testid="payment-applied"') == 2
    # newest first: the bounced one, with its split and marked reversed
    assert section.index("210,000.00") < section.index("100,000.00")
    assert "Reversed" in section
    assert "COP 54,500.00" in section  # its interest part
    assert "COP 155,500.00" in section  # its principal part
    # the late interest charged so far and the balance today, with the currency
    assert re.search(r'data-testid="late-interest">\s*COP 4,500.00', section)
    assert re.search(rf'data-testid="balance-today">\s*COP {debt.balance:,}', section)
    assert "77,777.00" not in body


def test_the_portal_says_when_there_are_no_payments(client, creditor):
    debt = colombian_debt(
        creditor=creditor, debtor__language="en", debtor__document_number="1020304050"
    )
    ContactPointFactory(debtor=debt.debtor, channel="sms", value="+573001112233")
    sign_in(client, debt.debtor)

    body = client.get(reverse("portal:debt", args=[debt.pk])).content.decode()

    assert "You have not made any payments on this debt yet." in body
