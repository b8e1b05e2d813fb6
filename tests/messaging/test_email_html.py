"""E-mail HTML is sanitised by an allow-list whatever the template holds, and the template
sandbox refuses, at save time, every tag or filter that reaches files, URLs, debug output or
turns escaping off."""

import datetime

import pytest
from django.core import mail
from django.template import TemplateSyntaxError
from django.urls import reverse

from core.exceptions import ApplicationError
from messaging.models import MessageTemplate, MessageTemplateVersion
from messaging.rendering import HTML_ENGINE, Rendered, TemplateRenderError, render_source
from messaging.services import sending
from messaging.services.sending import message_send
from messaging.services.templates import template_version_create
from portfolio.models import ContactPoint
from tests.factories.messaging import make_message
from tests.factories.portfolio import DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db


AT = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)

HOSTILE = """<p>Hola <strong>{{ full_name }}</strong>, debes <em>{{ amount }}</em>.</p>
<script>alert("x")</script><style>p { display: none }</style>
<iframe src="https://evil.example/frame">marco</iframe>
<p onclick="steal()" onmouseover="steal()">Paga en
<a href="{{ portal_link }}" onclick="x()">el portal</a>
o <a href="javascript:alert(1)">aquí</a> o <a href="JaVaScRiPt:alert(2)">allá</a>
o <a href="mailto:pagos@banco.example">escríbenos</a>.</p>
<img src="x" onerror="steal()"><form action="https://evil.example"><input name="card"></form>
<ul><li>Uno</li><li>Dos</li></ul>
<table><tr><th>Ref</th><td colspan="2" style="color:red">{{ debt_refs }}</td></tr></table>
{{ creditor_name }} · {{ contact_phone }} · {{ optout_link }}"""

DANGEROUS = ("<script", "alert(", "<style", "display: none", "<iframe", "evil.example",
             "onclick", "onmouseover", "onerror", "javascript:", "JaVaScRiPt", "<img", "<form",
             "<input", "steal()", "style=")  # fmt: skip


@pytest.fixture
def email_debt(creditor):
    debtor = DebtorFactory(creditor=creditor, full_name="Ana <b>Pérez</b>")
    ContactPoint.objects.create(
        debtor=debtor, channel="email", value="ana@example.com", consent_granted=True
    )
    return DebtFactory(creditor=creditor, debtor=debtor, stage="friendly_reminder")


def _send_email(debt):
    sending._VERSIONS_CACHE["at"] = None
    message = make_message(debt=debt, to="ana@example.com", planned_for=AT)
    assert message_send(message_id=message.id, simulate_at=AT).status == "sent"
    sending._VERSIONS_CACHE["at"] = None
    (html, mimetype), = mail.outbox[-1].alternatives  # fmt: skip
    assert mimetype == "text/html"
    return html


def test_the_html_of_a_sent_email_is_sanitised_whatever_the_template_holds(email_debt):
    # given a version stored without going through the editor (an old row, the database)
    template = MessageTemplate.objects.get(
        creditor=None, code="friendly", channel="email", language="es"
    )
    MessageTemplateVersion.objects.create(
        template=template, number=99, subject="Hola {{ first_name }}", body=HOSTILE
    )
    html = _send_email(email_debt)
    for needle in DANGEROUS:
        assert needle not in html, needle
    # the allowed formatting, the links and the debtor's (escaped) data survive
    assert "<strong>Ana &lt;b&gt;Pérez&lt;/b&gt;</strong>" in html
    assert "<em>$1.170.000,00</em>" in html
    assert '<a href="http://' in html and "/portal/l/" in html
    assert '<a href="mailto:pagos@banco.example"' in html
    assert "<ul><li>Uno</li><li>Dos</li></ul>" in html
    assert '<td colspan="2">' in html and "<th>Ref</th>" in html
    assert "Banco Andino" in html and "/unsubscribe/" in html


def test_the_default_emails_html_keeps_its_text(email_debt):
    html = _send_email(email_debt)
    assert html.startswith("<p>Hola Ana") and "Banco Andino" in html and "<br>" in html


def test_any_html_handed_to_a_channel_is_sanitised():
    rendered = Rendered(
        subject="s",
        body="b",
        html='<p onclick="x()">ok <script>bad()</script><a href="javascript:x">l</a></p>',
    )
    assert rendered.html == '<p>ok <a rel="noopener noreferrer">l</a></p>'


@pytest.mark.parametrize(
    ("source", "refused"),
    [
        ('{%  url "admin:index" %}', "{% url %}"),  # extra spaces fooled the old check
        ("{%debug%}", "{% debug %}"),
        ("{% autoescape off %}{{ first_name }}{% endautoescape %}", "{% autoescape %}"),
        ("{% csrf_token %}", "{% csrf_token %}"),
        ("{% load static %}", "{% load %}"),
        ('{% include "base.html" %}', "{% include %}"),
        ("{% querystring %}", "{% querystring %}"),
        ("{{ first_name|safe }}", "|safe"),
        ("{{ first_name | safe }}", "|safe"),
        ("{{ debts|safeseq }}", "|safeseq"),
        ("{% filter upper|safe %}{{ first_name }}{% endfilter %}", "|safe"),
        ("{% if first_name|safe %}x{% endif %}", "|safe"),
        ("{{ debts|pprint }}", "|pprint"),
    ],
)
def test_the_sandbox_refuses_what_reaches_urls_debug_output_or_unescaped_html(source, refused):
    with pytest.raises(TemplateRenderError) as excinfo:
        render_source(source, {"first_name": "<b>x</b>", "debts": []}, html=True)
    assert refused in str(excinfo.value) and "not allowed" in str(excinfo.value)


@pytest.mark.parametrize(
    "source", ['{% url "admin:index" %}', "{% debug %}", "{{ x|safe }}", "{% load i18n %}"]
)
def test_the_engine_itself_has_no_such_tag_or_filter(source):
    # not only the pre-check: the sandboxed engine does not know them at all
    with pytest.raises(TemplateSyntaxError):
        HTML_ENGINE.from_string(source)


def test_the_allowed_tags_and_filters_still_work():
    source = ("{% for d in debts %}{{ d.ref|upper }}{% if not forloop.last %}, {% endif %}"
              "{% empty %}-{% endfor %} {{ amount|default:'0' }} {% now 'Y' as y %}"
              "{% with n=debts|length %}{{ n }}{% endwith %}")  # fmt: skip
    context = {"debts": [{"ref": "a1"}, {"ref": "b2"}], "amount": ""}
    assert render_source(source, context, html=True) == "A1, B2 0 2"


def test_saving_a_version_with_a_forbidden_tag_is_refused_with_a_clear_error(
    client, manager, creditor
):
    template = MessageTemplate.objects.get(
        creditor=None, code="friendly", channel="email", language="es"
    )
    body = template.versions.get().body + "\n{{ first_name|safe }}"
    with pytest.raises(ApplicationError) as excinfo:
        template_version_create(
            template=template, user=manager, creditor=creditor, subject="x", body=body
        )
    assert excinfo.value.field == "body" and "|safe" in excinfo.value.message
    client.force_login(manager)
    response = client.post(
        reverse("messaging:template-edit", args=[template.pk]),
        {"creditor": creditor.pk, "subject": "x", "body": "{%  url 'admin:index' %}" + body},
    )
    errors = response.context["form"].errors["body"]
    assert response.status_code == 200 and any("{% url %}" in e for e in errors)
    assert not MessageTemplate.objects.filter(creditor=creditor).exists()
