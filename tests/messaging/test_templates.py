"""Templates: seeded defaults, sandboxed rendering, validation, versions, previews, letters."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError
from core.formatting import locale_for
from core.money import format_money
from messaging.models import LetterPrintBatch, MessageTemplate, MessageTemplateVersion
from messaging.rendering import TemplateRenderError, render_source
from messaging.services.default_texts import CHANNELS, default_text
from messaging.services.letters import letters_print_batch
from messaging.services.sending import message_send
from messaging.services.templates import template_version_create, templates_ensure_defaults
from tests.factories.messaging import make_message
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db


def test_every_code_and_channel_is_seeded_in_spanish_and_english_once():
    # post_migrate already ran the seed: running it again creates nothing
    assert templates_ensure_defaults() == 0
    expected = {(c, ch, lang) for c, chs in CHANNELS.items() for ch in chs for lang in ("es", "en")}
    assert set(MessageTemplate.objects.values_list("code", "channel", "language")) == expected
    for code in ("pre_due_reminder", "friendly", "firm_notice", "firm_weekly", "firm_call",
                 "pre_legal_notice", "pre_legal_call", "payment_thanks", "agreement_confirmation",
                 "instalment_reminder", "missed_instalment", "agreement_completed",
                 "agreement_broken"):  # fmt: skip
        assert any(c == code for c, _ch, _l in expected), code


def test_the_seed_writes_back_only_the_missing_defaults_with_their_shipped_text():
    # given two defaults deleted, and a third whose text an administrator edited
    gone = MessageTemplate.objects.filter(creditor__isnull=True).order_by("pk")[:2]
    keys = {(t.code, t.channel, t.language) for t in gone}
    MessageTemplate.objects.filter(pk__in=[t.pk for t in gone]).delete()
    edited = MessageTemplate.objects.filter(creditor__isnull=True).order_by("pk").first()
    MessageTemplateVersion.objects.create(template=edited, number=2, body="Edited {{ name }}")
    count = MessageTemplate.objects.count()

    # when the seed runs (as after every migrate), twice
    made, again = templates_ensure_defaults(), templates_ensure_defaults()

    # then the two come back with their shipped text as version 1, and nothing else changes
    assert (made, again) == (2, 0)
    assert MessageTemplate.objects.count() == count + 2
    for code, channel, language in keys:
        template = MessageTemplate.objects.get(
            creditor=None, code=code, channel=channel, language=language
        )
        (version,) = template.versions.all()
        subject, body = default_text(code, channel, language)
        assert (version.number, version.body, version.change_note) == (1, body, "default")
        assert version.subject == (subject if channel in ("email", "letter", "voice") else "")
    assert list(edited.versions.values_list("number", flat=True)) == [2, 1]


def test_no_default_threatens_legal_action_before_pre_legal():
    from messaging.models import MessageTemplateVersion

    for version in MessageTemplateVersion.objects.select_related("template"):
        text = (version.subject + version.body).lower()
        if not version.template.code.startswith("pre_legal"):
            for word in ("jurídic", "legal", "demanda", "lawsuit", "court", "embargo"):
                assert word not in text, (version.template, word)


@pytest.mark.parametrize(
    ("amount", "currency", "language", "country", "expected"),
    [
        ("1234567.49", "COP", "es", "CO", "$1.234.567,49"),
        ("1234567.50", "CLP", "es", "CO", "CLP\u00a01.234.568"),  # no cents: rounded half up
        ("1234.5", "MXN", "es", "MX", "$1,234.50"),
        ("1234.56", "USD", "en", "US", "$1,234.56"),
        ("0.99", "USD", "en", "US", "$0.99"),
        ("12", "PEN", "es", "CO", "PEN\u00a012,00"),
    ],
)
def test_money_is_formatted_for_the_debtor(amount, currency, language, country, expected):
    locale = locale_for(language=language, country=country)
    assert format_money(Decimal(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("country", "language", "currency", "amount", "due_date"),
    [
        ("CO", "es", "COP", "$1.170.000,00", "1 de octubre de 2026"),
        ("MX", "es", "MXN", "$1,170,000.00", "1 de octubre de 2026"),
        ("US", "en", "USD", "$1,170,000.00", "October 1, 2026"),
        ("MX", "en", "MXN", "MX$1,170,000.00", "October 1, 2026"),
    ],
)
def test_a_message_states_amounts_and_dates_in_the_debtors_locale(
    creditor, country, language, currency, amount, due_date
):
    from messaging.services.context import message_context

    debtor = DebtorFactory(creditor=creditor, country=country, language=language)
    debt = DebtFactory(creditor=creditor, debtor=debtor, currency=currency)
    context = message_context(
        debtor=debtor, creditor=creditor, debts=[debt], language=language,
        as_of=datetime.date(2026, 12, 1),
    )  # fmt: skip
    assert (context["amount"], context["debts"][0]["amount"]) == (amount, amount)
    assert context["due_date"] == due_date == context["debts"][0]["due_date"]


@pytest.mark.parametrize(
    "source",
    ['{% include "base.html" %}', '{% load static %}', "{% debug %}", '{% extends "x" %}',
     "{{ amount|no_such_filter }}", "{% if %}"],
)  # fmt: skip
def test_the_sandbox_refuses_file_access_and_broken_syntax(source):
    with pytest.raises(TemplateRenderError):
        render_source(source, {})


def test_email_html_is_autoescaped():
    from messaging.rendering import render_source as render

    assert (
        render("{{ first_name }}", {"first_name": "<b>x</b>"}, html=True) == "&lt;b&gt;x&lt;/b&gt;"
    )


def test_a_new_version_must_state_amount_creditor_payment_person_and_optout(admin_user):
    template = MessageTemplate.objects.get(code="friendly", channel="sms", language="es")
    with pytest.raises(ApplicationError) as excinfo:
        template_version_create(
            template=template, user=admin_user, subject="", body="Hola {{ first_name }}"
        )
    message = excinfo.value.message
    assert "{{ amount }}" in message and "{{ portal_link }}" in message and "STOP" in message
    with pytest.raises(ApplicationError):
        template_version_create(template=template, user=admin_user, subject="", body="{% if %}")
    body = ("{{ first_name }}: debes {{ amount }} a {{ creditor_name }}. Paga en {{ portal_link }}"
            " o llama al {{ contact_phone }}. Responde STOP para no recibir más.")  # fmt: skip
    version = template_version_create(template=template, user=admin_user, subject="", body=body)
    assert version.number == 2 and template.versions.count() == 2  # the old one is kept


def test_the_newest_version_is_the_one_sent(creditor, manager):
    debt = DebtFactory(creditor=creditor, debtor=DebtorFactory(creditor=creditor, full_name="Luz"))
    from portfolio.models import ContactPoint

    ContactPoint.objects.create(
        debtor=debt.debtor, channel="sms", value="+57300", consent_granted=True
    )
    template = MessageTemplate.objects.get(code="friendly", channel="sms", language="es")
    body = ("NUEVO {{ first_name }} {{ amount }} {{ creditor_name }} {{ portal_link }} "
            "{{ contact_phone }} Responde STOP")  # fmt: skip
    version = template_version_create(
        template=template, user=manager, creditor=creditor, subject="", body=body
    )
    message = make_message(
        debt=debt, channel="sms", to="+57300",
        planned_for=datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC),
    )  # fmt: skip
    from messaging.services import sending

    sending._VERSIONS_CACHE["at"] = None
    message_send(message_id=message.id, simulate_at=message.planned_for)
    message.refresh_from_db()
    assert message.body.startswith("NUEVO Luz") and message.template_version == version


def test_manager_edits_a_template_and_previews_it_against_a_real_debt(client, manager, creditor):
    debt = DebtFactory(creditor=creditor, stage="friendly_reminder")
    template = MessageTemplate.objects.get(code="friendly", channel="email", language="es")
    client.force_login(manager)
    url = reverse("messaging:template-edit", args=[template.pk])
    page = client.get(url, {"debt": debt.pk})
    assert page.status_code == 200 and debt.debtor.first_name in page.content.decode()
    preview = client.post(
        reverse("messaging:template-preview", args=[template.pk]),
        {"subject": "Hola", "body": "{{ first_name }} debe {{ amount }}", "debt": debt.pk},
    )
    text = preview.content.decode()
    assert "$1.170.000,00" in text and "{{ portal_link }}" in text  # rendered + what is missing
    bad = client.post(url, {"subject": "x", "body": "{{ amount|nope }}"})
    assert bad.status_code == 200 and template.versions.count() == 1
    current = template.versions.get()
    good = client.post(url, {"creditor": creditor.pk, "subject": current.subject,
                             "body": current.body + "\n\nP.D.",
                             "change_note": "posdata"})  # fmt: skip
    own = MessageTemplate.objects.get(creditor=creditor, code="friendly", channel="email",
                                      language="es")  # fmt: skip
    assert good.status_code == 302 and good.url == reverse("messaging:template-edit", args=[own.pk])
    assert own.versions.get().body.endswith("P.D.") and template.versions.count() == 1


def test_preview_refuses_a_debt_the_manager_may_not_see(client, manager):
    other = DebtFactory()
    template = MessageTemplate.objects.get(code="friendly", channel="email", language="es")
    client.force_login(manager)
    response = client.post(
        reverse("messaging:template-preview", args=[template.pk]),
        {"subject": "x", "body": "{{ amount }}", "debt": other.pk},
    )
    assert other.debtor.full_name not in response.content.decode()


def test_letters_are_batched_into_one_print_file(creditor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    day = datetime.date(2026, 12, 1)
    at = datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC)
    for _n in range(3):
        debtor = DebtorFactory(creditor=creditor, address_line="Calle 1 # 2-3")
        debt = DebtFactory(creditor=creditor, debtor=debtor, stage="firm_notice")
        message = make_message(debt=debt, channel="letter", to="Calle 1", template="firm_notice",
                               stage="firm_notice", planned_for=at)  # fmt: skip
        assert message_send(message_id=message.id, simulate_at=at).status == "sent"
    batch = letters_print_batch(business_date=day)
    again = letters_print_batch(business_date=day)
    assert batch.letters == 3 and LetterPrintBatch.objects.count() == 1
    assert again.file.read(4) == b"%PDF"
    assert len(list((tmp_path / "letters" / "2026-12-01").glob("*.pdf"))) == 3
