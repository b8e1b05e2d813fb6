"""WhatsApp templates: an approved Twilio Content SID and its variables per version, sent
outside the 24-hour service window; free text inside it; the sandbox refusing free text outside
it (63016); the approval's transitions and who may move them; the planner skipping WhatsApp
without an approved template (WA-TEMPLATE) so the next allowed channel goes."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.exceptions import ApplicationError
from messaging.channels import PermanentChannelError
from messaging.channels.sandbox import SandboxBackend
from messaging.channels.twilio import TwilioBackend
from messaging.models import (
    ContactAction,
    Message,
    MessageTemplate,
    MessageTemplateVersion,
    SandboxDelivery,
    TemplateApprovalChange,
)
from messaging.rendering import Rendered
from messaging.services import sending
from messaging.services.context import message_context
from messaging.services.inbox import inbound_receive
from messaging.services.planning import messages_plan
from messaging.services.sending import message_send
from messaging.services.template_approval import (
    template_version_approval,
    template_version_provider_set,
)
from messaging.services.templates import template_version_create
from messaging.services.whatsapp import content_variables, provider_template_problems
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

SID = "HX0123456789abcdef0123456789abcdef"
PHONE = "+573001112233"
VARIABLES = {"1": "first_name", "2": "amount", "3": "portal_link"}


def _default_version(code="friendly", language="es") -> MessageTemplateVersion:
    return MessageTemplateVersion.objects.get(
        template__creditor__isnull=True,
        template__code=code,
        template__channel="whatsapp",
        template__language=language,
        is_active=True,
    )


def _approve(version, user, *, sid=SID, variables=VARIABLES):
    template_version_provider_set(
        version=version, user=user, provider_template_id=sid, provider_variables=variables
    )
    version = template_version_approval(version=version, user=user, action="approve")
    sending._VERSIONS_CACHE["at"] = None  # the worker's 30-second cache of versions
    return version


def _inbound(address, at):
    """A WhatsApp from `address` received at `at` (as Twilio's inbound callback stores it)."""
    inbound_receive(
        channel="whatsapp",
        address=f"whatsapp:{address}",
        body="Hola",
        provider="twilio",
        provider_message_id=f"SM{address}{at.timestamp()}",
        received_at=at,
    )


@pytest.fixture
def debt(creditor):
    creditor.contact_phone = "+57 601 555 0199"
    creditor.save()
    debtor = DebtorFactory(creditor=creditor, full_name="Ana María Pérez")
    ContactPointFactory(debtor=debtor, channel="whatsapp", value=PHONE)
    return DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")


@pytest.fixture(autouse=True)
def _fresh_versions():
    sending._VERSIONS_CACHE["at"] = None
    yield
    sending._VERSIONS_CACHE["at"] = None


# --- Twilio: ContentSid + ContentVariables, with a fake client -------------------------------


class FakeMessages:
    def __init__(self):
        self.calls = []

    def create(self, **kwargs):
        self.calls.append(kwargs)
        return type("Sent", (), {"sid": f"SM{len(self.calls):032d}"})()


class FakeClient:
    def __init__(self):
        self.messages = FakeMessages()


FAKE = FakeClient()


class FakeTwilioBackend(TwilioBackend):
    """Twilio's backend with a client that records the documented `messages.create` call."""

    def __init__(self):
        super().__init__(client=FAKE)


@pytest.fixture
def twilio(settings):
    settings.CARTERA_CHANNEL_BACKENDS = {
        **settings.CARTERA_CHANNEL_BACKENDS,
        "whatsapp": f"{__name__}.FakeTwilioBackend",
    }
    settings.TWILIO_WHATSAPP_FROM = "+14155238886"
    FAKE.messages.calls.clear()
    return FAKE.messages.calls


def test_twilio_sends_the_approved_template_outside_the_window(
    debt, admin_user, twilio, contact_hours
):
    # given the WhatsApp text approved with its Content SID, and no WhatsApp from the debtor
    _approve(_default_version(), admin_user)
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)

    # when it is sent
    outcome = message_send(message_id=message.id)

    # then Twilio was asked for the template, with its variables as a JSON string
    assert outcome.status == "sent"
    [call] = twilio
    assert "body" not in call
    assert call["content_sid"] == SID
    assert call["to"] == f"whatsapp:{PHONE}" and call["from_"] == "whatsapp:+14155238886"
    variables = json.loads(call["content_variables"])
    assert isinstance(call["content_variables"], str)
    assert variables["1"] == "Ana"
    assert variables["2"] == "$1.170.000,00"  # the balance in COP, as the text shows it
    assert variables["3"].startswith("http")
    message.refresh_from_db()
    assert message.provider_message_id.startswith("SM")


def test_twilio_sends_free_text_inside_the_service_window(debt, admin_user, twilio, contact_hours):
    # given an approved template, and a WhatsApp from the debtor three hours ago
    _approve(_default_version(), admin_user)
    _inbound(PHONE, contact_hours - datetime.timedelta(hours=3))
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)

    message_send(message_id=message.id)

    # then the text goes as Body (the conversation is open), not as the template
    [call] = twilio
    assert "content_sid" not in call and "content_variables" not in call
    assert call["body"].startswith("Ana, vemos un saldo pendiente de $1.170.000,00")


def test_a_window_older_than_24_hours_is_closed(debt, admin_user, twilio, contact_hours):
    _approve(_default_version(), admin_user)
    _inbound(PHONE, contact_hours - datetime.timedelta(hours=24, minutes=1))
    _inbound("+573009999999", contact_hours - datetime.timedelta(hours=1))  # someone else
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)
    message_send(message_id=message.id)
    [call] = twilio
    assert call["content_sid"] == SID


def test_outside_the_window_without_an_approved_template_nothing_is_sent(
    debt, twilio, contact_hours
):
    # given the shipped WhatsApp text, never approved
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)
    outcome = message_send(message_id=message.id)
    # then it is not handed to Twilio (63016 would fail it): cancelled, with the reason
    message.refresh_from_db()
    assert twilio == []
    assert outcome.status == "cancelled"
    assert message.suppression_rule == "WA-TEMPLATE"
    assert message.suppression_code == "message.whatsapp_no_template"
    assert "Content SID" in message.suppression_display


def test_a_batch_reads_the_windows_with_one_query(
    creditor, admin_user, twilio, contact_hours, django_assert_max_num_queries
):
    _approve(_default_version(), admin_user)
    ids = []
    for n in range(6):
        phone = f"+57300000000{n}"
        debtor = DebtorFactory(creditor=creditor)
        ContactPointFactory(debtor=debtor, channel="whatsapp", value=phone)
        if n % 2:
            _inbound(phone, contact_hours - datetime.timedelta(hours=n))
        debt = DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")
        ids.append(
            make_message(debt=debt, channel="whatsapp", to=phone, planned_for=contact_hours).id
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        outcomes = sending.messages_send(message_ids=ids)
    assert {o.status for o in outcomes.values()} == {"sent"}
    inbound = [q for q in queries.captured_queries if "messaging_inboundmessage" in q["sql"]]
    assert len(inbound) == 1
    sent = sorted(twilio, key=lambda call: call["to"])
    assert ["body" in call for call in sent] == [False, True] * 3


def test_a_replayed_days_windows_are_read_per_message_in_one_query(
    contact_hours, django_assert_num_queries
):
    from messaging.services.whatsapp import service_windows_open

    _inbound(PHONE, contact_hours)
    hour = datetime.timedelta(hours=1)
    contacts = [
        (PHONE, contact_hours + hour),  # an hour after the debtor wrote: open
        (PHONE, contact_hours + 25 * hour),  # a day and an hour after: closed
        (PHONE, contact_hours - hour),  # before the debtor wrote: closed
        ("+573009999999", contact_hours + hour),  # someone else: closed
    ]
    with django_assert_num_queries(1):
        assert service_windows_open(contacts=contacts) == {(PHONE, contact_hours + hour)}


# --- the sandbox behaves like the provider ---------------------------------------------------


def test_the_sandbox_refuses_free_text_outside_the_window_with_63016(debt, contact_hours):
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)
    [result] = SandboxBackend().send_many([(message, Rendered(subject="", body="Hola"))])
    assert isinstance(result, PermanentChannelError) and not result.transient
    assert "63016" in str(result)
    assert not SandboxDelivery.objects.exists()

    # inside the window the same text goes
    _inbound(PHONE, contact_hours - datetime.timedelta(minutes=5))
    [result] = SandboxBackend().send_many([(message, Rendered(subject="", body="Hola"))])
    assert result.provider == "sandbox"


def test_the_sandbox_records_a_templates_sid_and_variables(debt, admin_user, contact_hours):
    # given an approved template and a closed window, sent through the sandbox end to end
    _approve(_default_version(), admin_user)
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)
    assert message_send(message_id=message.id).status == "sent"
    delivery = SandboxDelivery.objects.get(message=message)
    assert delivery.content_sid == SID
    assert delivery.content_variables["1"] == "Ana"
    assert delivery.content_variables["2"] == "$1.170.000,00"


def test_a_message_failed_by_the_provider_with_63016_ends_failed(debt, contact_hours, monkeypatch):
    # given a sender that believes the window open while the provider sees it closed
    monkeypatch.setattr(
        sending.whatsapp,
        "service_windows_open",
        lambda *, contacts: {(address, at) for address, at in contacts},
    )
    message = make_message(debt=debt, channel="whatsapp", to=PHONE, planned_for=contact_hours)
    outcome = message_send(message_id=message.id)
    message.refresh_from_db()
    assert outcome.status == "failed" and "63016" in message.last_error


# --- rendering the template's variables ------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "language", "currency", "balance", "amount"),
    [
        ("CO", "es", "COP", Decimal("1234567.49"), "$1.234.567,49"),
        ("US", "en", "USD", Decimal("1234.5"), "$1,234.50"),
        ("MX", "es", "MXN", Decimal("99.9"), "$99.90"),
    ],
)
def test_a_whatsapp_template_renders_its_variables(
    creditor, country, language, currency, balance, amount
):
    debtor = DebtorFactory(creditor=creditor, country=country, language=language, full_name="Luz")
    debt = DebtFactory(
        creditor=creditor, debtor=debtor, currency=currency, principal=balance,
        interest=Decimal(0), fees=Decimal(0),
    )  # fmt: skip
    version = MessageTemplateVersion(
        provider_variables={"1": "first_name", "2": "amount", "3": "due_date", "4": "debt_count"}
    )
    context = message_context(
        debtor=debtor, creditor=creditor, debts=[debt], language=language,
        as_of=datetime.date(2026, 12, 1),
    )  # fmt: skip
    values = content_variables(version, context)
    assert values == {"1": "Luz", "2": amount, "3": context["due_date"], "4": "1"}
    assert all(isinstance(v, str) and v for v in values.values())


# --- validation: service, form, API ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sid", "variables", "field", "words"),
    [
        ("HX123", {}, "provider_template_id", "32 hexadecimal"),
        ("MG0123456789abcdef0123456789abcdef", {}, "provider_template_id", "HX"),
        ("HX0123456789abcdef0123456789abcdeg", {}, "provider_template_id", "hexadecimal"),
        (SID, {"1": "first_name", "3": "amount"}, "provider_variables", "1 to 2 without gaps"),
        (SID, {"0": "first_name"}, "provider_variables", "not a variable number"),
        (SID, {"one": "first_name"}, "provider_variables", "not a variable number"),
        (SID, {"1": "password"}, "provider_variables", "not a template variable"),
        (SID, {"1": "debts"}, "provider_variables", "not a template variable"),
        (SID, ["first_name"], "provider_variables", "must map numbers to names"),
    ],
)
def test_bad_provider_templates_are_refused_with_a_clear_error(sid, variables, field, words):
    errors = provider_template_problems(provider_template_id=sid, provider_variables=variables)
    assert field in errors
    assert words in " ".join(errors[field])


def test_a_texts_placeholders_are_suggested_in_order():
    from messaging.services.whatsapp import suggested_variables

    body = "{{ first_name }}, {{ amount|default:'-' }} {{ first_name }} {{ debts }} {{portal_link}}"
    assert suggested_variables(body) == {"1": "first_name", "2": "amount", "3": "portal_link"}


def test_a_valid_mapping_passes():
    assert provider_template_problems(provider_template_id=SID, provider_variables=VARIABLES) == {}
    assert provider_template_problems(provider_template_id="", provider_variables={}) == {}


def _manager_template(creditor, manager):
    default = MessageTemplate.objects.get(
        creditor__isnull=True, code="friendly", channel="whatsapp", language="es"
    )
    body = _default_version().body
    return template_version_create(
        template=default, user=manager, creditor=creditor, subject="", body=body
    )


def test_the_page_refuses_a_bad_mapping_and_saves_a_good_one(client, creditor, manager):
    version = _manager_template(creditor, manager)
    client.force_login(manager)
    url = reverse("messaging:template-provider", args=[version.template_id])

    bad = client.post(
        url, {"provider_template_id": "HX12", "provider_variables": "1 = first_name\n3 = amount"}
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "32 hexadecimal" in page
    version.refresh_from_db()
    assert version.provider_template_id == "" and version.provider_variables == {}

    unparsable = client.post(url, {"provider_template_id": SID, "provider_variables": "1 amount"})
    assert unparsable.status_code == 400 and "number = name" in unparsable.content.decode()

    good = client.post(
        url, {"provider_template_id": SID, "provider_variables": "1 = first_name\n2: amount"}
    )
    assert good.status_code == 302
    version.refresh_from_db()
    assert version.provider_template_id == SID
    assert version.provider_variables == {"1": "first_name", "2": "amount"}
    assert version.approval_status == "draft"

    # the approval is marked on the same page and shows on the list and the version page
    assert (
        client.post(
            reverse("messaging:template-approval", args=[version.template_id]),
            {"action": "approve", "note": "Meta OK"},
        ).status_code
        == 302
    )
    version.refresh_from_db()
    assert version.approval_status == "approved" and version.approval_changed_by == manager
    edit = client.get(reverse("messaging:template-edit", args=[version.template_id]))
    assert "Approved" in edit.content.decode() and SID in edit.content.decode()
    listing = client.get(reverse("messaging:template-list"), {"channel": "whatsapp"})
    assert 'data-testid="approval-status"' in listing.content.decode()
    assert "Approved" in listing.content.decode()


def test_the_page_shows_the_approval_in_spanish(client, creditor, manager):
    version = _manager_template(creditor, manager)
    client.force_login(manager)
    page = client.get(
        reverse("messaging:template-edit", args=[version.template_id]), HTTP_ACCEPT_LANGUAGE="es"
    )
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="es"' in html
    assert 'data-testid="provider-template"' in html
    # a draft: a manager may submit it, mark it approved or rejected, not pause it
    assert 'value="submit"' in html and 'value="approve"' in html
    assert 'value="pause"' not in html


def _api(api_client, user):
    token, _ = Token.objects.get_or_create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api_client


def test_the_api_sets_the_provider_template_and_moves_its_approval(api_client, creditor, manager):
    version = _manager_template(creditor, manager)
    client = _api(api_client, manager)
    base = f"/api/v1/message-template-versions/{version.pk}/"

    bad = client.post(
        base + "provider-template/",
        {"provider_template_id": "HXnope", "provider_variables": {"1": "first_name"}},
        format="json",
    )
    assert bad.status_code == 400
    assert "provider_template_id" in bad.json()
    gap = client.post(
        base + "provider-template/",
        {"provider_template_id": SID, "provider_variables": {"2": "amount"}},
        format="json",
    )
    assert gap.status_code == 400 and "without gaps" in str(gap.json()["provider_variables"])
    unknown = client.post(
        base + "provider-template/",
        {"provider_template_id": SID, "provider_variables": {"1": "secret"}},
        format="json",
    )
    assert unknown.status_code == 400 and "secret" in str(unknown.json())
    version.refresh_from_db()
    assert version.provider_template_id == ""

    ok = client.post(
        base + "provider-template/",
        {"provider_template_id": SID, "provider_variables": {"1": "first_name"}},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["provider_template_id"] == SID
    assert ok.json()["approval_status"] == "draft"
    submitted = client.post(base + "approval/", {"action": "submit"}, format="json")
    assert submitted.json()["approval_status"] == "pending"
    approved = client.post(base + "approval/", {"action": "approve"}, format="json")
    assert approved.status_code == 200
    row = approved.json()
    assert row["approval_status"] == "approved"
    assert row["approval_changed_by"] == "manager" and row["approval_changed_at"]
    # a move its status does not allow is a 400 that changes nothing
    again = client.post(base + "approval/", {"action": "submit"}, format="json")
    assert again.status_code == 400 and "action" in again.json()
    assert client.post(base + "approval/", {"action": "fly"}, format="json").status_code == 400
    listed = client.get("/api/v1/message-template-versions/", {"approval_status": "approved"})
    assert [r["id"] for r in listed.json()["results"]] == [version.pk]


def test_the_api_is_for_managers_of_the_creditor(api_client, creditor, manager, collector):
    version = _manager_template(creditor, manager)
    url = f"/api/v1/message-template-versions/{version.pk}/approval/"
    assert _api(api_client, collector).post(url, {"action": "approve"}).status_code == 403
    stranger = ManagerFactory(username="stranger")
    assert _api(api_client, stranger).post(url, {"action": "approve"}).status_code == 404
    default = _default_version()
    response = _api(api_client, manager).post(
        f"/api/v1/message-template-versions/{default.pk}/provider-template/",
        {"provider_template_id": SID, "provider_variables": {}},
        format="json",
    )
    assert response.status_code == 403  # the shipped default is the administrators'
    default.refresh_from_db()
    assert default.provider_template_id == ""


# --- approval transitions and who may move them ----------------------------------------------


def test_the_approval_moves_and_records_who_and_when(creditor, manager):
    version = _manager_template(creditor, manager)
    with pytest.raises(ApplicationError, match="Content SID first"):
        template_version_approval(version=version, user=manager, action="approve")
    version = template_version_provider_set(
        version=version, user=manager, provider_template_id=SID, provider_variables=VARIABLES
    )
    for action, status in (
        ("submit", "pending"),
        ("reject", "rejected"),
        ("submit", "pending"),
        ("approve", "approved"),
        ("pause", "paused"),
        ("approve", "approved"),
    ):
        version = template_version_approval(version=version, user=manager, action=action)
        assert version.approval_status == status
    with pytest.raises(ApplicationError, match="cannot be rejected"):
        template_version_approval(version=version, user=manager, action="reject")
    # changing the SID of an approved version sends it back to draft: the review was of the old
    other = "HX" + "f" * 32
    version = template_version_provider_set(
        version=version, user=manager, provider_template_id=other, provider_variables=VARIABLES
    )
    assert version.approval_status == "draft" and not version.provider_ready
    changes = list(
        TemplateApprovalChange.objects.filter(version=version).order_by("changed_at", "id")
    )
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("draft", "draft"),
        ("draft", "pending"),
        ("pending", "rejected"),
        ("rejected", "pending"),
        ("pending", "approved"),
        ("approved", "paused"),
        ("paused", "approved"),
        ("approved", "draft"),
    ]
    assert {c.changed_by for c in changes} == {manager}
    assert changes[-1].provider_template_id == other


def test_only_managers_of_the_creditor_and_admins_move_an_approval(
    creditor, manager, admin_user, collector
):
    version = _manager_template(creditor, manager)
    version = template_version_provider_set(
        version=version, user=manager, provider_template_id=SID, provider_variables={}
    )
    for user in (collector, ManagerFactory(username="elsewhere")):
        with pytest.raises(ApplicationError):
            template_version_approval(version=version, user=user, action="approve")
    version.refresh_from_db()
    assert version.approval_status == "draft"
    # the shipped default: administrators only
    default = _default_version()
    with pytest.raises(ApplicationError, match="administrators"):
        template_version_provider_set(
            version=default, user=manager, provider_template_id=SID, provider_variables={}
        )
    assert _approve(default, admin_user).approval_status == "approved"
    # not a WhatsApp text: no provider template
    sms = MessageTemplateVersion.objects.filter(
        template__channel="sms", template__creditor__isnull=True
    ).first()
    with pytest.raises(ApplicationError, match="Only WhatsApp"):
        template_version_provider_set(
            version=sms, user=admin_user, provider_template_id=SID, provider_variables={}
        )


def test_the_approval_status_is_protected():
    version = _default_version()
    with pytest.raises(AttributeError):
        version.approval_status = "approved"


# --- planning: no approved template, no WhatsApp; the next allowed channel goes -------------


def _debtor_with(creditor, channels, day):
    debtor = DebtorFactory(creditor=creditor)
    for channel in channels:
        ContactPointFactory(debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}")
    debt = DebtFactory(creditor=creditor, debtor=debtor, stage="firm_notice")
    for channel in channels:
        ContactAction.objects.create(
            debt=debt, business_date=day, stage="firm_notice", channel=channel,
            template_code="firm_notice",
        )  # fmt: skip
    return debtor


def test_whatsapp_without_an_approved_template_falls_back_to_the_next_channel(creditor, admin_user):
    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)
    # given a debtor reachable by WhatsApp and by phone (one channel a week in Colombia)
    first = _debtor_with(creditor, ("whatsapp", "voice"), day)

    # when the day is planned with the WhatsApp text not approved
    messages_plan(business_date=day, now=now)

    # then WhatsApp is skipped, saying why, and the call goes instead
    mine = {m.channel: m for m in Message.objects.filter(debtor=first)}
    skipped = mine["whatsapp"]
    assert (skipped.status, skipped.suppression_rule) == ("cancelled", "WA-TEMPLATE")
    assert skipped.suppression_code == "message.whatsapp_no_template"
    assert mine["voice"].status == "planned"

    # and once the text is approved, WhatsApp is planned and takes the week's channel
    _approve(_default_version("firm_notice"), admin_user)
    second = _debtor_with(creditor, ("whatsapp", "voice"), day)
    messages_plan(business_date=day, now=now)
    theirs = {m.channel: m for m in Message.objects.filter(debtor=second)}
    assert theirs["whatsapp"].status == "planned"
    assert theirs["voice"].status == "suppressed"


def test_the_case_page_shows_why_whatsapp_was_skipped(client, creditor, manager):
    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)
    debtor = _debtor_with(creditor, ("whatsapp", "voice"), day)
    messages_plan(business_date=day, now=now)
    client.force_login(manager)
    page = client.get(reverse("portfolio:debt-detail", args=[debtor.debts.get().pk]))
    assert "Twilio Content SID" in page.content.decode()
