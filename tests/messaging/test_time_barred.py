"""Time-barred US debts (Reg F 12 CFR 1006.26(b)): the state's limitation period as data, the
disclosure in every message, no legal-action wording at any stage, never escalated to legal."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from collections_app.services.policies import policy_ensure_defaults
from collections_app.services.transitions import debt_transition, legal_check
from core.exceptions import ApplicationError
from messaging.models import Message
from messaging.services import sending
from messaging.services.compliance import Contact, compliance_check
from messaging.services.compliance.rules import TIME_BARRED_DISCLOSURE
from messaging.services.sending import message_send
from portfolio.limitations import DEFAULT_YEARS, limitation_years, time_barred
from portfolio.models import Stage
from tests.factories.messaging import make_message
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory
from tests.factories.users import ManagerFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
AS_OF = datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("country", "region", "due", "barred"),
    [
        ("US", "NY", datetime.date(2023, 12, 1), False),  # 3 years: the last day to sue
        ("US", "NY", datetime.date(2023, 11, 30), True),
        ("US", "New York", datetime.date(2023, 11, 30), True),  # a state given by its name
        ("US", "TX", datetime.date(2023, 11, 30), False),  # 4 years
        ("US", "TX", datetime.date(2022, 11, 30), True),
        ("US", "RI", datetime.date(2017, 1, 1), False),  # 10 years
        ("US", "ZZ", datetime.date(2023, 11, 30), True),  # unknown: the shortest period
        ("US", "", datetime.date(2023, 12, 1), False),
        ("CO", "Antioquia", datetime.date(2001, 1, 1), False),  # not modelled outside the US
        ("MX", "Jalisco", datetime.date(2001, 1, 1), False),
    ],
)
def test_time_barred_per_state(country, region, due, barred):
    assert time_barred(country=country, region=region, due_date=due, as_of=AS_OF) is barred


def test_an_unknown_state_gets_the_shortest_period_of_the_table():
    assert DEFAULT_YEARS == 3
    assert limitation_years("") == limitation_years("Atlantis") == 3
    assert limitation_years("ca") == 4  # codes in any case


def _debt(creditor, *, language="en", due=datetime.date(2020, 1, 15), stage=Stage.FIRM_NOTICE):
    debtor = DebtorFactory(
        creditor=creditor, country="US", region="FL", timezone="America/New_York",
        language=language,
    )  # fmt: skip
    ContactPointFactory(debtor=debtor, channel="email", value=f"d{debtor.pk}@example.com")
    return DebtFactory(
        creditor=creditor, debtor=debtor, currency="USD", principal=Decimal("800.00"),
        interest=Decimal("0"), fees=Decimal("0"), due_date=due, stage=stage,
        validation_notice_sent_at=datetime.datetime(2026, 11, 1, tzinfo=UTC),
        validation_period_ends_on=datetime.date(2026, 12, 8),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_versions():
    sending._VERSIONS_CACHE["at"] = None


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_time_barred_debts_message_carries_the_disclosure(creditor, language):
    debt = _debt(creditor, language=language)
    message = make_message(
        debt=debt, template="firm_notice", stage="firm_notice", language=language,
        to=debt.debtor.contact_points.get().value, business_date=AS_OF,
    )  # fmt: skip
    outcome = message_send(
        message_id=message.id, simulate_at=datetime.datetime(2026, 12, 1, 17, tzinfo=UTC)
    )
    assert outcome.status in ("sent", "delivered"), outcome.detail
    message.refresh_from_db()
    disclosure = TIME_BARRED_DISCLOSURE[language].format(creditor=creditor.name)
    assert message.body.endswith(disclosure)


def test_a_debt_within_its_period_gets_no_disclosure(creditor):
    debt = _debt(creditor, due=datetime.date(2026, 6, 1))
    message = make_message(
        debt=debt, template="firm_notice", stage="firm_notice", language="en",
        to=debt.debtor.contact_points.get().value, business_date=AS_OF,
    )  # fmt: skip
    message_send(message_id=message.id, simulate_at=datetime.datetime(2026, 12, 1, 17, tzinfo=UTC))
    message.refresh_from_db()
    assert message.status in ("sent", "delivered")
    assert "will not sue you" not in message.body


def _contact(content, *, stage="pre_legal", time_barred=True):
    return Contact(
        debtor_id=1, creditor_id=1, country="US", region="FL", timezone="America/New_York",
        channel="letter", at=datetime.datetime(2026, 12, 1, 17, tzinfo=UTC), stage=stage,
        purpose="collection", consented=True, holds=frozenset(), content=content,
        creditor_name="Acme Bank", time_barred=time_barred,
    )  # fmt: skip


DISCLOSED = TIME_BARRED_DISCLOSURE["en"].format(creditor="Acme Bank")


@pytest.mark.parametrize("stage", ["friendly_reminder", "pre_legal", "legal"])
def test_legal_action_words_are_refused_for_a_time_barred_debt_at_any_stage(stage):
    threat = f"Acme Bank may file a lawsuit to collect this balance. {DISCLOSED}"
    decision = compliance_check(contact=_contact(threat, stage=stage), history=())
    # (before pre-legal ALL-RESPECT, evaluated first, already refuses it for any debt)
    expected = "ALL-RESPECT" if stage == "friendly_reminder" else "US-TIMEBARRED"
    assert (decision.allowed, decision.rule) == (False, expected)
    # the same words are allowed from pre-legal on when the debt is not time-barred
    if stage != "friendly_reminder":
        allowed = compliance_check(
            contact=_contact(threat, stage=stage, time_barred=False), history=()
        )
        assert allowed.allowed


def test_the_disclosure_itself_is_no_threat_and_is_required():
    assert compliance_check(contact=_contact(f"Acme Bank: pay now. {DISCLOSED}"), history=())
    es = TIME_BARRED_DISCLOSURE["es"].format(creditor="Acme Bank")
    early = _contact(f"Acme Bank: pague hoy. {es}", stage="friendly_reminder")
    assert compliance_check(contact=early, history=())  # "demandado" is not a threat here
    missing = compliance_check(contact=_contact("Acme Bank: pay now."), history=())
    assert (missing.allowed, missing.rule) == (False, "US-TIMEBARRED")


def test_a_time_barred_debt_is_never_escalated_to_legal(creditor):
    policy_ensure_defaults()
    debt = _debt(creditor, stage=Stage.PRE_LEGAL)
    check = legal_check(debt=debt, as_of=AS_OF)
    assert not check.allowed and check.eligible_from is None
    assert any("time-barred" in reason for reason in check.reasons)
    manager = ManagerFactory(creditors=[creditor])
    with pytest.raises(ApplicationError, match="time-barred"):
        debt_transition(
            debt=debt, transition_name="escalate_to_legal", user=manager, as_of=AS_OF,
            reason="old account",
        )  # fmt: skip
    assert not Message.objects.exists()


def test_the_case_page_and_the_api_flag_a_time_barred_debt(client, creditor):
    debt = _debt(creditor)
    fresh = _debt(creditor, due=datetime.date(2026, 6, 1))
    client.force_login(ManagerFactory(creditors=[creditor]))
    page = client.get(reverse("portfolio:debt-detail", args=[debt.pk])).content.decode()
    assert 'data-testid="time-barred"' in page and 'data-testid="validation-notice"' in page
    page = client.get(reverse("portfolio:debt-detail", args=[fresh.pk])).content.decode()
    assert 'data-testid="time-barred"' not in page
    answer = client.get(f"/api/v1/debts/{debt.pk}/").json()
    assert answer["time_barred"] is True
    assert answer["validation_period_ends_on"] == "2026-12-08"
