"""Logging a contact from the case page: the confirmation comes back inside the swapped panel
with every panel the contact changed (and no message left behind for a later page); "save and
next" opens the next case of the queue; each outcome asks for its own fields only."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import PromiseToPay
from collections_app.forms import OUTCOME_FIELDS, OUTCOME_KEYS, InteractionForm
from collections_app.models import Interaction
from core.dates import business_today
from portfolio.models import Hold, Task
from tests.collections_app.workspace_helpers import callable_debt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contact_hours")]


def make_debt(creditor, collector, ref, balance="1000000"):
    return callable_debt(creditor, ref, balance, collector=collector)


def log(client, debt, *, htmx=True, language="es", **data):
    data.setdefault("channel", "call")
    extra = {"HTTP_ACCEPT_LANGUAGE": language}
    if htmx:
        extra["HTTP_HX_REQUEST"] = "true"
    return client.post(reverse("collections:interaction-new", args=[debt.pk]), data, **extra)


def oob_ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"[^>]*hx-swap-oob="true"', html))


def test_a_promise_is_confirmed_in_the_panel_and_every_panel_it_touched_is_refreshed(
    client, creditor, collector
):
    debt = make_debt(creditor, collector, "OBL-1")
    client.force_login(collector)
    when = business_today() + datetime.timedelta(days=3)

    # when the collector logs a call with a promise from the case page (htmx)
    response = log(
        client, debt, outcome="promise_to_pay", promise_amount="250000", promise_date=when
    )

    # then the swapped panel itself says what was recorded
    html = response.content.decode()
    assert response.status_code == 200
    confirmation = html[html.index('data-testid="log-confirmation"') :]
    assert confirmation.index("Gestión registrada: Llamada saliente · Promesa de pago.") < 200
    assert "Promesa de pago de $250.000,00" in confirmation[:400]
    # and the header, the timeline, the escalation and the agreements panels come with it,
    # out of band, already showing the promise
    assert oob_ids(html) == {
        "debt-header",
        "debt-panel-collections-timeline",
        "debt-panel-collections-escalation",
        "debt-panel-agreements",
    }
    agreements = html[html.index('id="debt-panel-agreements"') :]
    assert "$250.000,00" in agreements and "Pendiente" in agreements
    header = html[html.index('id="debt-header"') : html.index('id="debt-panel-')]
    assert "Promesa: $250.000,00" in header and "Última gestión:" in header
    assert PromiseToPay.objects.get(debt=debt).amount == Decimal("250000.00")


def test_a_contact_logged_over_htmx_leaves_no_message_for_a_later_page(client, creditor, collector):
    # given a contact logged on one case (htmx)
    debt = make_debt(creditor, collector, "OBL-1")
    other = make_debt(creditor, collector, "OBL-2")
    client.force_login(collector)
    assert log(client, debt, outcome="no_answer", language="en").status_code == 200

    # when the collector opens another case
    page = client.get(reverse("portfolio:debt-detail", args=[other.pk]), HTTP_ACCEPT_LANGUAGE="en")

    # then no stale confirmation of the first one shows up on top of it
    html = page.content.decode()
    assert "Contact logged" not in html and 'class="messages"' not in html


def test_save_and_next_logs_and_opens_the_next_case_of_the_queue(client, creditor, collector):
    first = make_debt(creditor, collector, "OBL-BIG", "9000000")
    second = make_debt(creditor, collector, "OBL-SMALL", "1000000")
    client.force_login(collector)

    # when the collector logs "no answer" on the top case with "save and next" (htmx)
    response = log(client, first, outcome="no_answer", next="1")

    # then htmx is sent to the next case, which opens with the confirmation naming the first
    assert response["HX-Redirect"] == reverse("portfolio:debt-detail", args=[second.pk])
    assert Interaction.objects.get().debt_id == first.pk
    page = client.get(response["HX-Redirect"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "OBL-BIG" in page[page.index('class="messages"') :][:400]

    # and without htmx, the same from the next case: the queue is done after it
    response = log(client, second, htmx=False, language="en", outcome="no_answer", next="1")
    assert response.status_code == 302 and response.url == reverse("collections:queue")
    queue = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No cases left in your queue after this one." in queue


def test_a_value_left_in_a_field_the_outcome_hides_is_ignored(client, creditor, collector):
    # given a promise amount typed, then the outcome changed to "no answer"
    debt = make_debt(creditor, collector, "OBL-1")
    client.force_login(collector)

    response = log(client, debt, outcome="no_answer", promise_amount="abc", promise_date="x")

    # then the contact is logged as no answer, with no promise and no error
    assert 'data-testid="log-confirmation"' in response.content.decode()
    assert Interaction.objects.get().outcome == "no_answer"
    assert not PromiseToPay.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "promise_to_pay", "promise_date": "2030-01-01"}, "promise_amount",
         "A promise needs the amount."),
        ({"outcome": "callback_requested"}, "callback_at", "When should we call back?"),
        ({"outcome": "dispute", "note": "called"}, "dispute_reason",
         "Write what the debtor disputes."),
        ({}, "outcome", "Choose the outcome of the contact."),
    ],
)  # fmt: skip
def test_each_outcome_requires_its_own_fields(client, creditor, collector, data, field, message):
    debt = make_debt(creditor, collector, "OBL-1")
    client.force_login(collector)

    response = log(client, debt, language="en", **data)

    html = response.content.decode()
    assert message in html and 'data-testid="log-confirmation"' not in html
    assert not Interaction.objects.exists() and not Hold.objects.exists()
    assert response.context["form"].errors[field] == [message]


def test_a_promise_refused_by_the_service_shows_at_its_field(client, creditor, collector):
    debt = make_debt(creditor, collector, "OBL-1", "1000000")
    client.force_login(collector)
    when = business_today() + datetime.timedelta(days=3)

    response = log(
        client, debt, language="en", outcome="promise_to_pay", promise_amount="2000000",
        promise_date=when,
    )  # fmt: skip

    assert "over the balance" in response.context["form"].errors["promise_amount"][0]
    assert not Interaction.objects.exists()


def test_a_dispute_opens_its_hold_with_what_is_disputed(client, creditor, collector):
    debt = make_debt(creditor, collector, "OBL-1")
    client.force_login(collector)

    response = log(client, debt, outcome="dispute", dispute_reason="Ya pagué en octubre")

    hold = Hold.objects.get(debt=debt)
    assert (hold.kind, hold.reason) == ("dispute", "Ya pagué en octubre")
    assert Interaction.objects.get().note == "Ya pagué en octubre"
    html = response.content.decode()
    assert "Disputa abierta" in html
    # the escalation panel and the header come back showing the hold
    escalation = html[html.index('id="debt-panel-collections-escalation"') :]
    assert "Ya pagué en octubre" in escalation
    assert 'data-testid="hold-note"' in html[html.index('id="debt-header"') :]


def test_a_callback_is_confirmed_in_the_debtors_time(client, creditor, collector):
    debt = make_debt(creditor, collector, "OBL-1")
    client.force_login(collector)
    day = business_today() + datetime.timedelta(days=2)

    response = log(client, debt, language="en", outcome="callback_requested",
                   callback_at=f"{day}T18:00")  # fmt: skip

    assert Task.objects.get(debt=debt, kind="callback")
    assert "Callback scheduled for " in response.content.decode()
    assert f"{day:%m/%d/%Y} 18:00 (the debtor" in response.content.decode()


def test_the_form_offers_each_outcome_with_its_key_and_fields(creditor, collector):
    debt = make_debt(creditor, collector, "OBL-1")
    form = InteractionForm(debt=debt)

    # keys 1-8, every outcome once, "no answer" first
    assert [key for key, _o in OUTCOME_KEYS] == [str(n) for n in range(1, 9)]
    assert len({o for _k, o in OUTCOME_KEYS}) == len(Interaction.Outcome.values) == 8
    assert OUTCOME_KEYS[0][1] == "no_answer" and OUTCOME_FIELDS["no_answer"] == ()
    # the fields each outcome asks for (Colombia: no reason-for-non-payment question)
    fields = {field.name: outcomes.split() for field, outcomes in form.outcome_fields()}
    assert fields == {
        "promise_amount": ["promise_to_pay"],
        "promise_date": ["promise_to_pay"],
        "callback_at": ["callback_requested"],
        "dispute_reason": ["dispute"],
        "duration_minutes": ["right_party_contact", "refused", "promise_to_pay"],
    }
