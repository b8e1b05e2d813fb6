"""/api/v1/interactions/: scoped list, create with side effects, refusals are 400s."""

import datetime

import pytest
from django.utils import timezone

from collections_app.models import Interaction
from portfolio.models import Task
from tests.collections_app.workspace_helpers import DAY_ZONE, NIGHT_ZONE
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]
URL = "/api/v1/interactions/"


def make_debt(creditor, collector, tz=None):
    debtor = DebtorFactory(creditor=creditor, timezone=tz or DAY_ZONE)
    ContactPointFactory(debtor=debtor, channel="voice", value=f"+57310{debtor.pk:07d}")
    return DebtFactory(creditor=creditor, debtor=debtor, assigned_to=collector)


def test_create_and_list_scoped(api_client, creditor, collector, other_collector):
    mine = make_debt(creditor, collector)
    theirs = make_debt(creditor, other_collector)
    Interaction.objects.create(
        debt=theirs,
        debtor=theirs.debtor,
        channel="sms",
        outcome="no_answer",
        occurred_at=timezone.now(),
    )
    api_client.force_authenticate(collector)
    at = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    response = api_client.post(
        URL,
        {"debt": mine.pk, "channel": "call", "outcome": "callback_requested", "callback_at": at},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["task"] == Task.objects.get(debt=mine).pk
    listed = api_client.get(URL).json()
    assert [r["debt"] for r in listed["results"]] == [mine.pk]
    assert api_client.get(URL, {"debt": theirs.pk}).json()["results"] == []


def test_refusals_are_400_and_write_nothing(api_client, creditor, collector, other_collector):
    night = make_debt(creditor, collector, tz=NIGHT_ZONE)
    theirs = make_debt(creditor, other_collector)
    api_client.force_authenticate(collector)
    response = api_client.post(
        URL, {"debt": night.pk, "channel": "call", "outcome": "no_answer"}, format="json"
    )
    assert response.status_code == 400 and "CO-WINDOW" in response.content.decode()
    response = api_client.post(
        URL, {"debt": theirs.pk, "channel": "call", "outcome": "no_answer"}, format="json"
    )
    assert response.status_code == 400
    assert not Interaction.objects.exists()


def test_a_visit_to_a_colombian_debtor_is_a_400_naming_co_visit(api_client, creditor, collector):
    debt = make_debt(creditor, collector)
    api_client.force_authenticate(collector)
    response = api_client.post(
        URL, {"debt": debt.pk, "channel": "visit", "outcome": "no_answer"}, format="json"
    )
    assert response.status_code == 400 and "CO-VISIT" in response.content.decode()
    assert not Interaction.objects.exists()
