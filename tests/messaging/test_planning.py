"""Planning: one message per debtor, channel and day; lawful, spread, idempotent."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from messaging.models import ContactAction, Message, MessageDebt
from messaging.services.planning import messages_plan
from portfolio.models import Hold, Stage
from tests.factories.portfolio import ContactPointFactory, DebtFactory, DebtorFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 1)  # a Tuesday, not a holiday in CO, MX or the US
BEFORE = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)


def _action(debt, *, channel="email", stage=Stage.FRIENDLY_REMINDER, template="friendly"):
    return ContactAction.objects.create(
        debt=debt, business_date=DAY, stage=stage, channel=channel, template_code=template
    )


def _debtor(creditor, **kwargs):
    debtor = DebtorFactory(creditor=creditor, **kwargs)
    ContactPointFactory(debtor=debtor, channel="email", value=f"d{debtor.pk}@example.com")
    return debtor


def test_a_debtor_with_several_debts_gets_one_message_at_the_highest_stage(creditor):
    # given a debtor with two debts, one friendly and one firm, both due an e-mail today
    debtor = _debtor(creditor)
    friendly = DebtFactory(creditor=creditor, debtor=debtor)
    firm = DebtFactory(creditor=creditor, debtor=debtor)
    _action(friendly)
    _action(firm, stage=Stage.FIRM_NOTICE, template="firm_notice")

    # when the day is planned
    result = messages_plan(business_date=DAY, now=BEFORE)

    # then one message covers both debts, at the firm stage with the firm template
    assert result.planned == 1
    message = Message.objects.get()
    assert set(message.debts.values_list("id", flat=True)) == {friendly.id, firm.id}
    assert (message.stage, message.template, message.status) == (
        "firm_notice",
        "firm_notice",
        "planned",
    )
    assert message.to == f"d{debtor.pk}@example.com"
    assert message.idempotency_key == f"{DAY.isoformat()}:{debtor.pk}:email:collection"


def test_a_rerun_plans_nothing_new(creditor):
    debt = DebtFactory(creditor=creditor, debtor=_debtor(creditor))
    _action(debt)
    first = messages_plan(business_date=DAY, now=BEFORE)
    second = messages_plan(business_date=DAY, now=BEFORE)
    assert (first.planned, second.planned) == (1, 0)
    assert Message.objects.count() == 1


def test_messages_land_inside_the_lawful_window_spread_over_it(creditor, compliance_engine):
    debts = [DebtFactory(creditor=creditor, debtor=_debtor(creditor)) for _ in range(12)]
    for debt in debts:
        _action(debt)
    messages_plan(business_date=DAY, now=BEFORE)
    messages = list(Message.objects.select_related("debtor"))
    assert len(messages) == 12 and all(m.status == "planned" for m in messages)
    for m in messages:
        contact = compliance_engine.Contact(
            debtor_id=m.debtor_id, creditor_id=m.creditor_id, country="CO", region="",
            timezone="America/Bogota", channel="email", at=m.planned_for, stage=m.stage,
            purpose="collection", consented=True, holds=frozenset(),
        )  # fmt: skip
        windows = compliance_engine.lawful_slots(contact=contact, day=DAY)
        assert any(start <= m.planned_for < end for start, end in windows), m.planned_for
    # spread: not everyone at the opening minute
    assert len({m.planned_for for m in messages}) > 6


def test_messages_keep_to_the_hours_the_debtor_chose_in_the_portal(creditor):
    # given debtors in Bogotá who asked (in the portal) to be contacted between 18:00 and 20:00,
    # and one who asked for 21:00-23:00, wholly outside the lawful 07:00-19:00 window
    from portal.models import ContactPreference

    evening = [_debtor(creditor, country="CO", timezone="America/Bogota") for _ in range(6)]
    for debtor in evening:
        ContactPreference.objects.create(
            debtor=debtor, preferred_from=datetime.time(18), preferred_to=datetime.time(20)
        )
        _action(DebtFactory(creditor=creditor, debtor=debtor))
    late = _debtor(creditor, country="CO", timezone="America/Bogota")
    ContactPreference.objects.create(
        debtor=late, preferred_from=datetime.time(21), preferred_to=datetime.time(23)
    )
    _action(DebtFactory(creditor=creditor, debtor=late))

    # when the day is planned
    messages_plan(business_date=DAY, now=BEFORE)

    # then the evening debtors are planned inside 18:00-19:00 (their hours, cut by the law's end),
    bogota = ZoneInfo("America/Bogota")
    for message in Message.objects.filter(debtor__in=evening):
        local = message.planned_for.astimezone(bogota)
        assert message.status == "planned"
        assert local.date() == DAY and datetime.time(18) <= local.time() < datetime.time(19)
    # and a preference outside the law never widens it: the late one stays in 07:00-19:00
    local = Message.objects.get(debtor=late).planned_for.astimezone(bogota)
    assert local.date() == DAY and datetime.time(7) <= local.time() < datetime.time(19)


def test_no_consent_is_suppressed_with_the_rule(creditor):
    debtor = DebtorFactory(creditor=creditor)
    ContactPointFactory(debtor=debtor, channel="email", consent_granted=False)
    _action(DebtFactory(creditor=creditor, debtor=debtor))
    result = messages_plan(business_date=DAY, now=BEFORE)
    message = Message.objects.get()
    assert result.suppressed == 1
    assert message.status == "suppressed"
    assert message.suppression_rule and message.suppression_reason.startswith(
        message.suppression_rule
    )


def test_a_hold_suppresses_the_message(creditor):
    debtor = _debtor(creditor)
    debt = DebtFactory(creditor=creditor, debtor=debtor)
    Hold.objects.create(
        debtor=debtor, kind=Hold.Kind.CEASE_CONTACT, reason="x", source="manager",
        opened_at=timezone.now(),
    )  # fmt: skip
    _action(debt)
    messages_plan(business_date=DAY, now=BEFORE)
    assert Message.objects.get().status == "suppressed"


def test_no_contact_point_is_cancelled_with_a_reason(creditor):
    _action(DebtFactory(creditor=creditor), channel="sms")
    messages_plan(business_date=DAY, now=BEFORE)
    message = Message.objects.get()
    assert (message.status, message.suppression_rule) == ("cancelled", "NO-ADDRESS")


def test_a_letter_goes_to_the_postal_address_unless_the_debtor_has_a_letter_point(creditor):
    full = DebtorFactory(
        creditor=creditor, full_name="Ana Ruiz", address_line="Calle 10 # 5-20",
        postal_code="110111", city="Bogotá",
    )  # fmt: skip
    no_postal = DebtorFactory(
        creditor=creditor, full_name="Luis Gil", address_line="Av. 3", postal_code="",
        city="Cali",
    )  # fmt: skip
    with_point = DebtorFactory(creditor=creditor, address_line="Calle 1", city="Medellín")
    ContactPointFactory(debtor=with_point, channel="letter", value="Apartado 77, Medellín")
    no_address = DebtorFactory(creditor=creditor, address_line="", city="Pasto")
    for debtor in (full, no_postal, with_point, no_address):
        _action(DebtFactory(creditor=creditor, debtor=debtor), channel="letter")
    messages_plan(business_date=DAY, now=BEFORE)
    to = dict(Message.objects.values_list("debtor_id", "to"))
    assert to == {
        full.pk: "Ana Ruiz\nCalle 10 # 5-20\n110111 Bogotá",
        no_postal.pk: "Luis Gil\nAv. 3\nCali",
        with_point.pk: "Apartado 77, Medellín",
        no_address.pk: "",
    }
    assert Message.objects.get(debtor=no_address).suppression_rule == "NO-ADDRESS"


def test_only_the_channels_of_the_days_groups_are_read_for_addresses(creditor):
    from messaging.services import planning_sets as sets

    # given a debtor due an e-mail today with points on three channels and a postal address,
    # and one due a letter
    mailed = DebtorFactory(creditor=creditor, full_name="Ana Ruiz", address_line="Calle 10")
    for channel, value in (("email", "ana@example.com"), ("sms", "+573001112233")):
        ContactPointFactory(debtor=mailed, channel=channel, value=value, consent_granted=True)
    lettered = DebtorFactory(
        creditor=creditor, full_name="Luis Gil", address_line="Av. 3", postal_code="", city="Cali"
    )
    ContactPointFactory(debtor=lettered, channel="sms", value="+573004445566")
    _action(DebtFactory(creditor=creditor, debtor=mailed), channel="email")
    _action(DebtFactory(creditor=creditor, debtor=lettered), channel="letter")
    actions = sets.actions_load(DAY)
    groups, _actions = sets.groups_build(actions, business_date=DAY)
    sets.keys_stage(groups)

    # when the day's addresses are read
    addresses = sets.addresses_load()

    # then only (debtor, channel) pairs of the day's groups: the e-mail of one, the letter of
    # the other (its postal address), no SMS and no letter for the one mailed
    read = addresses[["debtor_id", "channel", "to"]].itertuples(index=False, name=None)
    assert sorted(read) == sorted(
        [(mailed.pk, "email", "ana@example.com"), (lettered.pk, "letter", "Luis Gil\nAv. 3\nCali")]
    )


def test_a_debtor_with_two_groups_on_one_channel_gets_one_address_for_it(creditor):
    from messaging.services import planning_sets as sets

    # given a debtor due two e-mails today (a reminder and a validation notice: two groups on
    # the e-mail channel), with a bounced address, a consented one and a primary one without
    # consent, and a second debtor with one group
    twice = DebtorFactory(creditor=creditor)
    ContactPointFactory(
        debtor=twice, channel="email", value="old@example.com", is_primary=True,
        consent_granted=True, invalid_at=timezone.now(),
    )  # fmt: skip
    ContactPointFactory(
        debtor=twice, channel="email", value="main@example.com", is_primary=True,
        consent_granted=False,
    )  # fmt: skip
    ContactPointFactory(
        debtor=twice, channel="email", value="ok@example.com", is_primary=False,
        consent_granted=True,
    )  # fmt: skip
    debt = DebtFactory(creditor=creditor, debtor=twice)
    _action(debt, channel="email")
    _action(debt, channel="email", template="validation_notice")
    once = _debtor(creditor)
    _action(DebtFactory(creditor=creditor, debtor=once), channel="email")
    actions = sets.actions_load(DAY)
    groups, _actions = sets.groups_build(actions, business_date=DAY)
    assert (groups["debtor_id"] == twice.pk).sum() == 2
    sets.keys_stage(groups)

    # when the day's addresses are read
    addresses = sets.addresses_load()

    # then one row per debtor and channel: the valid consented address of the first (valid
    # before consented before primary), the only one of the second
    read = addresses[["debtor_id", "channel", "to", "consented", "invalid"]]
    assert sorted(read.itertuples(index=False, name=None)) == sorted(
        [
            (twice.pk, "email", "ok@example.com", True, False),
            (once.pk, "email", f"d{once.pk}@example.com", True, False),
        ]
    )


def test_the_days_actions_are_read_in_planning_order_debtor_then_action(creditor):
    from messaging.services import planning_sets as sets

    # given actions stored in an order that is neither the debtors' nor the actions'
    debtors = [DebtorFactory(creditor=creditor) for _ in range(3)]
    debts = [DebtFactory(creditor=creditor, debtor=debtor) for debtor in debtors]
    stored = [
        _action(debts[2], channel="email"),
        _action(debts[0], channel="sms"),
        _action(debts[2], channel="sms"),
        _action(debts[1], channel="email"),
        _action(debts[0], channel="email"),
    ]

    # when the day's actions are read
    actions = sets.actions_load(DAY)

    # then by debtor, then by action (the order groups are numbered and planned in)
    expected = sorted(stored, key=lambda action: (action.debt.debtor_id, action.pk))
    assert actions["action_id"].tolist() == [action.pk for action in expected]
    assert actions.index.tolist() == list(range(len(stored)))
    assert actions["channel"].tolist() == [action.channel for action in expected]


def test_a_thank_you_is_its_own_conversation(creditor):
    # a payment thank-you is transactional: it is not merged into the day's dunning message
    debt = DebtFactory(creditor=creditor, debtor=_debtor(creditor))
    _action(debt)
    _action(debt, template="payment_thanks")
    messages_plan(business_date=DAY, now=BEFORE)
    assert sorted(Message.objects.values_list("purpose", flat=True)) == [
        "collection",
        "transactional",
    ]


def test_actions_added_after_planning_join_the_days_message(creditor):
    # given a debtor's day already planned for one debt
    debtor = _debtor(creditor)
    first = DebtFactory(creditor=creditor, debtor=debtor)
    _action(first)
    messages_plan(business_date=DAY, now=BEFORE)
    message = Message.objects.get()

    # when another debt of theirs is due an e-mail the same day and the day is planned again
    second = DebtFactory(creditor=creditor, debtor=debtor)
    added = _action(second)
    result = messages_plan(business_date=DAY, now=BEFORE)

    # then no new message: the added action is linked to the day's message
    assert (result.planned, result.already) == (0, 1)
    assert Message.objects.get() == message
    assert set(message.debts.values_list("id", flat=True)) == {first.id, second.id}
    assert message.covered.get(debt=second).contact_action_id == added.id


def test_the_planners_unchecked_keys_still_follow_a_deletion_through_the_orm(creditor):
    # given a day planned: an action, its message and the link between them, whose keys the
    # database does not check (the planner writes them from rows it has just read, #17)
    debtor = _debtor(creditor)
    debt, other = DebtFactory(creditor=creditor, debtor=debtor), DebtFactory(creditor=creditor)
    _action(debt)
    messages_plan(business_date=DAY, now=BEFORE)
    message = Message.objects.get()
    assert list(message.covered.values_list("debt_id", "contact_action__debt_id")) == [
        (debt.pk, debt.pk)
    ]

    # when the debt is deleted (as the demo's reset does)
    debt.delete()

    # then its actions and links go with it, nothing is left pointing at it, and the rest stays
    assert not ContactAction.objects.filter(debt_id=debt.pk).exists()
    assert not message.covered.exists()
    assert Message.objects.filter(pk=message.pk).exists()
    assert type(other).objects.filter(pk=other.pk).exists()

    # and deleting the message takes its links too
    MessageDebt.objects.create(message=message, debt=other)
    message.delete()
    assert not MessageDebt.objects.filter(debt=other).exists()


def test_a_key_planned_meanwhile_by_another_run_joins_its_message(creditor, monkeypatch):
    # given two debtors due an e-mail, and the first one's message of the day inserted by
    # another run after this planner looked for the day's messages (it saw none)
    from messaging.services import planning_sets

    first, second = _debtor(creditor), _debtor(creditor)
    taken = _action(DebtFactory(creditor=creditor, debtor=first))
    other = _action(DebtFactory(creditor=creditor, debtor=second))
    meanwhile = Message.objects.create(
        creditor=creditor,
        debtor=first,
        channel="email",
        template="friendly",
        stage=Stage.FRIENDLY_REMINDER,
        business_date=DAY,
        planned_for=BEFORE,
        idempotency_key=f"{DAY.isoformat()}:{first.pk}:email:collection",
    )
    monkeypatch.setattr(planning_sets, "existing_keys", lambda business_date: set())

    # when the day is planned (its insert meets that key and leaves it alone)
    result = messages_plan(business_date=DAY, now=BEFORE)

    # then the other run's message stands and takes the action; the second debtor gets theirs
    assert Message.objects.count() == 2
    assert Message.objects.get(debtor=first) == meanwhile
    assert meanwhile.covered.get().contact_action_id == taken.pk
    assert Message.objects.get(debtor=second).covered.get().contact_action_id == other.pk
    assert result.planned == 2  # as the planner counted them before writing


LINK_TABLES = [MessageDebt._meta.db_table]


def _plan_two_debtors(creditor):
    debts = [DebtFactory(creditor=creditor, debtor=_debtor(creditor)) for _ in range(2)]
    actions = [_action(debt) for debt in debts]
    return messages_plan(business_date=DAY, now=BEFORE), actions


def test_the_first_links_go_into_the_empty_table_before_its_key_and_indexes(creditor, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.table_schema import table_schema

    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    before = table_schema(LINK_TABLES)
    indexes = [name for _table, name, _definition in before[0]]
    assert len(indexes) == 4  # the key, (message, debt) unique, (debt, message), the action's

    # When a first day's messages are planned into the empty links table
    with CaptureQueriesContext(connection) as queries:
        result, actions = _plan_two_debtors(creditor)

    # Then every index was dropped for the insert and built after it, as it was
    statements = "\n".join(q["sql"] for q in queries.captured_queries)
    assert sum(f'"{name}"' in statements for name in indexes) == len(indexes)
    assert "LOCK TABLE messaging_messagedebt IN ACCESS EXCLUSIVE MODE" in statements
    assert table_schema(LINK_TABLES) == before
    assert result.planned == 2
    assert sorted(MessageDebt.objects.values_list("contact_action_id", flat=True)) == sorted(
        a.pk for a in actions
    )
    # And a day into a table that holds links drops nothing
    other = DebtFactory(creditor=creditor, debtor=_debtor(creditor))
    ContactAction.objects.create(
        debt=other, business_date=DAY + datetime.timedelta(days=1), stage=Stage.FRIENDLY_REMINDER,
        channel="email", template_code="friendly",
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        messages_plan(business_date=DAY + datetime.timedelta(days=1), now=BEFORE)
    assert not any("DROP INDEX" in q["sql"] for q in queries.captured_queries)
    assert MessageDebt.objects.filter(debt=other).count() == 1


def test_a_failed_index_build_undoes_the_bulk_links_and_they_go_in_one_by_one(
    creditor, settings, monkeypatch
):
    from django.db import IntegrityError

    from core import bulk
    from tests.table_schema import table_schema

    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    before = table_schema(LINK_TABLES)

    def duplicate_found(cursor, statements):
        raise IntegrityError("could not create unique index")

    monkeypatch.setattr(bulk, "indexes_rebuild", duplicate_found)
    result, actions = _plan_two_debtors(creditor)

    # The drops were undone with the rows, and the links went in with the indexes in place
    assert table_schema(LINK_TABLES) == before
    assert result.planned == 2
    assert sorted(MessageDebt.objects.values_list("contact_action_id", flat=True)) == sorted(
        a.pk for a in actions
    )


OUTBOX_TABLES = [Message._meta.db_table]


def test_the_first_messages_go_into_the_empty_outbox_before_its_keys_and_foreign_keys(
    creditor, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.table_schema import table_schema

    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    before = table_schema(OUTBOX_TABLES)
    foreign = [name for _table, name, kind, *_rest in before[1] if kind == "f"]
    # the creditor, the debtor, the template version, the collector
    assert len(foreign) == 4

    # When a first day's messages are planned into the empty outbox
    with CaptureQueriesContext(connection) as queries:
        result, actions = _plan_two_debtors(creditor)

    # Then its foreign keys were dropped for the insert, with the tables they name locked
    # against writes, and added back after it (each checked in one statement), as they were
    statements = "\n".join(q["sql"] for q in queries.captured_queries)
    for name in foreign:
        assert f'DROP CONSTRAINT "{name}"' in statements
        assert f'ADD CONSTRAINT "{name}" FOREIGN KEY' in statements
    assert "portfolio_debtor IN SHARE ROW EXCLUSIVE MODE" in statements
    assert f"LOCK TABLE {OUTBOX_TABLES[0]} IN ACCESS EXCLUSIVE MODE" in statements
    assert table_schema(OUTBOX_TABLES) == before
    assert result.planned == 2
    assert set(Message.objects.values_list("debtor_id", flat=True)) == {
        a.debt.debtor_id for a in actions
    }
    assert sorted(MessageDebt.objects.values_list("contact_action_id", flat=True)) == sorted(
        a.pk for a in actions
    )


def test_a_message_naming_no_debtor_fails_the_first_insert_and_leaves_the_outbox_as_it_was(
    creditor, settings, monkeypatch
):
    from django.db import IntegrityError

    from messaging.services import planning_sets as sets
    from tests.table_schema import table_schema

    settings.CARTERA_NIGHTLY_BULK_MIN_ROWS = 1
    before = table_schema(OUTBOX_TABLES)
    arrays = sets.message_arrays
    written = []

    def with_a_stray_debtor(messages):
        # The rows both ways write: copied straight into the empty outbox, then staged and
        # inserted with its keys in place.
        messages = messages.copy()
        messages.loc[messages.index[0], "debtor_id"] = -1
        written.append(len(messages))
        return arrays(messages)

    monkeypatch.setattr(sets, "message_arrays", with_a_stray_debtor)

    # When the first day's insert holds a message naming no debtor
    with pytest.raises(IntegrityError, match="debtor"):
        _plan_two_debtors(creditor)

    # Then its foreign key's check refused it (added back, then again row by row), and the
    # outbox is as it was: no message, every key and index in place
    assert written == [2, 2]
    assert not Message.objects.exists()
    assert table_schema(OUTBOX_TABLES) == before
