"""The business-date windows (core.dates) and the services that enforce them."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from collections_app.services.payments import payment_record
from collections_app.services.workspace import interaction_log
from core.dates import BUSINESS_DATE_WINDOWS, business_date_validate, business_today
from core.exceptions import ApplicationError
from core.forms import BusinessDateFormField
from portfolio.models import Payment
from tests.factories.portfolio import DebtFactory

TODAY = datetime.date(2026, 12, 5)
BOGOTA = ZoneInfo("America/Bogota")


@pytest.mark.parametrize("kind", sorted(BUSINESS_DATE_WINDOWS))
def test_each_window_holds_its_edges_and_refuses_one_day_beyond(kind):
    window = BUSINESS_DATE_WINDOWS[kind]
    first, last = window.bounds(TODAY)
    assert business_date_validate(first, today=TODAY, kind=kind) == first
    assert business_date_validate(last, today=TODAY, kind=kind) == last
    for outside in (first - datetime.timedelta(days=1), last + datetime.timedelta(days=1)):
        with pytest.raises(ApplicationError) as exc:
            business_date_validate(outside, today=TODAY, kind=kind)
        assert exc.value.field == kind
        assert first.isoformat() in exc.value.message and last.isoformat() in exc.value.message


def test_explicit_days_and_field_override_the_kind():
    with pytest.raises(ApplicationError) as exc:
        business_date_validate(TODAY, today=TODAY, past=0, future=-1, field="due")
    assert exc.value.field == "due"
    assert business_date_validate(TODAY, today=TODAY, kind="paid_at", future=3) == TODAY


def test_a_time_is_read_in_the_operation_zone_and_must_be_aware():
    # 02:00 UTC on the 6th is still the 5th in Bogotá: not a future payment date.
    late = datetime.datetime(2026, 12, 6, 2, 0, tzinfo=datetime.UTC)
    assert business_date_validate(late, today=TODAY, kind="paid_at") == TODAY
    with pytest.raises(ApplicationError) as exc:
        business_date_validate(datetime.datetime(2026, 12, 1, 10), today=TODAY, kind="paid_at")
    assert "time zone" in exc.value.message


@pytest.mark.django_db
def test_the_ledger_refuses_a_payment_older_than_its_window(creditor):
    debt = DebtFactory(creditor=creditor, principal=Decimal("100.00"))
    with pytest.raises(ApplicationError) as exc:
        payment_record(
            creditor=creditor, debt=debt, amount=Decimal("1.00"), currency=debt.currency,
            paid_at=datetime.datetime(1900, 1, 1, 10, tzinfo=datetime.UTC), method="cash",
            reference="OLD", source="api",
        )  # fmt: skip
    assert exc.value.field == "paid_at"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_a_contact_cannot_be_logged_as_having_happened_in_1900(creditor, collector):
    debt = DebtFactory(creditor=creditor, assigned_to=collector)
    now = datetime.datetime(2026, 12, 4, 10, tzinfo=BOGOTA)  # a Friday morning
    with pytest.raises(ApplicationError) as exc:
        interaction_log(
            user=collector, debt=debt, channel="inbound_call", outcome="no_answer",
            as_of=now.date(), now=now,
            occurred_at=datetime.datetime(1900, 1, 1, 10, tzinfo=BOGOTA),
        )  # fmt: skip
    assert exc.value.field == "occurred_at"


def test_the_form_field_names_the_window_of_its_kind():
    field = BusinessDateFormField(kind="promised_date")
    today = business_today()
    assert field.clean((today + datetime.timedelta(days=7)).isoformat())
    for outside in ("2001-01-05", (today + datetime.timedelta(days=61)).isoformat()):
        with pytest.raises(ValidationError) as exc:
            field.clean(outside)
        assert "Enter a date between" in exc.value.messages[0]
