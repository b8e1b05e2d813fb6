"""Tomorrow's preview writes nothing; a payment that pays a debt off plans a thank-you."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from collections_app.models import CycleRun
from collections_app.services.payments import payment_record
from messaging.models import ContactAction, Message
from messaging.services.preview import tomorrow_preview
from portfolio.models import Debt, StageChange
from tests.factories.portfolio import ContactPointFactory, DebtFactory

pytestmark = pytest.mark.django_db


def test_tomorrow_preview_counts_what_would_be_planned_and_writes_nothing(creditor, manager):
    # given a debt that reaches the friendly stage tomorrow (DPD 1 on 2026-12-02, a Wednesday)
    debt = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 12, 1))
    ContactPointFactory(debtor=debt.debtor, channel="email")
    before = (Message.objects.count(), ContactAction.objects.count(), StageChange.objects.count())

    preview = tomorrow_preview(user=manager, business_date=datetime.date(2026, 12, 2))

    assert preview.total >= 1
    assert {"stage": "friendly_reminder", "n": 1} in preview.by_stage
    headings = [title for title, _rows in preview.breakdowns]
    assert headings == ["By stage", "By channel", "By template"]
    # each stage, channel and template by its name, not its code
    breakdowns = dict(preview.breakdowns)
    assert ("Friendly reminder", 1) in breakdowns["By stage"]
    assert ("E-mail", 1) in breakdowns["By channel"]
    assert ("Friendly reminder", 1) in breakdowns["By template"]
    assert preview.samples and "Banco Andino" in preview.samples[0]["rendered"].body
    after = (Message.objects.count(), ContactAction.objects.count(), StageChange.objects.count())
    assert after == before and not CycleRun.objects.exists()
    debt.refresh_from_db()
    assert debt.stage == "current"


@pytest.mark.parametrize(
    "language, stage, channel",
    [("en", "Friendly reminder", "E-mail"), ("es", "Recordatorio amable", "Correo electrónico")],
)
def test_tomorrow_page_renders_for_managers(client, manager, creditor, language, stage, channel):
    # on Monday 2026-11-30 (tomorrow a Tuesday, no holiday), a debt one day late tomorrow
    debt = DebtFactory(creditor=creditor, due_date=datetime.date(2026, 11, 30))
    ContactPointFactory(debtor=debt.debtor, channel="email")
    client.force_login(manager)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 15, tzinfo=datetime.UTC)):
        response = client.get(reverse("messaging:tomorrow"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    headings = {"en": ("By stage", "By channel", "By template"), "es": ("Por etapa",)}
    for heading in headings[language]:
        assert f"<h3>{heading}</h3>" in html
    # the counts name stages, channels and templates as people read them, not by their codes
    assert f"{stage}: <strong>1</strong>" in html
    assert f"{channel}: <strong>1</strong>" in html
    assert "friendly_reminder" not in html


def test_paying_off_a_debt_plans_a_thank_you(creditor, manager, django_capture_on_commit_callbacks):
    debt = DebtFactory(creditor=creditor, stage="friendly_reminder")
    ContactPointFactory(debtor=debt.debtor, channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            creditor=creditor, debt=debt, amount=debt.balance, currency="COP",
            paid_at=timezone.now(), method="pse", reference="R-1", source="manual", user=manager,
        )  # fmt: skip
    assert Debt.objects.get(pk=debt.pk).stage == "paid"
    action = ContactAction.objects.get(template_code="payment_thanks")
    assert action.channel == "email"
    message = Message.objects.get(template="payment_thanks")
    assert message.purpose == "transactional" and message.stage == "paid"
    assert message.status in ("planned", "suppressed")
    assert Decimal(0) == Debt.objects.get(pk=debt.pk).balance


def test_a_payments_file_that_pays_debts_off_plans_thank_yous(
    creditor, tmp_path, settings, django_capture_on_commit_callbacks
):
    from imports.models import ImportBatch
    from imports.services.payments_file import payments_import_run
    from imports.services.portfolio_file import import_batch_create

    settings.MEDIA_ROOT = tmp_path / "media"
    paid = DebtFactory(creditor=creditor, debt_ref="OBL-T1", stage="friendly_reminder")
    ContactPointFactory(debtor=paid.debtor, channel="sms", value="+573001234567")
    partly = DebtFactory(creditor=creditor, debt_ref="OBL-T2", stage="friendly_reminder")
    ContactPointFactory(debtor=partly.debtor, channel="email")
    path = tmp_path / "pagos.csv"
    path.write_text(
        "debt_ref,amount,currency,paid_at,method,reference\n"
        f"OBL-T1,{paid.balance},COP,2026-11-30T10:00:00-05:00,pse,F-1\n"
        "OBL-T2,1000.00,COP,2026-11-30T10:00:00-05:00,pse,F-2\n"
    )
    batch = import_batch_create(kind=ImportBatch.Kind.PAYMENTS, creditor=creditor, path=path)
    with django_capture_on_commit_callbacks(execute=True):
        payments_import_run(batch=batch)
    actions = ContactAction.objects.filter(template_code="payment_thanks")
    assert [(a.debt_id, a.channel, a.stage) for a in actions] == [(paid.id, "sms", "paid")]
    assert Message.objects.filter(template="payment_thanks", debtor=paid.debtor).count() == 1
