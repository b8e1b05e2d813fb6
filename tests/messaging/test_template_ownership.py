"""Templates belong to a creditor: the shipped defaults are where every creditor starts, a
manager's edit reaches their creditor's debtors only, and nobody edits another creditor's text."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError
from messaging.models import MessageTemplate, MessageTemplateVersion
from messaging.services import sending
from messaging.services.sending import message_send
from messaging.services.templates import template_version_create
from portfolio.models import ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import CreditorFactory, DebtFactory, DebtorFactory
from tests.factories.users import CollectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db


# Tuesday 2026-12-01 10:00 in Bogotá: inside every window of the default rules.
AT = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)

SMS = ("A-PROPIO {{ first_name }}: debes {{ amount }} a {{ creditor_name }}. Paga en "
       "{{ portal_link }} o llama al {{ contact_phone }}. Responde STOP.")  # fmt: skip
SMS_B = SMS.replace("A-PROPIO", "B-PROPIO")


@pytest.fixture(autouse=True)
def _fresh_versions():
    # The sender caches the versions for 30 s per worker; each test reads what it wrote.
    sending._VERSIONS_CACHE["at"] = None
    yield
    sending._VERSIONS_CACHE["at"] = None


@pytest.fixture
def other_creditor(db):
    return CreditorFactory(code="cooperativa-sur", name="Cooperativa del Sur")


@pytest.fixture
def other_manager(db, other_creditor):
    return ManagerFactory(username="manager-b", creditors=[other_creditor])


def _default(code="friendly", channel="sms", language="es") -> MessageTemplate:
    return MessageTemplate.objects.get(creditor=None, code=code, channel=channel, language=language)


def _sms_to(creditor, *, language="es", name="Luz"):
    debtor = DebtorFactory(creditor=creditor, full_name=name, language=language)
    debt = DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")
    phone = f"+5730000{debtor.pk:05d}"
    ContactPoint.objects.create(debtor=debtor, channel="sms", value=phone, consent_granted=True)
    message = make_message(debt=debt, channel="sms", to=phone, language=language, planned_for=AT)
    assert message_send(message_id=message.id, simulate_at=AT).status == "sent"
    message.refresh_from_db()
    return message


def _own(creditor, code="friendly", channel="sms", language="es"):
    return MessageTemplate.objects.filter(
        creditor=creditor, code=code, channel=channel, language=language
    ).first()


# --- sending: the creditor's own text, else the default --------------------------------------


def test_a_managers_text_reaches_their_creditors_debtors_only(creditor, manager, other_creditor):
    # given manager A saves a version of the friendly SMS for creditor A
    default = _default()
    default_version = default.versions.get()
    version = template_version_create(
        template=default, user=manager, creditor=creditor, subject="", body=SMS
    )
    # then the default is untouched and creditor A has its own template
    assert version.template.creditor == creditor and version.number == 1
    assert default.versions.count() == 1
    # when each creditor's debtor gets the friendly SMS
    mine = _sms_to(creditor, name="Luz")
    theirs = _sms_to(other_creditor, name="Eva")
    # then A's debtor reads A's text, B's debtor the shipped default
    assert mine.body.startswith("A-PROPIO Luz") and mine.template_version == version
    assert "A-PROPIO" not in theirs.body and theirs.template_version == default_version


def test_each_creditor_sends_its_own_text_and_the_rest_fall_back_to_the_default(
    creditor, manager, other_creditor, other_manager
):
    third = CreditorFactory(code="tercero", name="Tercero")
    template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS
    )
    template_version_create(
        template=_default(), user=other_manager, creditor=other_creditor, subject="", body=SMS_B
    )
    assert _sms_to(creditor).body.startswith("A-PROPIO")
    assert _sms_to(other_creditor).body.startswith("B-PROPIO")
    assert _sms_to(third).template_version == _default().versions.get()


def test_the_debtors_language_comes_before_the_creditors_own_spanish_text(creditor, manager):
    template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS
    )
    english = _sms_to(creditor, language="en", name="Ann")
    assert english.template_version == _default(language="en").versions.get()


def test_an_inactive_own_template_falls_back_to_the_default(creditor, manager):
    template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS
    )
    MessageTemplate.objects.filter(creditor=creditor).update(is_active=False)
    assert _sms_to(creditor).template_version == _default().versions.get()


def test_messages_keep_the_version_they_were_sent_with(creditor, manager):
    before = _sms_to(creditor)
    template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS
    )
    sending._VERSIONS_CACHE["at"] = None
    after = _sms_to(creditor, name="Sol")
    before.refresh_from_db()
    assert before.template_version == _default().versions.get()
    assert after.template_version.template.creditor == creditor


# --- who may write what (service) ------------------------------------------------------------


def test_a_second_edit_adds_a_version_to_the_creditors_own_text(creditor, manager):
    first = template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS
    )
    # editing from the default again, or from the own template, lands in the same copy
    second = template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS + " 2"
    )
    third = template_version_create(
        template=first.template, user=manager, subject="", body=SMS + " 3"
    )
    assert first.template_id == second.template_id == third.template_id
    assert [v.number for v in (first, second, third)] == [1, 2, 3]
    assert MessageTemplate.objects.filter(creditor=creditor).count() == 1


def test_a_manager_cannot_write_another_creditors_text(
    creditor, manager, other_creditor, other_manager
):
    theirs = template_version_create(
        template=_default(), user=other_manager, creditor=other_creditor, subject="", body=SMS_B
    ).template
    with pytest.raises(ApplicationError):
        template_version_create(template=theirs, user=manager, subject="", body=SMS)
    with pytest.raises(ApplicationError):
        template_version_create(
            template=_default(), user=manager, creditor=other_creditor, subject="", body=SMS
        )
    with pytest.raises(ApplicationError):  # an own template is never saved for another owner
        template_version_create(
            template=theirs, user=manager, creditor=creditor, subject="", body=SMS
        )
    assert theirs.versions.count() == 1 and _own(creditor) is None
    assert _default().versions.count() == 1


def test_only_an_admin_changes_the_shipped_default(creditor, manager, admin_user):
    with pytest.raises(ApplicationError) as excinfo:
        template_version_create(template=_default(), user=manager, subject="", body=SMS)
    assert excinfo.value.field == "creditor" and _default().versions.count() == 1
    version = template_version_create(template=_default(), user=admin_user, subject="", body=SMS)
    assert version.template == _default() and version.number == 2
    assert _sms_to(creditor).template_version == version  # no own text: the new default


def test_a_collector_writes_no_template(creditor):
    collector = CollectorFactory(username="gestor")
    for kwargs in ({}, {"creditor": creditor}):
        with pytest.raises(ApplicationError):
            template_version_create(
                template=_default(), user=collector, subject="", body=SMS, **kwargs
            )
    assert MessageTemplateVersion.objects.filter(author=collector).count() == 0


# --- the pages -------------------------------------------------------------------------------


def _edit_url(template, **query):
    url = reverse("messaging:template-edit", args=[template.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_a_manager_edits_a_default_for_their_creditor_through_the_page(
    client, creditor, manager, other_creditor
):
    client.force_login(manager)
    default = _default()
    page = client.get(_edit_url(default, creditor=creditor.pk))
    assert page.status_code == 200
    response = client.post(
        _edit_url(default), {"creditor": creditor.pk, "subject": "", "body": SMS}
    )
    own = _own(creditor)
    assert response.status_code == 302 and response.url == _edit_url(own)
    assert default.versions.count() == 1 and own.versions.get().author == manager
    # the default page for that creditor now opens the creditor's own text
    again = client.get(_edit_url(default, creditor=creditor.pk))
    assert again.status_code == 302 and again.url == _edit_url(own)
    # the list shows the creditor's own text in place of the default
    listing = client.get(reverse("messaging:template-list"), {"code": "friendly"}).content
    assert f'href="{_edit_url(own)}"'.encode() in listing
    assert f'href="{_edit_url(default)}?'.encode() not in listing


def test_a_manager_cannot_save_the_shipped_default_through_the_page(client, creditor, manager):
    client.force_login(manager)
    response = client.post(_edit_url(_default()), {"subject": "", "body": SMS})
    assert response.status_code == 200 and response.context["form"].errors["creditor"]
    assert _default().versions.count() == 1 and _own(creditor) is None


def test_a_manager_neither_sees_nor_edits_another_creditors_text(
    client, creditor, manager, other_creditor, other_manager
):
    theirs = template_version_create(
        template=_default(), user=other_manager, creditor=other_creditor, subject="", body=SMS_B
    ).template
    client.force_login(manager)
    # the other creditor's own template: not found, whatever the method
    assert client.get(_edit_url(theirs)).status_code == 404
    assert client.post(_edit_url(theirs), {"subject": "", "body": SMS}).status_code == 404
    preview = client.post(
        reverse("messaging:template-preview", args=[theirs.pk]), {"subject": "", "body": SMS}
    )
    assert preview.status_code == 404
    # saving a default for a creditor the manager does not manage is refused on the form
    refused = client.post(
        _edit_url(_default()), {"creditor": other_creditor.pk, "subject": "", "body": SMS}
    )
    assert refused.status_code == 200 and refused.context["form"].errors["creditor"]
    # the list never shows the other creditor's text, even when asked for it
    listing = client.get(reverse("messaging:template-list"), {"creditor": other_creditor.pk})
    assert listing.status_code == 200 and listing.context["form"].errors["creditor"]
    assert b"B-PROPIO" not in listing.content
    assert theirs.pk not in [t.pk for t in listing.context["page"].object_list]
    assert theirs.versions.count() == 1 and _own(creditor) is None


def test_a_manager_of_several_creditors_picks_which_one(client, creditor, other_creditor):
    both = ManagerFactory(username="manager-ab", creditors=[creditor, other_creditor])
    client.force_login(both)
    page = client.get(_edit_url(_default()))
    choices = {c for c, _label in page.context["form"].fields["creditor"].choices}
    assert {creditor.pk, other_creditor.pk} <= {getattr(c, "value", c) for c in choices}
    client.post(_edit_url(_default()), {"creditor": other_creditor.pk, "subject": "", "body": SMS})
    assert _own(other_creditor).versions.count() == 1 and _own(creditor) is None
    listing = client.get(reverse("messaging:template-list"), {"creditor": creditor.pk})
    assert all(t.creditor_id is None for t in listing.context["page"].object_list)


def test_a_collector_is_refused_the_template_pages(client, creditor):
    client.force_login(CollectorFactory(username="gestor"))
    default = _default()
    assert client.get(reverse("messaging:template-list")).status_code == 403
    assert client.get(_edit_url(default)).status_code == 403
    posted = client.post(_edit_url(default), {"creditor": creditor.pk, "subject": "", "body": SMS})
    assert posted.status_code == 403 and default.versions.count() == 1 and _own(creditor) is None


def test_an_admin_edits_the_default_and_any_creditors_text(client, admin_user, creditor, manager):
    own = template_version_create(
        template=_default(), user=manager, creditor=creditor, subject="", body=SMS
    ).template
    client.force_login(admin_user)
    response = client.post(_edit_url(_default()), {"creditor": "", "subject": "", "body": SMS_B})
    assert response.status_code == 302 and _default().versions.count() == 2
    assert client.post(_edit_url(own), {"subject": "", "body": SMS + "!"}).status_code == 302
    assert own.versions.count() == 2


# --- existing data ---------------------------------------------------------------------------


def test_the_migration_makes_existing_templates_the_defaults_and_keeps_sent_messages(
    schema_migrator,
):
    # given templates and a sent message from before templates had a creditor
    old = schema_migrator.migrate([("messaging", "0002_contact_action_in_messaging")]).apps
    Template = old.get_model("messaging", "MessageTemplate")
    template, _made = Template.objects.get_or_create(code="legacy", channel="sms", language="es")
    version = old.get_model("messaging", "MessageTemplateVersion").objects.create(
        template=template, number=1, body="texto"
    )
    creditor = old.get_model("portfolio", "Creditor").objects.create(code="antes", name="Antes")
    debtor = old.get_model("portfolio", "Debtor").objects.create(
        creditor=creditor, debtor_ref="D1", document_type="CC", document_number="123",
        full_name="Ana Antes", country="CO", timezone="America/Bogota",
    )  # fmt: skip
    message = old.get_model("messaging", "Message").objects.create(
        creditor_id=creditor.pk,
        debtor_id=debtor.pk,
        channel="sms",
        template="legacy",
        stage="friendly_reminder",
        language="es",
        business_date=datetime.date(2026, 12, 1),
        to="+573001112233",
        planned_for=timezone.now(),
        idempotency_key="test:legacy",
        template_version_id=version.pk,
    )

    # when the migration that gives templates a creditor runs
    new = schema_migrator.migrate([("messaging", "0003_message_template_creditor")]).apps

    # then the old template is a default, with its version, and the message keeps its version
    migrated = new.get_model("messaging", "MessageTemplate").objects.get(code="legacy")
    assert migrated.creditor_id is None and migrated.versions.get().pk == version.pk
    assert new.get_model("messaging", "Message").objects.get(pk=message.pk).template_version_id == (
        version.pk
    )
    # and a creditor can now have its own text in the same slot
    new.get_model("messaging", "MessageTemplate").objects.create(
        creditor_id=creditor.pk, code="legacy", channel="sms", language="es"
    )


def test_the_admin_site_neither_rewrites_a_version_nor_moves_a_template(client, admin_user):
    default = _default()
    version = default.versions.get()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:messaging_messagetemplate_changelist"))
    assert listing.status_code == 200
    template_page = client.get(
        reverse("admin:messaging_messagetemplate_change", args=[default.pk])
    ).content.decode()
    version_page = client.get(
        reverse("admin:messaging_messagetemplateversion_change", args=[version.pk])
    ).content.decode()
    assert 'name="creditor"' not in template_page and 'name="code"' not in template_page
    assert 'name="body"' not in version_page and 'name="is_active"' in version_page
    assert client.get(reverse("admin:messaging_messagetemplate_add")).status_code == 403
    assert client.get(reverse("admin:messaging_messagetemplateversion_add")).status_code == 403
