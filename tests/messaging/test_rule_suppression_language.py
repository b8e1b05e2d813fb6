"""A message a contact rule stopped says why in the viewer's language, not the planner's."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from messaging.models import ContactAction, Message
from messaging.services.planning import messages_plan
from portfolio.models import Hold, Stage
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)  # a Tuesday, not a holiday in CO
BEFORE = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)

CONSENT_EN = (
    "Contact only through channels the debtor authorised: the debtor has not consented to E-mail."
)
CONSENT_ES = (
    "Contacto solo por los canales que el deudor autorizó: "
    "el deudor no ha autorizado el canal Correo electrónico."
)


def page_text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _planned_under(language, debtor):
    ContactAction.objects.create(
        debt=DebtFactory(creditor=debtor.creditor, debtor=debtor),
        business_date=DAY,
        stage=Stage.FRIENDLY_REMINDER,
        channel="email",
        template_code="friendly",
    )
    with translation.override(language):
        messages_plan(business_date=DAY, now=BEFORE)
    return Message.objects.get(debtor=debtor)


def _without_consent(creditor):
    debtor = DebtorFactory(creditor=creditor)
    ContactPointFactory(debtor=debtor, channel="email", consent_granted=False)
    return debtor


@pytest.mark.parametrize(
    ("written_in", "read_in", "shown", "not_shown"),
    [("es", "en", CONSENT_EN, CONSENT_ES), ("en", "es", CONSENT_ES, CONSENT_EN)],
)
def test_a_consent_suppression_reads_in_the_viewers_language(
    client, api_client, creditor, manager, written_in, read_in, shown, not_shown
):
    # Given a message the consent rule stopped while the planner ran in one language
    message = _planned_under(written_in, _without_consent(creditor))
    assert message.status == "suppressed"
    assert message.suppression_code == "compliance.no_consent"
    assert message.suppression_params == {"label": "CO-CHANNEL", "channel": "email"}
    # When a manager reads the outbox and the API in the other language
    client.force_login(manager)
    outbox = reverse("messaging:outbox") + f"?date={DAY.isoformat()}"
    text = page_text(client.get(outbox, HTTP_ACCEPT_LANGUAGE=read_in))
    api_client.force_authenticate(manager)
    data = api_client.get(f"/api/v1/messages/{message.pk}/", HTTP_ACCEPT_LANGUAGE=read_in).json()
    # Then both say why in the reader's language, the channel by its label
    # (the outbox cuts long reasons short: its start is enough to tell the language)
    assert shown[:60] in text
    assert not_shown[:60] not in text
    assert data["suppression_reason"] == f"CO-CHANNEL: {shown}"
    assert data["suppression_code"] == "compliance.no_consent"


def test_a_hold_suppression_shows_the_rules_label_in_the_viewers_language(creditor):
    # Given a debtor who asked to stop all contact, planned under Spanish
    debtor = DebtorFactory(creditor=creditor)
    ContactPointFactory(debtor=debtor, channel="email", value=f"d{debtor.pk}@example.com")
    Hold.objects.create(
        debtor=debtor, kind=Hold.Kind.CEASE_CONTACT, reason="x", source="manager",
        opened_at=timezone.now(),
    )  # fmt: skip
    message = _planned_under("es", debtor)
    assert (message.suppression_code, message.suppression_params) == (
        "compliance.rule",
        {"label": "ALL-CEASE"},
    )
    # Then it reads as the rule's label in each language
    with translation.override("en"):
        english = message.suppression_display
    with translation.override("es"):
        spanish = message.suppression_display
    assert english != spanish
    assert english.startswith("ALL-CEASE: ") and "ALL-CEASE" not in english[len("ALL-CEASE: ") :]
