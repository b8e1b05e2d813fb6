"""Planning per class decides every group exactly as the engine asked group by group would.

`messages_plan(by_class=False)` asks the engine about every group, one at a time, in planning
order (the reference). The default path decides a debtor's groups (first, second, third
channel of the day...) per class of contact and per channels already given that day. Both
plan the same mixed portfolio here (several countries and rule sets, creditor overrides,
channels with and without consent or address, several stages and purposes, debtors with
holds or history), on ordinary days, a Saturday, a rest day, a holiday, late in the day and as
a replay; every message's status, instant and reason must be the same.
"""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone

from messaging import reasons
from messaging.models import (
    ComplianceOverride,
    ContactAction,
    Message,
    MessageDebt,
    MessageTemplate,
    MessageTemplateVersion,
)
from messaging.services import planning, planning_sets
from messaging.services.planning import messages_plan
from messaging.services.template_approval import (
    template_version_approval,
    template_version_provider_set,
)
from messaging.services.templates import template_version_create
from portfolio.models import Debt, Debtor, Hold, Stage
from tests.factories.portfolio import (
    ContactPointFactory,
    CreditorFactory,
    DebtFactory,
    DebtorFactory,
)
from tests.factories.users import AdminFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
CHANNELS = ("email", "sms", "whatsapp", "voice", "letter")
PLACES = (
    ("CO", "", "America/Bogota"),
    ("CO", "", "America/Bogota"),
    ("MX", "", "America/Mexico_City"),
    ("US", "", "America/New_York"),
    ("US", "MA", "America/New_York"),
    ("US", "", "America/Los_Angeles"),
    ("PE", "", "America/Lima"),
)
STAGES = (
    (Stage.FRIENDLY_REMINDER, "friendly"),
    (Stage.FIRM_NOTICE, "firm_notice"),
    (Stage.PRE_LEGAL, "pre_legal"),
)


def _approve_whatsapp(version, admin):
    template_version_provider_set(
        version=version, user=admin, provider_template_id="HX" + "a" * 32,
        provider_variables={"1": "first_name", "2": "amount"},
    )  # fmt: skip
    template_version_approval(version=version, user=admin, action="approve")


def _portfolio(day, *, seed):
    """Debtors with 1-3 debts, each due contacts on 1-3 channels today. The friendly
    reminder's WhatsApp text is an approved template (WhatsApp goes through the engine); the
    firm notice's is not (WhatsApp is skipped: WA-TEMPLATE, the next channel goes)."""
    rng = random.Random(seed)
    admin = AdminFactory()
    for version in MessageTemplateVersion.objects.filter(
        template__creditor__isnull=True, template__channel="whatsapp",
        template__code="friendly", is_active=True,
    ):  # fmt: skip
        _approve_whatsapp(version, admin)
    plain, strict = CreditorFactory(), CreditorFactory()
    # A creditor stricter than the law: shorter hours, a longer channel week, 2-day caps.
    ComplianceOverride.objects.create(
        creditor=strict,
        rule_id="CO-WINDOW",
        params={"weekly": [[["09:00", "12:00"], ["14:00", "17:00"]]] * 5 + [[]] * 2},
    )
    ComplianceOverride.objects.create(creditor=strict, rule_id="CO-DAY", params={"period_days": 2})
    ComplianceOverride.objects.create(
        creditor=strict, rule_id="CO-WEEK", params={"period_days": 10}
    )
    ComplianceOverride.objects.create(creditor=strict, rule_id="US-CALLS", params={"max": 1})
    ComplianceOverride.objects.create(creditor=strict, rule_id="US-MA-CALLS", params={"max": 1})
    # Debtors alike but for what they got earlier in the day: e-mail first where they consent
    # to it (then no SMS the same day in Colombia; then no call in Massachusetts for the strict
    # creditor), the SMS (or the call) where they do not.
    for n, (country, region, tz, channels) in enumerate(
        [("CO", "", "America/Bogota", ("email", "sms"))] * 16
        + [("US", "MA", "America/New_York", ("sms", "voice"))] * 10
    ):
        debtor = DebtorFactory(creditor=strict, country=country, region=region, timezone=tz)
        for channel in channels:
            ContactPointFactory(
                debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}",
                consent_granted=channel != channels[0] or n % 3 != 0,
            )  # fmt: skip
        debt = DebtFactory(creditor=strict, debtor=debtor)
        for channel in channels:
            ContactAction.objects.create(
                debt=debt, business_date=day, stage=Stage.FIRM_NOTICE, channel=channel,
                template_code="firm_notice",
            )  # fmt: skip
    for n in range(90):
        creditor = strict if n % 3 == 0 else plain
        country, region, tz = rng.choice(PLACES)
        debtor = DebtorFactory(
            creditor=creditor, country=country, region=region, timezone=tz,
            address_line="Calle 1" if rng.random() < 0.5 else "",
        )  # fmt: skip
        for channel in rng.sample(CHANNELS, rng.randint(0, 4)):
            ContactPointFactory(
                debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}",
                consent_granted=rng.random() < 0.8,
            )  # fmt: skip
        if n % 17 == 5:
            Hold.objects.create(
                debtor=debtor, kind=Hold.Kind.DISPUTE, reason="x", source="manager",
                opened_at=timezone.now(),
            )  # fmt: skip
        if n % 13 == 7:  # a contact two days ago: this debtor's day goes one by one
            Message.objects.create(
                creditor=creditor, debtor=debtor, channel="sms", template="friendly",
                purpose="collection", stage="friendly_reminder", business_date=day,
                to="x", status=Message.Status.SENT, idempotency_key=f"old-{debtor.pk}",
                planned_for=datetime.datetime.combine(day, datetime.time(15), tzinfo=UTC)
                - datetime.timedelta(days=2),
            )  # fmt: skip
        for _debt in range(rng.randint(1, 3)):
            debt = DebtFactory(creditor=creditor, debtor=debtor)
            stage, template = rng.choice(STAGES)
            for channel in rng.sample(CHANNELS, rng.randint(1, 3)):
                ContactAction.objects.create(
                    debt=debt, business_date=day, stage=stage, channel=channel,
                    template_code=template,
                )  # fmt: skip
            if rng.random() < 0.15:
                ContactAction.objects.create(
                    debt=debt, business_date=day, stage=stage, channel="email",
                    template_code="payment_thanks",
                )  # fmt: skip


def _outbox():
    messages = {
        m["idempotency_key"]: m
        for m in Message.objects.exclude(idempotency_key__startswith="old-").values(
            "idempotency_key",
            "status",
            "planned_for",
            "suppression_rule",
            "suppression_reason",
            "suppression_code",
            "suppression_params",
            "to",
            "stage",
            "template",
            "purpose",
        )  # fmt: skip
    }
    links = sorted(
        MessageDebt.objects.values_list("message__idempotency_key", "debt_id", "contact_action_id")
    )
    actions = sorted(ContactAction.objects.values_list("id", "status"))
    return messages, links, actions


def _counting(monkeypatch):
    calls = []
    decide = planning._decide

    def counted(*args, **kwargs):
        calls.append(1)
        return decide(*args, **kwargs)

    monkeypatch.setattr(planning, "_decide", counted)
    return calls


def _plan_both_ways(day, now, calls, *, outbox_empty_before=False) -> tuple[dict, int]:
    """Plan `day` one group at a time (then undone) and then per class; assert that every
    message, link, action and count is the same. (The per-class messages, the reference's
    engine calls.)"""
    with transaction.atomic():
        reference_result = messages_plan(business_date=day, now=now, by_class=False)
        reference = _outbox()
        reference_calls = len(calls)
        transaction.set_rollback(True)
    if outbox_empty_before:  # the reference was undone
        assert not Message.objects.exclude(idempotency_key__startswith="old-").exists()
    calls.clear()
    result = messages_plan(business_date=day, now=now)
    messages, links, actions = _outbox()
    assert set(messages) == set(reference[0])
    for key, message in messages.items():
        assert message == reference[0][key], key
    assert links == reference[1]
    assert actions == reference[2]
    assert (result.planned, result.suppressed) == (
        reference_result.planned,
        reference_result.suppressed,
    )
    return messages, reference_calls


@pytest.mark.parametrize(
    ("day", "now"),
    [
        # a Tuesday planned the day before
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)),
        # the same Tuesday planned at 11:00 in Bogotá: the morning is gone
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 12, 1, 16, tzinfo=UTC)),
        # late that evening: Bogotá's window has closed, New York's and Mexico's have not
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 12, 2, 1, 30, tzinfo=UTC)),
        # replayed two days later
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 12, 3, 12, tzinfo=UTC)),
        # a Saturday (short hours in Colombia, none for the strict creditor)
        (datetime.date(2026, 12, 5), datetime.datetime(2026, 12, 4, 12, tzinfo=UTC)),
        # a Sunday (a rest day in Colombia and by default)
        (datetime.date(2026, 12, 6), datetime.datetime(2026, 12, 5, 12, tzinfo=UTC)),
        # a Colombian holiday (8 December)
        (datetime.date(2026, 12, 8), datetime.datetime(2026, 12, 7, 12, tzinfo=UTC)),
    ],
)
def test_per_class_planning_equals_the_one_by_one_engine(day, now, monkeypatch):
    # given a mixed portfolio due contacts on `day`
    _portfolio(day, seed=day.toordinal() + now.hour)
    calls = _counting(monkeypatch)

    # when it is planned one group at a time (then undone) and then per class
    messages, reference_calls = _plan_both_ways(day, now, calls, outbox_empty_before=True)
    # then every message, link and action is the same (checked in _plan_both_ways)
    # and the engine was asked group by group far less often (the comparison means something:
    # second and third channels of a day were decided per class)
    assert len(calls) < reference_calls * 0.75
    second = Message.objects.filter(
        idempotency_key__in=list(messages), status__in=["planned", "suppressed"]
    )
    assert second.values("debtor_id").distinct().count() < second.count()


def test_a_rerun_per_class_plans_nothing_new():
    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)
    _portfolio(day, seed=1)
    first = messages_plan(business_date=day, now=now)
    before = _outbox()
    second = messages_plan(business_date=day, now=now)
    assert first.planned > 0 and (second.planned, second.suppressed) == (0, 0)
    assert _outbox() == before


def _next_day_actions(day, *, seed):
    """Contacts due on `day` for every debt due contacts the day before (1-2 channels each);
    two debtors in three were also sent 1-2 messages at some instant of the 9 days before (some
    near the day, some a week or more away, on any channel)."""
    rng = random.Random(seed)
    for m, debtor in enumerate(Debtor.objects.order_by("pk")):
        creditor = debtor.debts.first().creditor
        # The debtors alike (the first 26): their histories alike in shape (one e-mail or
        # voice call the day before), not in instants.
        for n in range(rng.choice((0, 1, 1, 2, 2, 0)) if m >= 26 else 1):
            Message.objects.create(
                creditor=creditor, debtor=debtor,
                channel=rng.choice(CHANNELS) if m >= 26 else ("email", "voice")[m % 2],
                template="friendly", purpose="collection", stage="friendly_reminder",
                business_date=day, to="x", status=Message.Status.SENT,
                idempotency_key=f"old-{debtor.pk}-{day}-{n}",
                planned_for=datetime.datetime.combine(day, datetime.time(12), tzinfo=UTC)
                - datetime.timedelta(
                    minutes=rng.randint(12 * 60, 9 * 24 * 60) if m >= 26 else
                    rng.randint(22 * 60, 30 * 60)
                ),
            )  # fmt: skip
    for debt in Debt.objects.filter(contact_actions__isnull=False).distinct().order_by("pk"):
        stage, template = rng.choice(STAGES)
        for channel in rng.sample(CHANNELS, rng.randint(1, 2)):
            ContactAction.objects.create(
                debt=debt, business_date=day, stage=stage, channel=channel,
                template_code=template,
            )  # fmt: skip
    # Debtors alike but for the instant of an e-mail yesterday (or about a week ago), due an
    # SMS today: in Colombia the week's one channel is taken until 7 x 24 h after that e-mail
    # (each its own instant; for the week-old ones, some minute of today).
    creditor = CreditorFactory()
    for n in range(24):
        debtor = DebtorFactory(creditor=creditor, country="CO", timezone="America/Bogota")
        for channel in ("email", "sms"):
            ContactPointFactory(
                debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}",
                consent_granted=True,
            )  # fmt: skip
        debt = DebtFactory(creditor=creditor, debtor=debtor)
        ContactAction.objects.create(
            debt=debt, business_date=day, stage=Stage.FIRM_NOTICE, channel="sms",
            template_code="firm_notice",
        )  # fmt: skip
        Message.objects.create(
            creditor=creditor, debtor=debtor, channel="email", template="friendly",
            purpose="collection", stage="friendly_reminder", business_date=day, to="x",
            status=Message.Status.SENT, idempotency_key=f"old-{debtor.pk}-{day}-e",
            planned_for=datetime.datetime.combine(day, datetime.time(5), tzinfo=UTC)
            - datetime.timedelta(
                minutes=rng.randint(0, 10 * 60) if n < 12 else rng.randint(6 * 1440, 7 * 1440)
            ),
        )  # fmt: skip


@pytest.mark.parametrize(
    ("first", "now", "first_planned"),
    [
        # Monday then Tuesday, planned the day before each
        (datetime.date(2026, 11, 30), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC), True),
        # the same, with only the sent messages of the days before as history
        (datetime.date(2026, 11, 30), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC), False),
        # replayed a week later (every instant of both days is in the past)
        (datetime.date(2026, 11, 30), datetime.datetime(2026, 12, 9, 12, tzinfo=UTC), True),
        (datetime.date(2026, 11, 30), datetime.datetime(2026, 12, 9, 12, tzinfo=UTC), False),
        # Tuesday planned at 11:00 in Bogotá (the second day's morning is gone)
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 12, 2, 16, tzinfo=UTC), True),
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 12, 2, 16, tzinfo=UTC), False),
        # Friday then Saturday (short hours), and Saturday then Sunday (a rest day)
        (datetime.date(2026, 12, 4), datetime.datetime(2026, 12, 4, 12, tzinfo=UTC), True),
        (datetime.date(2026, 12, 4), datetime.datetime(2026, 12, 4, 12, tzinfo=UTC), False),
        (datetime.date(2026, 12, 5), datetime.datetime(2026, 12, 5, 12, tzinfo=UTC), True),
    ],
)
def test_the_next_day_per_class_equals_the_one_by_one_engine(
    first, now, first_planned, monkeypatch
):
    # given a mixed portfolio due contacts on `first` (planned, so that every debtor has a
    # history, or not) and again the next day
    _portfolio(first, seed=first.toordinal())
    if first_planned:
        messages_plan(
            business_date=first, now=min(now, timezone.now()) - datetime.timedelta(days=1)
        )
    day = first + datetime.timedelta(days=1)
    _next_day_actions(day, seed=first.toordinal())
    calls = _counting(monkeypatch)

    # when the next day is planned one group at a time (then undone) and then per class
    messages, reference_calls = _plan_both_ways(day, now, calls)
    # then every message, link and action is the same (checked in _plan_both_ways)
    # and debtors with a history were decided per class too (the engine asked one by one
    # far less often)
    assert len(calls) < reference_calls * 0.75


def test_us_debtors_waiting_for_their_validation_notice_agree_both_ways(monkeypatch):
    # given the mixed portfolio plus US debtors in collection, half of them still waiting for
    # their validation notice (US-VALIDATION: their collection messages wait, the notice goes)
    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)
    _portfolio(day, seed=3)
    creditor = CreditorFactory()
    for n in range(12):
        debtor = DebtorFactory(
            creditor=creditor, country="US", region=("", "MA", "NY")[n % 3],
            timezone="America/New_York", language="en",
        )  # fmt: skip
        for channel in ("email", "sms"):
            ContactPointFactory(debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}")
        waiting = n % 2 == 1
        debt = DebtFactory(
            creditor=creditor, debtor=debtor, stage=Stage.FIRM_NOTICE,
            validation_notice_sent_at=None if waiting else timezone.now(),
        )  # fmt: skip
        templates = [("email", "firm_notice"), ("sms", "firm_notice")]
        if waiting:
            templates.append(("email", "validation_notice"))
        for channel, template in templates:
            ContactAction.objects.create(
                debt=debt, business_date=day, stage=Stage.FIRM_NOTICE, channel=channel,
                template_code=template,
            )  # fmt: skip
    calls = _counting(monkeypatch)

    # when it is planned one group at a time (then undone) and then per class: the same
    _plan_both_ways(day, now, calls, outbox_empty_before=True)

    # then the waiting debtors get their notice and nothing else
    ours = Message.objects.filter(creditor=creditor)
    waiting = ours.filter(debtor__debts__validation_notice_sent_at__isnull=True)
    assert waiting.filter(template="validation_notice", status="planned").count() == 6
    others = waiting.exclude(template="validation_notice")
    assert others.count() == 12
    assert set(others.values_list("suppression_rule", flat=True)) == {"US-VALIDATION"}
    # and the others are collected as usual
    assert not ours.filter(
        debtor__debts__validation_notice_sent_at__isnull=False, suppression_rule="US-VALIDATION"
    ).exists()
    assert ours.filter(debtor__debts__validation_notice_sent_at__isnull=False, status="planned")


def test_whatsapp_templates_are_decided_per_version_and_agree_both_ways(monkeypatch):
    # given the mixed portfolio (the friendly reminder's WhatsApp text approved, the firm
    # notice's not), where one creditor has its own friendly WhatsApp text, not approved, and
    # the firm notice's default is approved
    from portfolio.models import Creditor

    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)
    _portfolio(day, seed=5)
    admin = AdminFactory(username="wa-admin")
    for version in MessageTemplateVersion.objects.filter(
        template__creditor__isnull=True, template__channel="whatsapp",
        template__code="firm_notice", is_active=True,
    ):  # fmt: skip
        _approve_whatsapp(version, admin)
    own_creditor = Creditor.objects.filter(debtors__isnull=False).order_by("pk").first()
    for language in ("es", "en"):
        default = MessageTemplate.objects.get(
            creditor__isnull=True, code="friendly", channel="whatsapp", language=language
        )
        template_version_create(
            template=default, user=admin, creditor=own_creditor, subject="",
            body=default.versions.get(number=1).body,
        )  # fmt: skip
    resolved = []
    resolve = planning_sets.version_resolve

    def counted(*args, **kwargs):
        resolved.append(kwargs)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(planning_sets, "version_resolve", counted)
    calls = _counting(monkeypatch)

    # when it is planned one group at a time (then undone) and then per class: the same
    messages, _reference_calls = _plan_both_ways(day, now, calls, outbox_empty_before=True)

    # then WhatsApp went where its text is approved and was skipped, saying why, elsewhere
    whatsapp = Message.objects.filter(idempotency_key__in=list(messages), channel="whatsapp")
    skipped = whatsapp.filter(suppression_rule="WA-TEMPLATE")
    assert skipped.filter(template="friendly", creditor=own_creditor).exists()
    assert not skipped.filter(template="friendly").exclude(creditor=own_creditor).exists()
    assert not skipped.filter(template="firm_notice").exists()
    assert set(skipped.values_list("status", "suppression_code").distinct()) == {
        ("cancelled", "message.whatsapp_no_template")
    }
    assert whatsapp.filter(status="planned").exists()
    # and the template was looked up once per creditor, code and language in each run, not
    # once per message
    keys = {(m.creditor_id, m.template, m.language) for m in whatsapp}
    assert len(resolved) <= 2 * len(keys) < 2 * whatsapp.count()


def test_the_mixed_portfolio_has_whatsapp_both_planned_and_skipped():
    # (what the equality tests above compare includes both WhatsApp paths)
    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)
    _portfolio(day, seed=day.toordinal() + now.hour)
    messages_plan(business_date=day, now=now)
    whatsapp = Message.objects.filter(channel="whatsapp")
    assert whatsapp.filter(template="friendly").exclude(suppression_rule="WA-TEMPLATE").exists()
    assert whatsapp.filter(template="firm_notice", suppression_rule="WA-TEMPLATE").exists()


def test_a_rest_days_later_channels_are_decided_per_class(monkeypatch):
    # given Colombian debtors alike and with no history, each due an e-mail, an SMS and a call
    # on a Sunday (a rest day: each one's first contact goes to Monday's first lawful minute)
    day, now = datetime.date(2026, 12, 6), datetime.datetime(2026, 12, 5, 12, tzinfo=UTC)
    creditor = CreditorFactory()
    channels = ("email", "sms", "voice")
    for _n in range(40):
        debtor = DebtorFactory(creditor=creditor, country="CO", timezone="America/Bogota")
        debt = DebtFactory(creditor=creditor, debtor=debtor)
        for channel in channels:
            ContactPointFactory(
                debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}",
                consent_granted=True,
            )  # fmt: skip
            ContactAction.objects.create(
                debt=debt, business_date=day, stage=Stage.FIRM_NOTICE, channel=channel,
                template_code="firm_notice",
            )  # fmt: skip
    calls = _counting(monkeypatch)

    # when it is planned one group at a time (then undone) and then per class
    messages, reference_calls = _plan_both_ways(day, now, calls, outbox_empty_before=True)

    # then every message is the same (checked in _plan_both_ways): one contact each on Monday
    bogota = ZoneInfo("America/Bogota")
    monday = [
        m for m in messages.values()
        if m["status"] == "planned" and m["planned_for"].astimezone(bogota).date() == day + ONE_DAY
    ]  # fmt: skip
    assert len(monday) == 40 and len(messages) == 120
    # and the second and third channels were decided per class too: the engine was asked one
    # group per rank (the first contact's, then one per history of the day), not per debtor
    assert reference_calls == 120
    assert len(calls) == 3


def test_a_contact_lawful_nowhere_in_the_week_names_the_rule_that_holds_it(monkeypatch):
    # given Colombian debtors due an e-mail and an SMS on a Tuesday (the law's one channel a
    # week), and others alike, of a creditor whose channel week lasts 10 days, e-mailed on
    # Monday (each at its own minute) and due an SMS on Tuesday
    day, now = datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)
    plain, strict = CreditorFactory(), CreditorFactory()
    ComplianceOverride.objects.create(
        creditor=strict, rule_id="CO-WEEK", params={"period_days": 10}
    )
    for n in range(30):
        creditor = plain if n < 15 else strict
        debtor = DebtorFactory(creditor=creditor, country="CO", timezone="America/Bogota")
        debt = DebtFactory(creditor=creditor, debtor=debtor)
        for channel in ("email", "sms"):
            ContactPointFactory(
                debtor=debtor, channel=channel, value=f"{channel}-{debtor.pk}",
                consent_granted=True,
            )  # fmt: skip
        for channel in ("email", "sms") if creditor == plain else ("sms",):
            ContactAction.objects.create(
                debt=debt, business_date=day, stage=Stage.FIRM_NOTICE, channel=channel,
                template_code="firm_notice",
            )  # fmt: skip
        if creditor == strict:
            Message.objects.create(
                creditor=creditor, debtor=debtor, channel="email", template="friendly",
                purpose="collection", stage="friendly_reminder", business_date=day - ONE_DAY,
                to="x", status=Message.Status.SENT, idempotency_key=f"old-{debtor.pk}",
                planned_for=datetime.datetime(2026, 11, 30, 15, n, tzinfo=UTC),
            )  # fmt: skip
    calls = _counting(monkeypatch)

    # when the day is planned one group at a time (then undone) and then per class
    messages, _reference_calls = _plan_both_ways(day, now, calls)

    # then both ways agree (checked in _plan_both_ways): each debtor's e-mail is planned, and
    # every SMS is suppressed by the rule that holds it all week, the channel week (CO-WEEK,
    # the e-mail named), not by the contact hours at the day's first instant (00:00, where
    # the search started)
    by_status = {}
    for message in messages.values():
        by_status.setdefault(message["status"], []).append(message)
    assert sorted(by_status) == ["planned", "suppressed"]
    assert len(by_status["planned"]) == 15 and len(by_status["suppressed"]) == 30
    assert {m["template"] for m in by_status["planned"]} == {"firm_notice"}
    for message in by_status["suppressed"]:
        assert message["suppression_rule"] == "CO-WEEK", message["suppression_reason"]
        assert message["suppression_reason"].startswith("CO-WEEK: ")
        assert message["suppression_code"] == reasons.CHANNELS_USED
        assert message["suppression_params"]["channels"] == ["email"]


def _every_column():
    """The day's messages, every column but the id and the clock's stamps, by key; their links
    by key."""
    fields = [
        field.attname
        for field in Message._meta.concrete_fields
        if field.attname not in ("id", "created_at", "updated_at")
    ]
    messages = {m["idempotency_key"]: m for m in Message.objects.values(*fields)}
    links = sorted(
        MessageDebt.objects.values_list("message__idempotency_key", "debt_id", "contact_action_id")
    )
    return messages, links, sorted(ContactAction.objects.values_list("id", "status"))


@pytest.mark.parametrize(
    ("day", "now"),
    [
        (datetime.date(2026, 12, 1), datetime.datetime(2026, 11, 30, 12, tzinfo=UTC)),
        (datetime.date(2026, 12, 5), datetime.datetime(2026, 12, 4, 12, tzinfo=UTC)),
    ],
)
def test_a_first_day_copied_into_the_empty_outbox_equals_the_insert_with_its_keys(
    day, now, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given the mixed portfolio, due contacts on `day`, and an empty outbox
    _portfolio(day, seed=day.toordinal())
    Message.objects.all().delete()
    # when the day is planned with the outbox's keys in place (then undone)
    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 10**9
    with transaction.atomic():
        reference_result = messages_plan(business_date=day, now=now)
        reference = _every_column()
        transaction.set_rollback(True)
    assert not Message.objects.exists()
    # and then as a new installation's first cycle: ids drawn, the rows copied straight in
    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    started = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        result = messages_plan(business_date=day, now=now)
    finished = timezone.now()
    statements = "\n".join(q["sql"] for q in queries.captured_queries)
    # (COPY is not among Django's captured queries: no INSERT wrote them)
    assert "LOCK TABLE messaging_message IN ACCESS EXCLUSIVE MODE" in statements
    assert "INSERT INTO messaging_message" not in statements
    assert "INSERT INTO messaging_messagedebt" not in statements
    # then every column of every message, every link and every action is the same
    messages, links, actions = _every_column()
    assert set(messages) == set(reference[0])
    for key, message in messages.items():
        assert message == reference[0][key], key
    assert {m["status"] for m in messages.values()} >= {"planned", "suppressed", "cancelled"}
    assert any(m["suppression_params"] for m in messages.values())
    assert (links, actions) == reference[1:]
    assert (result.planned, result.suppressed) == (
        reference_result.planned,
        reference_result.suppressed,
    )
    # and the copied messages share one stamp (their columns' defaults for the copy only)
    stamps = set(Message.objects.values_list("created_at", "updated_at"))
    assert len(stamps) == 1
    created, updated = stamps.pop()
    assert started <= created == updated <= finished
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attrdef WHERE adrelid = 'messaging_message'::regclass"
        )
        assert cursor.fetchone()[0] == 0
        # and the links' ids are one block, the sequence at its end
        ids = sorted(MessageDebt.objects.values_list("id", flat=True))
        assert ids == list(range(ids[0], ids[0] + len(ids)))
        cursor.execute(
            "SELECT last_value FROM"
            " pg_sequences WHERE sequencename = pg_get_serial_sequence('messaging_messagedebt',"
            " 'id')::regclass::text"
        )
        assert cursor.fetchone()[0] == ids[-1]
