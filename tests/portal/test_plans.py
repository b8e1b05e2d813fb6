"""Plans inside the self-service limits; beyond them, a call from a collector."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import PaymentAgreement
from portfolio.models import Task

pytestmark = pytest.mark.django_db


def _plan(client, debt, **data):
    return client.post(reverse("portal:plan", args=[debt.pk]), data)


def test_preview_shows_the_exact_schedule_without_writing(portal_client, debt):
    response = _plan(portal_client, debt, option="4", down_payment="234000.00")
    assert response.status_code == 200
    terms = response.context["terms"]
    assert [line.amount for line in terms.schedule] == [
        Decimal("234000.00"), Decimal("234000.00"), Decimal("234000.00"),
        Decimal("234000.00"), Decimal("234000.00"),
    ]  # fmt: skip
    assert sum(line.amount for line in terms.schedule) == debt.balance
    assert not PaymentAgreement.objects.exists()


def test_accepting_needs_the_tick(portal_client, debt):
    response = _plan(portal_client, debt, option="4", down_payment="234000.00", confirm="1")
    assert response.status_code == 200 and "accept" in response.context["form"].errors
    assert not PaymentAgreement.objects.exists()


def test_accepted_plan_is_active_and_proposed_through_the_portal(portal_client, debt):
    response = _plan(
        portal_client, debt, option="6", down_payment="234000.00", accept="on", confirm="1"
    )
    assert response.status_code == 302
    agreement = PaymentAgreement.objects.get()
    assert agreement.status == "active" and agreement.channel == "portal"
    assert agreement.proposed_by is None and agreement.instalment_count == 6
    debt.refresh_from_db()
    assert debt.stage == "current"  # restructured while the plan runs


def test_small_down_payment_is_beyond_the_limits(portal_client, debt):
    response = _plan(portal_client, debt, option="3", down_payment="1000.00")
    assert response.status_code == 200 and response.context["beyond"]
    assert "20%" in response.content.decode()
    assert not PaymentAgreement.objects.exists()
    call = portal_client.post(reverse("portal:plan-call", args=[debt.pk]))
    assert call.status_code == 302
    assert Task.objects.get(debt=debt).kind == "callback"


def test_more_instalments_than_allowed_offers_a_call(portal_client, debt):
    response = _plan(portal_client, debt, option="more", down_payment="")
    assert response.context["beyond"] and not PaymentAgreement.objects.exists()
    # An option that is not offered is a form error, never an agreement.
    response = _plan(portal_client, debt, option="12", down_payment="234000.00", accept="on",
                     confirm="1")  # fmt: skip
    assert response.status_code == 200 and not PaymentAgreement.objects.exists()


def test_settle_now_with_the_early_discount(portal_client, debt):
    response = _plan(portal_client, debt, option="settle", down_payment="")
    terms = response.context["terms"]
    assert terms.early_total == Decimal("1111500.00")  # 5% off 1,170,000
    response = _plan(portal_client, debt, option="settle", accept="on", confirm="1")
    assert response.status_code == 302
    from portal.models import PaymentIntent

    assert PaymentIntent.objects.get().amount == Decimal("1111500.00")
