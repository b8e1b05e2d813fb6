"""Required content at send time, and the bureau-notice rules."""

import datetime
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

import pytest

from messaging.services.compliance import bureau_report_allowed, compliance_check, rules_for
from messaging.services.compliance.bureau import CO_MINIMUM_MONTHLY_WAGE_2026
from tests.messaging.compliance_helpers import contact

GOOD = "Banco Andino: su saldo es $120.000. Pague en el portal. Responda STOP para no recibir más."


def check(c, country=None):
    rules = rules_for(country=country or c.country, region=c.region)
    return compliance_check(contact=c, history=[], rules=rules)


@pytest.mark.parametrize("country", ["CO", "MX", "US"])
def test_a_complete_message_passes(country):
    assert check(contact(country, content=GOOD, creditor_name="Banco Andino")).allowed


@pytest.mark.parametrize(
    ("country", "rule"), [("CO", "ALL-OPTOUT"), ("MX", "ALL-OPTOUT"), ("US", "US-OPTOUT")]
)
@pytest.mark.parametrize("channel", ["sms", "email", "whatsapp"])
def test_electronic_message_without_opt_out_is_refused(country, rule, channel):
    c = contact(country, channel=channel, content="Banco Andino: pague hoy.")
    decision = check(c)
    assert (decision.allowed, decision.rule) == (False, rule)
    assert decision.reason


@pytest.mark.parametrize(
    "text",
    [
        "Para darse de baja visite https://x.co/unsubscribe/abc",
        "Reply STOP to opt out",
        "Si no desea recibir estos mensajes, escriba BAJA",
    ],
)
def test_opt_out_instructions_in_either_language(text):
    assert check(contact("CO", content=f"Banco Andino. {text}")).allowed


def test_letters_and_calls_need_no_opt_out_text():
    assert check(contact("CO", channel="letter", content="Banco Andino: saldo pendiente.")).allowed


@pytest.mark.parametrize(("country", "rule"), [("MX", "MX-IDENT"), ("CO", "ALL-IDENT")])
def test_the_creditor_must_be_named(country, rule):
    c = contact(country, content="Su saldo vence hoy. STOP para salir.", creditor_name="Banco X")
    decision = check(c)
    assert (decision.allowed, decision.rule) == (False, rule)
    accents = contact(
        country, content="BANCO ANDINO le recuerda. STOP", creditor_name="Banco Andino"
    )
    assert check(accents).allowed


@pytest.mark.parametrize(
    "text",
    [
        "Banco Andino iniciará una DEMANDA. STOP",
        "Banco Andino procederá al embargo de su salario. STOP",
        "Banco Andino tomará acciones legales. STOP",
        "Banco Andino will take legal action. Reply STOP",
    ],
)
@pytest.mark.parametrize(("country", "rule"), [("MX", "MX-RESPECT"), ("CO", "ALL-RESPECT")])
def test_legal_action_wording_before_pre_legal_is_refused(text, country, rule):
    c = contact(country, content=text, creditor_name="Banco Andino", stage="firm_notice")
    decision = check(c)
    assert (decision.allowed, decision.rule) == (False, rule)
    assert check(contact(country, content=text, creditor_name="Banco Andino", stage="pre_legal"))


def test_pre_legal_stage_may_mention_legal_action():
    c = contact(
        "MX", content="Banco Andino iniciará una demanda. STOP", creditor_name="Banco Andino"
    )
    from dataclasses import replace

    assert check(replace(c, stage="pre_legal")).allowed
    assert check(replace(c, stage="legal")).allowed


def test_planning_time_has_no_content_to_check():
    assert check(contact("US", content=None)).allowed


# --- credit bureau -----------------------------------------------------------------------
D = datetime.date
WAGE = CO_MINIMUM_MONTHLY_WAGE_2026
BIG = WAGE  # well above 15% of the minimum wage
SMALL = (WAGE * Decimal("0.15")).quantize(Decimal("1"), rounding=ROUND_DOWN)


def test_co_bureau_twenty_calendar_days_after_the_notice():
    n = [D(2026, 11, 1)]
    day19 = bureau_report_allowed(country="CO", notices_sent=n, as_of=D(2026, 11, 20), balance=BIG)
    assert (day19.allowed, day19.rule) == (False, "CO-BUREAU")
    assert bureau_report_allowed(country="CO", notices_sent=n, as_of=D(2026, 11, 21), balance=BIG)


def test_co_bureau_without_notice_is_refused():
    d = bureau_report_allowed(country="CO", notices_sent=[], as_of=D(2026, 11, 21), balance=BIG)
    assert (d.allowed, d.rule) == (False, "CO-BUREAU")


def test_co_small_debt_needs_two_notices_on_different_days():
    one_day = [D(2026, 10, 1), D(2026, 10, 1)]
    d = bureau_report_allowed(
        country="CO", notices_sent=one_day, as_of=D(2026, 11, 30), balance=SMALL
    )
    assert (d.allowed, d.rule) == (False, "CO-BUREAU")
    two = [D(2026, 10, 1), D(2026, 10, 15)]
    early = bureau_report_allowed(
        country="CO", notices_sent=two, as_of=D(2026, 11, 3), balance=SMALL
    )
    assert not early.allowed  # 19 days after the second notice
    ok = bureau_report_allowed(country="CO", notices_sent=two, as_of=D(2026, 11, 4), balance=SMALL)
    assert ok.allowed
    # One cent above 15% of the minimum wage: one notice is enough.
    assert bureau_report_allowed(
        country="CO",
        notices_sent=[D(2026, 10, 1)],
        as_of=D(2026, 11, 4),
        balance=WAGE * Decimal("0.15") + Decimal("0.01"),
    ).allowed


def test_co_unknown_balance_is_treated_as_a_small_debt_and_wage_is_a_parameter(settings):
    n = [D(2026, 10, 1)]
    assert not bureau_report_allowed(country="CO", notices_sent=n, as_of=D(2026, 12, 1)).allowed
    assert bureau_report_allowed(
        country="CO", notices_sent=n, as_of=D(2026, 12, 1), balance=200_000, minimum_wage=1_000_000
    ).allowed
    settings.COMPLIANCE_CO_MINIMUM_MONTHLY_WAGE = "1000000"
    assert bureau_report_allowed(
        country="CO", notices_sent=n, as_of=D(2026, 12, 1), balance=200_000
    ).allowed


def test_co_bureau_not_later_than_eighteen_months_after_arrears():
    n = [D(2025, 1, 1)]
    args = {"country": "CO", "notices_sent": n, "balance": BIG, "arrears_start": D(2025, 1, 1)}
    assert bureau_report_allowed(as_of=D(2026, 7, 1), **args).allowed
    assert not bureau_report_allowed(as_of=D(2026, 7, 2), **args).allowed


def test_future_notices_do_not_count():
    n = [D(2026, 12, 5)]
    assert not bureau_report_allowed(
        country="CO", notices_sent=n, as_of=D(2026, 12, 1), balance=BIG
    )


def test_us_bureau_fourteen_days_or_a_conversation():
    n = [D(2026, 11, 1)]
    d13 = bureau_report_allowed(country="US", notices_sent=n, as_of=D(2026, 11, 14))
    assert (d13.allowed, d13.rule) == (False, "US-BUREAU")
    assert bureau_report_allowed(country="US", notices_sent=n, as_of=D(2026, 11, 15)).allowed
    assert bureau_report_allowed(
        country="US", notices_sent=[], as_of=D(2026, 11, 1), spoke_with_consumer=True
    ).allowed
    assert not bureau_report_allowed(country="US", notices_sent=[], as_of=D(2026, 11, 1)).allowed


@pytest.mark.parametrize(
    ("code", "purpose"),
    [
        ("agreement_confirmation", "agreement"),
        ("instalment_reminder", "agreement"),
        ("missed_instalment", "agreement"),
        ("agreement_broken", "agreement"),
        ("payment_thanks", "transactional"),
        ("friendly", "collection"),
        ("pre_legal_call", "collection"),
        ("", "collection"),
    ],
)
def test_purpose_of_each_template_code(code, purpose):
    from messaging.services.compliance import purpose_for_template

    assert purpose_for_template(code) == purpose


def test_the_stop_keyword_must_be_the_capitalised_keyword():
    c = contact("US", channel="sms", creditor_name="Banco Andino")
    casual = replace(c, content="Banco Andino: please stop by our office to pay.")
    assert check(casual).rule == "US-OPTOUT"
    assert check(replace(c, content="Banco Andino: pay today. Reply STOP to opt out")).allowed
