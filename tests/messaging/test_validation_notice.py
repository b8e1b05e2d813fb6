"""US validation notice (Reg F 12 CFR 1006.34): planned by the cycle as the first contact of a
US debt in collection, sent before any other collection message, recorded on the debt; its
text itemizes the debt and says until when and how to dispute. CO and MX debts are unaffected."""

import datetime
from decimal import Decimal

import pytest

from collections_app.services.cycle import cycle_run_date
from core.formatting import format_date, locale_for
from core.money import format_money
from messaging.models import ContactAction, Message
from messaging.services import sending
from messaging.services.compliance import Contact, compliance_check
from messaging.services.dispatch import messages_dispatch_date
from messaging.services.templates import templates_ensure_defaults
from messaging.services.us_debts import validation_period_end
from portfolio.models import Debt, Stage
from portfolio.services.holds import hold_open
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DAY = datetime.date(2026, 12, 1)  # a Tuesday
NEXT = DAY + datetime.timedelta(days=1)
# Tuesday 1 December + 5 business days (2, 3, 4, 7, 8 December) + 30 days
PERIOD_END = datetime.date(2027, 1, 7)


@pytest.fixture(autouse=True)
def _templates():
    # The shipped defaults (post_migrate seeds them; a reused test database may predate these).
    templates_ensure_defaults()
    sending._VERSIONS_CACHE["at"] = None


def _debt(creditor, *, country="US", region="NY", tz="America/New_York", language="en",
          currency="USD", email=True, stage=Stage.FRIENDLY_REMINDER):  # fmt: skip
    debtor = DebtorFactory(
        creditor=creditor, country=country, region=region, timezone=tz, language=language,
        address_line="10 Main St", city="New York", postal_code="10001",
    )  # fmt: skip
    if email:
        ContactPointFactory(debtor=debtor, channel="email", value=f"d{debtor.pk}@example.com")
    return DebtFactory(
        creditor=creditor, debtor=debtor, currency=currency, principal=Decimal("1000.00"),
        interest=Decimal("150.25"), fees=Decimal("35.00"), due_date=datetime.date(2026, 10, 1),
        stage=stage, stage_entered_on=DAY - datetime.timedelta(days=40),
    )  # fmt: skip


def _friendly(debt, day, channel="email"):
    return ContactAction.objects.create(
        debt=debt, business_date=day, stage=Stage.FRIENDLY_REMINDER, channel=channel,
        template_code="friendly",
    )  # fmt: skip


def _messages(debt):
    return Message.objects.filter(covered__debt=debt).order_by("id")


def test_the_validation_period_ends_30_days_after_the_assumed_receipt():
    assert validation_period_end(DAY) == PERIOD_END
    # Friday 20 November: 23, 24, 25, (26 Thanksgiving), 27, 30 November; + 30 days
    assert validation_period_end(datetime.date(2026, 11, 20)) == datetime.date(2026, 12, 30)


def test_the_cycle_plans_the_notice_first_and_collection_waits_until_it_is_sent():
    creditor = CreditorFactory(name="Liberty Card Services")
    debt = _debt(creditor)
    _friendly(debt, DAY)  # a reminder due the same day

    # when the cycle runs: the notice is planned, by e-mail (consented)
    cycle_run_date(business_date=DAY)
    notice = ContactAction.objects.get(debt=debt, template_code="validation_notice")
    assert (notice.channel, notice.business_date) == ("email", DAY)
    rows = {m.template: m for m in _messages(debt)}
    assert rows["validation_notice"].status == Message.Status.PLANNED
    assert rows["validation_notice"].purpose == "validation"
    # and no other collection message goes out before it
    others = [m for m in rows.values() if m.template != "validation_notice"]
    assert others and all(
        (m.status, m.suppression_rule) == ("suppressed", "US-VALIDATION") for m in others
    )
    # and the debt (61 days past due) waits in friendly reminders
    assert Debt.objects.get(pk=debt.pk).stage == Stage.FRIENDLY_REMINDER

    # when the day is dispatched (sandbox / locmem)
    counts = messages_dispatch_date(business_date=DAY)
    assert counts == {"sent": 1}
    debt.refresh_from_db()
    assert debt.validation_notice_sent_at is not None
    assert debt.validation_period_ends_on == PERIOD_END

    # then the next day collection flows, the notice is not planned again, and the debt moves
    # on, but not to pre-legal inside its validation period
    _friendly(debt, NEXT)
    cycle_run_date(business_date=NEXT)
    assert ContactAction.objects.filter(debt=debt, template_code="validation_notice").count() == 1
    following = list(_messages(debt).filter(business_date=NEXT).exclude(channel="voice"))
    assert following and all(m.status == Message.Status.PLANNED for m in following), [
        (m.template, m.channel, m.status, m.suppression_reason) for m in following
    ]
    assert all(m.purpose == "collection" for m in following)
    assert Debt.objects.get(pk=debt.pk).stage == Stage.FIRM_NOTICE
    # a second dispatch records nothing new
    first_sent = debt.validation_notice_sent_at
    messages_dispatch_date(business_date=NEXT)
    debt.refresh_from_db()
    assert debt.validation_notice_sent_at == first_sent


def test_without_a_consented_email_the_notice_goes_by_letter():
    debt = _debt(CreditorFactory(), email=False)
    cycle_run_date(business_date=DAY)
    notice = ContactAction.objects.get(debt=debt, template_code="validation_notice")
    assert notice.channel == "letter"


def test_a_held_or_current_us_debt_gets_no_notice():
    creditor = CreditorFactory()
    current = _debt(creditor, stage=Stage.CURRENT)
    Debt.objects.filter(pk=current.pk).update(due_date=DAY + datetime.timedelta(days=20))
    held = _debt(creditor)
    hold_open(debt=held, kind="dispute", reason="disputed by phone", source="manager")
    cycle_run_date(business_date=DAY)
    assert not ContactAction.objects.filter(template_code="validation_notice").exists()


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("en", ("validation period ends on", "dispute", "original creditor", "itemization")),
        ("es", ("periodo de validación termina el", "disputar", "acreedor original", "desglose")),
    ],
)
def test_the_notice_itemizes_the_debt_and_says_how_and_until_when_to_dispute(
    language, phrases, settings
):
    settings.CARTERA_DISPUTE_MAIL_ADDRESS = "Disputes, P.O. Box 77, Albany, NY 12201"
    creditor = CreditorFactory(name="Liberty Card Services")
    by_email = _debt(creditor, language=language)
    by_letter = _debt(creditor, language=language, email=False)
    cycle_run_date(business_date=DAY)
    messages_dispatch_date(business_date=DAY)
    locale = locale_for(language=language, country="US")
    for channel, debt in (("email", by_email), ("letter", by_letter)):
        sent = _messages(debt).get(template="validation_notice")
        assert sent.channel == channel
        assert sent.status in ("sent", "delivered"), sent.suppression_reason
        text = sent.subject + "\n" + sent.body
        for amount in ("1000.00", "150.25", "35.00", "1185.25"):
            assert format_money(Decimal(amount), "USD", locale) in text, (channel, amount)
        assert format_date(PERIOD_END, locale) in text
        assert format_date(datetime.date(2026, 10, 1), locale) in text  # the itemization date
        assert "P.O. Box 77" in text and "Liberty Card Services" in text
        for phrase in phrases:
            assert phrase in text.lower(), (channel, phrase)
        if channel == "email":
            assert "unsubscribe" in text.lower() or "date de baja" in text.lower()


@pytest.mark.parametrize(
    ("country", "tz", "currency"),
    [("CO", "America/Bogota", "COP"), ("MX", "America/Mexico_City", "MXN")],
)
def test_colombian_and_mexican_debts_are_unaffected(country, tz, currency):
    debt = _debt(CreditorFactory(), country=country, region="", tz=tz, language="es",
                 currency=currency)  # fmt: skip
    _friendly(debt, DAY)
    cycle_run_date(business_date=DAY)
    assert not ContactAction.objects.filter(template_code="validation_notice").exists()
    assert not _messages(debt).filter(suppression_rule="US-VALIDATION").exists()
    assert _messages(debt).filter(status="planned").exists()
    # 61 days past due: straight to pre-legal, no wait
    assert Debt.objects.get(pk=debt.pk).stage == Stage.PRE_LEGAL


def _contact(**fields):
    values = {
        "debtor_id": 1,
        "creditor_id": 1,
        "country": "US",
        "region": "NY",
        "timezone": "America/New_York",
        "channel": "email",
        "at": datetime.datetime(2026, 12, 1, 17, tzinfo=UTC),
        "stage": "friendly_reminder",
        "purpose": "collection",
        "consented": True,
        "holds": frozenset({"validation_pending"}),
    }
    values.update(fields)
    return Contact(**values)


@pytest.mark.parametrize(
    ("purpose", "allowed"),
    [("collection", False), ("validation", True), ("dispute", True), ("transactional", True)],
)
def test_us_validation_lets_only_the_notice_and_non_collection_messages_through(purpose, allowed):
    decision = compliance_check(contact=_contact(purpose=purpose), history=())
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "US-VALIDATION"
