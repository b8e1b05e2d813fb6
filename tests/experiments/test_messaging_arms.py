"""Experiment arms in messaging: the arm on every planned message, a template arm's text, a
send-time arm's hours (inside the lawful window only), and nothing changed without one."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experiments.models import ArmRole, Assignment, Subject
from experiments.services.lifecycle import ArmSpec, arm_stop
from messaging.models import ContactAction, Message, MessageTemplate, MessageTemplateVersion
from messaging.services import arms as messaging_arms
from messaging.services import sending
from messaging.services.planning import messages_plan
from messaging.services.preview import render_message
from messaging.services.sending import message_send
from portfolio.models import Stage
from tests.factories.experiments import make_experiment
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)  # a Tuesday, not a holiday in Colombia
BEFORE = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)
BOGOTA = ZoneInfo("America/Bogota")
# The law's window for a collection e-mail in Colombia on a weekday.
LAWFUL = (datetime.time(7), datetime.time(19))


@pytest.fixture(autouse=True)
def _fresh_versions():
    # The sender caches the active versions for 30 s per worker; each test reads what it wrote.
    sending._VERSIONS_CACHE["at"] = None
    yield
    sending._VERSIONS_CACHE["at"] = None


def _book(creditor, count=16, *, channel="email"):
    """`count` debtors in Bogotá, each with one friendly-stage debt and a consented point."""
    debts = []
    for _ in range(count):
        debtor = DebtorFactory(
            creditor=creditor, country="CO", timezone="America/Bogota", language="es"
        )
        value = f"d{debtor.pk}@example.com" if channel == "email" else f"+57300{debtor.pk:07d}"
        ContactPointFactory(debtor=debtor, channel=channel, value=value, consent_granted=True)
        debts.append(DebtFactory(creditor=creditor, debtor=debtor, stage=Stage.FRIENDLY_REMINDER))
    return debts


def _actions(debts, *, channel="email", template="friendly"):
    for debt in debts:
        ContactAction.objects.create(
            debt=debt,
            business_date=DAY,
            stage=Stage.FRIENDLY_REMINDER,
            channel=channel,
            template_code=template,
        )


def _arms(experiment) -> dict[int, tuple[int, str]]:
    """debtor -> (arm id, arm code) as assignment put them."""
    return {
        debtor_id: (arm_id, code)
        for debtor_id, arm_id, code in Assignment.objects.filter(experiment=experiment).values_list(
            "debtor_id", "arm_id", "arm__code"
        )
    }


def _default(code="friendly", channel="email", language="es") -> MessageTemplate:
    return MessageTemplate.objects.get(creditor=None, code=code, channel=channel, language=language)


def _challenger_text(template: MessageTemplate) -> MessageTemplateVersion:
    """A tested text of `template`: today's words marked RETO, not active (not yet the rule)."""
    current = template.versions.filter(is_active=True).order_by("-number").first()
    return MessageTemplateVersion.objects.create(
        template=template,
        number=current.number + 1,
        subject=f"RETO {current.subject}".strip(),
        body=f"RETO {current.body}",
        is_active=False,
        change_note="challenger",
    )


def _local(message) -> datetime.time:
    return message.planned_for.astimezone(BOGOTA).time()


@pytest.mark.parametrize("first_cycle", [False, True])
def test_template_challengers_read_the_tested_text_and_champions_todays(
    creditor, manager, settings, first_cycle
):
    # given a template experiment 50/50 on the friendly e-mail, and a debtor of another
    # creditor outside any experiment (with `first_cycle`, the day's messages are copied
    # straight into the empty outbox, as a new installation's first cycle writes them)
    if first_cycle:
        settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    debts = _book(creditor)
    tested = _challenger_text(_default())
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.TEMPLATE,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 50),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 50, template_version=tested),
        ],
    )
    outsider = _book(CreditorFactory(code="otro", name="Otro"), count=1)
    _actions(debts + outsider)
    arms = _arms(experiment)
    assert {code for _id, code in arms.values()} == {"a", "b"}

    # when the day is planned (tomorrow's preview already reads each arm's text)
    messages_plan(business_date=DAY, now=BEFORE)
    for message in Message.objects.filter(creditor=creditor):
        previewed = render_message(message).body
        assert previewed.startswith("RETO") == (arms[message.debtor_id][1] == "b")
    # and every message is sent at its time
    for message in Message.objects.all():
        assert message_send(message_id=message.pk, simulate_at=message.planned_for).status in (
            "sent",
            "delivered",
        )

    # then every message of the experiment's debtors carries their arm; the challengers'
    # read the tested text, the champions' today's newest active one
    current = _default().versions.filter(is_active=True).order_by("-number").first()
    for message in Message.objects.filter(creditor=creditor):
        arm_id, code = arms[message.debtor_id]
        assert message.experiment_arm_id == arm_id
        if code == "b":
            assert message.template_version_id == tested.pk
            assert message.subject.startswith("RETO") and message.body.startswith("RETO")
        else:
            assert message.template_version_id == current.pk
            assert "RETO" not in message.body
    # and the outsider's message is as it always was
    other = Message.objects.get(debtor_id=outsider[0].debtor_id)
    assert other.experiment_arm_id is None and other.template_version_id == current.pk


def test_a_tested_text_of_another_template_changes_nothing(creditor, manager):
    # given a challenger testing the firm notice's text, and only friendly e-mails due
    debts = _book(creditor, count=6)
    tested = _challenger_text(_default(code="firm_notice"))
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.TEMPLATE,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 1),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 99, template_version=tested),
        ],
    )
    _actions(debts)
    messages_plan(business_date=DAY, now=BEFORE)
    # then the friendly e-mails are not pinned to the firm notice's text, but carry the arm
    arms = _arms(experiment)
    for message in Message.objects.all():
        assert message.template_version_id is None
        assert message.experiment_arm_id == arms[message.debtor_id][0]


def test_a_stopped_challenger_sends_todays_text_but_still_records_its_arm(creditor, manager):
    debts = _book(creditor, count=6)
    tested = _challenger_text(_default())
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.TEMPLATE,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 1),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 99, template_version=tested),
        ],
    )
    # when a guard-rail (or the strategist) stops the challenger
    arm_stop(user=manager, arm=experiment.arms.get(code="b"), reason="guard-rail")
    _actions(debts)
    messages_plan(business_date=DAY, now=BEFORE)
    arms = _arms(experiment)
    for message in Message.objects.all():
        assert message.template_version_id is None
        assert message.experiment_arm_id == arms[message.debtor_id][0]


def test_a_whatsapp_challenger_text_needs_its_own_approval(creditor, manager):
    # given today's WhatsApp text is approved with the provider, the tested one is not
    template = _default(channel="whatsapp")
    MessageTemplateVersion.objects.filter(template=template).update(
        approval_status="approved", provider_template_id="HX" + "0" * 32
    )
    debts = _book(creditor, channel="whatsapp")
    tested = _challenger_text(template)
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.TEMPLATE,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 50),
            ArmSpec("b", "Challenger", ArmRole.CHALLENGER, 50, template_version=tested),
        ],
    )
    _actions(debts, channel="whatsapp")
    messages_plan(business_date=DAY, now=BEFORE)
    # then the champions' messages are planned, the challengers' not sent outside the window
    arms = _arms(experiment)
    for message in Message.objects.all():
        if arms[message.debtor_id][1] == "b":
            assert (message.status, message.suppression_rule) == ("cancelled", "WA-TEMPLATE")
        else:
            assert message.status == "planned"


def test_send_hours_narrow_the_lawful_window_and_never_widen_it(creditor, manager):
    # given a send-time experiment: the champion sends all day, one challenger in the evening
    # (18:00-22:00: the law ends at 19:00), one wholly outside the law (21:00-24:00)
    debts = _book(creditor, count=30)
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.SEND_TIME,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 34),
            ArmSpec("b", "Evening", ArmRole.CHALLENGER, 33, send_from_hour=18, send_to_hour=22),
            ArmSpec("c", "Night", ArmRole.CHALLENGER, 33, send_from_hour=21, send_to_hour=24),
        ],
    )
    _actions(debts)
    arms = _arms(experiment)
    assert {code for _id, code in arms.values()} == {"a", "b", "c"}

    messages_plan(business_date=DAY, now=BEFORE)

    by_arm: dict[str, list] = {"a": [], "b": [], "c": []}
    for message in Message.objects.all():
        arm_id, code = arms[message.debtor_id]
        assert message.status == "planned" and message.experiment_arm_id == arm_id
        assert message.planned_for.astimezone(BOGOTA).date() == DAY
        by_arm[code].append(_local(message))
    # then the evening arm lands in 18:00-19:00 (its hours cut by the law's end)
    assert all(datetime.time(18) <= t < LAWFUL[1] for t in by_arm["b"])
    # the night arm, outside the law, stays inside the lawful window (spread over it)
    assert all(LAWFUL[0] <= t < LAWFUL[1] for t in by_arm["c"])
    assert any(t < datetime.time(18) for t in by_arm["c"])
    # and the champion is spread over the whole lawful day as always
    assert all(LAWFUL[0] <= t < LAWFUL[1] for t in by_arm["a"])
    assert any(t < datetime.time(18) for t in by_arm["a"])


def test_send_hours_narrow_the_debtors_own_hours_where_they_overlap(creditor, manager):
    from portal.models import ContactPreference

    debts = _book(creditor, count=4)
    for debt in debts:
        # the debtor asked for 09:00-17:00; the arm tests 15:00-18:00
        ContactPreference.objects.create(
            debtor_id=debt.debtor_id,
            preferred_from=datetime.time(9),
            preferred_to=datetime.time(17),
        )
    experiment = make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.SEND_TIME,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 1),
            ArmSpec("b", "Late", ArmRole.CHALLENGER, 99, send_from_hour=15, send_to_hour=18),
        ],
    )
    _actions(debts)
    messages_plan(business_date=DAY, now=BEFORE)
    # The split is random per experiment (1 % champion): each message is judged by its arm.
    late = experiment.arms.get(code="b").pk
    in_late = Message.objects.filter(experiment_arm_id=late)
    assert in_late.exists()
    for message in in_late:
        assert datetime.time(15) <= _local(message) < datetime.time(17)
    for message in Message.objects.exclude(experiment_arm_id=late):
        assert datetime.time(9) <= _local(message) < datetime.time(17)


def test_without_a_running_experiment_planning_is_unchanged_and_asks_once(creditor, manager):
    # given an experiment that was created but never started
    debts = _book(creditor, count=5)
    make_experiment(
        user=manager,
        creditor=creditor,
        subject=Subject.SEND_TIME,
        started=False,
        arms=[
            ArmSpec("a", "Champion", ArmRole.CHAMPION, 1),
            ArmSpec("b", "Late", ArmRole.CHALLENGER, 99, send_from_hour=18, send_to_hour=19),
        ],
    )
    _actions(debts)
    assert not messaging_arms.arms_running()
    with CaptureQueriesContext(connection) as queries:
        messages_plan(business_date=DAY, now=BEFORE)
    # then planning read the arms once (the EXISTS) and no arm shaped a message
    arm_reads = [q["sql"] for q in queries.captured_queries if "experiments_" in q["sql"]]
    assert len(arm_reads) == 1 and "EXISTS" in arm_reads[0]
    messages = list(Message.objects.all())
    assert len(messages) == 5
    assert all(m.experiment_arm_id is None and m.template_version_id is None for m in messages)
    assert any(_local(m) < datetime.time(18) for m in messages)
