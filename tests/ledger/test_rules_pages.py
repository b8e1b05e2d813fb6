"""The book rules page and the certified usury rates page: forms, validation, scoping, who."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ledger.models import AccrualRule, FeeRule, LedgerSettings, UsuryRate
from tests.factories.ledger import AccrualRuleFactory, FeeRuleFactory, UsuryRateFactory
from tests.factories.portfolio import CreditorFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

RULES = "/ledger/rules/"
USURY = "/ledger/usury/"


def _post(client, creditor, kind, **fields):
    data = {"form": kind, "creditor": creditor.pk}
    data.update({f"{kind}-{name}": value for name, value in fields.items()})
    return client.post(f"{RULES}?creditor={creditor.pk}", data)


def test_the_rules_page_shows_the_creditors_rules_and_a_chooser(client, manager, creditor):
    second = CreditorFactory(name="Finzo", country="MX")
    manager.managed_creditors.add(second)
    AccrualRuleFactory(creditor=creditor, product="credit_card", annual_rate=Decimal("23.5"))
    AccrualRuleFactory(creditor=second, product="microcredit", annual_rate=Decimal("77.7"))
    client.force_login(manager)

    body = client.get(f"{RULES}?creditor={creditor.pk}").content.decode()

    assert 'data-testid="creditor-chooser"' in body and "Finzo" in body
    assert "23.5000" in body and "77.7000" not in body
    assert 'class="ledger-nav"' in body
    # Colombia's default order is interest first
    assert "Interest, then principal, then fees" in body


def test_rules_are_scoped_to_the_managers_creditors(client, manager):
    stranger = CreditorFactory()
    rule = FeeRuleFactory(creditor=stranger)
    client.force_login(manager)

    assert client.get(f"{RULES}?creditor={stranger.pk}").status_code == 404
    assert client.get(f"{RULES}?creditor=abc").status_code == 404
    assert _post(client, stranger, "fee", percent="5").status_code == 404
    assert client.get(f"/ledger/rules/fees/{rule.pk}/deactivate/").status_code == 404


def test_collectors_may_not_open_the_pages(client, collector):
    client.force_login(collector)
    assert client.get(RULES).status_code == 403
    assert client.get(USURY).status_code == 403


def test_colombia_refuses_principal_before_interest(client, manager, creditor):
    client.force_login(manager)

    response = _post(client, creditor, "settings", country="CO",
                     application_order="principal_interest_fees")  # fmt: skip

    assert response.status_code == 400
    assert "Código Civil" in response.content.decode()
    assert not LedgerSettings.objects.exists()

    response = _post(client, creditor, "settings", country="MX",
                     application_order="principal_interest_fees", max_late_rate="45.5")  # fmt: skip
    assert response.status_code == 302
    row = LedgerSettings.objects.get(creditor=creditor, country="MX")
    assert (row.application_order, row.max_late_rate, row.updated_by) == (
        "principal_interest_fees", Decimal("45.5"), manager,
    )  # fmt: skip


def test_a_new_rule_version_records_who_and_refuses_the_past(client, manager, creditor):
    client.force_login(manager)
    today = timezone.localdate()
    fields = {"product": "personal_loan", "annual_rate": "24", "rate_basis": "effective_annual",
              "day_count": "act_365", "grace_days": "5",
              "credit_type": "consumer_ordinary"}  # fmt: skip

    past = _post(
        client, creditor, "accrual", valid_from=today - datetime.timedelta(days=1), **fields
    )
    bad_rate = _post(
        client, creditor, "accrual", valid_from=today, **{**fields, "annual_rate": "1001"}
    )
    ok = _post(client, creditor, "accrual", valid_from=today, **fields)
    again = _post(client, creditor, "accrual", valid_from=today, **fields)

    assert (past.status_code, bad_rate.status_code, ok.status_code, again.status_code) == (
        400, 400, 302, 400,
    )  # fmt: skip
    assert "already starts on that day" in again.content.decode()
    rule = AccrualRule.objects.get()
    assert (rule.annual_rate, rule.grace_days, rule.created_by) == (Decimal(24), 5, manager)


def test_fee_rules_need_a_disclosure_and_a_proportional_percent(client, manager, creditor):
    client.force_login(manager)
    fields = {"country": "CO", "stage": "firm_notice", "percent": "10",
              "disclosed_on": "2026-01-01", "disclosure": "Contract clause 12"}  # fmt: skip

    no_disclosure = _post(client, creditor, "fee", **{**fields, "disclosure": ""})
    no_date = _post(client, creditor, "fee", **{**fields, "disclosed_on": ""})
    too_much = _post(client, creditor, "fee", **{**fields, "percent": "150"})
    current = _post(client, creditor, "fee", **{**fields, "stage": "current"})
    ok = _post(client, creditor, "fee", **fields)
    twice = _post(client, creditor, "fee", **fields)

    assert [r.status_code for r in (no_disclosure, no_date, too_much, current, ok, twice)] == [
        400, 400, 400, 400, 302, 400,
    ]  # fmt: skip
    assert "deactivate it first" in twice.content.decode()
    rule = FeeRule.objects.get()
    assert (rule.percent, rule.created_by, rule.is_active) == (Decimal(10), manager, True)


def test_deactivating_a_fee_rule_asks_for_confirmation_and_records_who_and_why(
    client, manager, creditor
):
    rule = FeeRuleFactory(creditor=creditor)
    client.force_login(manager)
    url = f"/ledger/rules/fees/{rule.pk}/deactivate/"

    assert client.get(url).status_code == 200
    unconfirmed = client.post(url, {"reason": "Creditor's instruction"})
    assert unconfirmed.status_code == 400
    rule.refresh_from_db()
    assert rule.is_active

    assert (
        client.post(url, {"reason": "Creditor's instruction", "confirm": "on"}).status_code == 302
    )
    rule.refresh_from_db()
    assert not rule.is_active
    log = LogEntry.objects.get(object_id=str(rule.pk))
    assert (log.user, log.change_message) == (manager, "Creditor's instruction")


def test_loading_a_usury_rate_computes_one_and_a_half_times_the_ibc(client, manager):
    client.force_login(manager)
    data = {"credit_type": "consumer_ordinary", "valid_from": "2026-07-01",
            "valid_to": "2026-07-31", "bank_current_rate": "16.5",
            "resolution": "Res. 0890"}  # fmt: skip

    assert client.post(USURY, data).status_code == 302

    rate = UsuryRate.objects.get()
    assert (rate.usury_rate, rate.loaded_by, rate.resolution) == (
        Decimal("24.75"), manager, "Res. 0890",
    )  # fmt: skip
    body = client.get(USURY).content.decode()
    assert "24.7500" in body and "Res. 0890" in body


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"valid_from": "2026-07-15", "valid_to": "2026-08-15"}, "overlaps"),
        ({"valid_to": "2026-06-01"}, "ends before it starts"),
        ({"bank_current_rate": "0"}, "above 0"),
        ({"credit_type": "mortgage"}, "Select a valid choice"),
    ],
)
def test_a_usury_rate_that_cannot_be_loaded_is_a_400(client, manager, change, message):
    UsuryRateFactory(valid_from=datetime.date(2026, 7, 1), valid_to=datetime.date(2026, 7, 31))
    client.force_login(manager)
    data = {"credit_type": "consumer_ordinary", "valid_from": "2026-08-01",
            "valid_to": "2026-08-31", "bank_current_rate": "16.5"}  # fmt: skip
    data.update(change)

    response = client.post(USURY, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert UsuryRate.objects.count() == 1


def _csv(text: str):
    return SimpleUploadedFile("rates.csv", text.encode(), content_type="text/csv")


HEADER = "credit_type,valid_from,valid_to,bank_current_rate,resolution\n"


def test_a_csv_of_certified_rates_loads_every_row(client, manager):
    client.force_login(manager)
    text = (HEADER + "consumer_ordinary,2026-07-01,2026-07-31,16.5,Res. 1\n"
            "microcredit,2026-07-01,2026-09-30,40.1,Res. 2\n")  # fmt: skip

    response = client.post("/ledger/usury/upload/", {"file": _csv(text)})

    assert response.status_code == 302
    assert sorted(UsuryRate.objects.values_list("credit_type", "usury_rate")) == [
        ("consumer_ordinary", Decimal("24.75")), ("microcredit", Decimal("60.15")),
    ]  # fmt: skip


def test_a_csv_with_an_error_loads_nothing_and_lists_each_rows_error(client, manager):
    client.force_login(manager)
    text = (HEADER + "consumer_ordinary,2026-07-01,2026-07-31,16.5,Res. 1\n"
            "consumer_ordinary,2026-07-15,2026-08-15,16.7,overlapping\n"
            "microcredit,2026-13-01,2026-09-30,40.1,bad date\n"
            "microcredit,2026-07-01,2026-09-30,abc,bad rate\n")  # fmt: skip

    response = client.post("/ledger/usury/upload/", {"file": _csv(text)})

    assert response.status_code == 400
    assert not UsuryRate.objects.exists()
    body = response.content.decode()
    assert 'data-testid="usury-csv-errors"' in body
    for line in ('<td class="num">3</td>', '<td class="num">4</td>', '<td class="num">5</td>'):
        assert line in body
    assert '<td class="num">2</td>' not in body


def test_a_csv_without_the_columns_is_refused(client, manager):
    client.force_login(manager)
    response = client.post("/ledger/usury/upload/", {"file": _csv("a,b\n1,2\n")})
    assert response.status_code == 400
    assert "Missing columns" in response.content.decode()


def test_a_manager_with_no_creditor_gets_403(client):
    client.force_login(ManagerFactory(username="lonely"))
    assert client.get(RULES).status_code == 403
