"""Why a message was stopped is shown in the viewer's language, whoever's language wrote it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from collections_app.services.cycle import cycle_run_date
from messaging.models import Message
from tests.factories.portfolio import DebtFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 1)
NO_ADDRESS_EN = "no contact point for this channel"
NO_ADDRESS_ES = "no hay dato de contacto para este canal"


def page_text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def cancelled_for_no_address(*, language, creditor, collector):
    # A debtor with no contact point: the cycle's messages are cancelled, NO-ADDRESS
    debt = DebtFactory(
        creditor=creditor, assigned_to=collector, due_date=AS_OF - datetime.timedelta(days=20)
    )
    with translation.override(language):
        cycle_run_date(business_date=AS_OF)
    messages = Message.objects.filter(debtor=debt.debtor, suppression_rule="NO-ADDRESS")
    assert messages.exists()
    return debt, messages


@pytest.mark.parametrize(
    ("written_in", "read_in", "shown", "not_shown"),
    [("es", "en", NO_ADDRESS_EN, NO_ADDRESS_ES), ("en", "es", NO_ADDRESS_ES, NO_ADDRESS_EN)],
)
def test_the_outbox_and_debt_page_show_suppressions_in_the_viewers_language(
    client, creditor, collector, manager, written_in, read_in, shown, not_shown
):
    # Given messages the cycle cancelled while running under one language
    debt, _messages = cancelled_for_no_address(
        language=written_in, creditor=creditor, collector=collector
    )
    client.force_login(manager)
    outbox = reverse("messaging:outbox") + f"?date={AS_OF.isoformat()}"
    for url in (outbox, reverse("portfolio:debt-detail", args=[debt.pk])):
        # When a manager reads the page in the other language
        text = page_text(client.get(url, HTTP_ACCEPT_LANGUAGE=read_in))
        # Then the reason is in the reader's language and templates show by name, not code
        assert shown in text, url
        assert not_shown not in text, url
        assert "firm_notice" not in text, url


def test_the_messages_api_gives_the_code_and_the_reason_in_the_request_language(
    api_client, creditor, collector, manager
):
    _debt, messages = cancelled_for_no_address(
        language="es", creditor=creditor, collector=collector
    )
    api_client.force_authenticate(manager)
    url = f"/api/v1/messages/{messages[0].pk}/"
    english = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    spanish = api_client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()
    assert english["suppression_code"] == spanish["suppression_code"] == "message.no_address"
    assert english["suppression_reason"] == f"NO-ADDRESS: {NO_ADDRESS_EN}"
    assert spanish["suppression_reason"] == f"NO-ADDRESS: {NO_ADDRESS_ES}"
