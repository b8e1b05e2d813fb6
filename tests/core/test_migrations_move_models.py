"""Models that moved between apps keep their rows, their relations and their content types.

A schema of its own is migrated to the state of the last release before the move (the case
records in collections_app and portal, segments/KPIs and imports in portfolio), filled with
one row of every moved model through the old apps' models, then migrated forward.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

BEFORE = [
    ("portfolio", "0014_segment_change_cut"),
    ("collections_app", "0004_workspace"),
    ("messaging", "0001_initial"),
    ("portal", "0001_initial"),
]
AFTER = [
    ("portfolio", "0015_case_records_in_portfolio"),
    ("analytics", "0001_models_from_portfolio"),
    ("imports", "0001_models_from_portfolio"),
    ("messaging", "0002_contact_action_in_messaging"),
    ("portal", "0002_payment_reference_leaves"),
    ("collections_app", "0005_case_records_leave"),
]


def test_moved_models_keep_their_rows_relations_and_content_types(schema_migrator):
    # Given: a database as the last release left it, with one row of every model that moves.
    old = schema_migrator.migrate(BEFORE)
    get = old.apps.get_model
    now = timezone.now()
    creditor = get("portfolio", "Creditor").objects.create(code="mig", name="Migra S.A.")
    debtor = get("portfolio", "Debtor").objects.create(
        creditor=creditor,
        debtor_ref="D1",
        document_type="CC",
        document_number="123",
        full_name="Ana Migración",
        country="CO",
        timezone="America/Bogota",
    )
    debt = get("portfolio", "Debt").objects.create(
        creditor=creditor,
        debtor=debtor,
        debt_ref="X1",
        product="credit_card",
        currency="COP",
        original_amount=Decimal("100.00"),
        principal=Decimal("100.00"),
        balance=Decimal("100.00"),
        due_date=datetime.date(2026, 10, 1),
    )
    policy = get("collections_app", "EscalationPolicy").objects.create(
        creditor=creditor, name="Default"
    )
    version = get("collections_app", "EscalationPolicyVersion").objects.create(
        policy=policy, number=1
    )
    run = get("collections_app", "CycleRun").objects.create(
        business_date=datetime.date(2026, 12, 4), status="completed", started_at=now
    )
    hold = get("collections_app", "Hold").objects.create(
        debtor=debtor, debt=debt, kind="dispute", reason="r", source="manager", opened_at=now
    )
    change = get("collections_app", "StageChange").objects.create(
        debt=debt,
        from_stage="current",
        to_stage="friendly_reminder",
        transition="start_friendly_reminders",
        business_date=datetime.date(2026, 12, 4),
        occurred_at=now,
        policy_version=version,
        cycle_run=run,
    )
    task = get("collections_app", "Task").objects.create(
        debt=debt, kind="callback", due_at=now, title="Llamar"
    )
    action = get("collections_app", "ContactAction").objects.create(
        debt=debt,
        business_date=datetime.date(2026, 12, 4),
        stage="friendly_reminder",
        channel="email",
        template_code="friendly",
        policy_version=version,
        cycle_run=run,
    )
    get("collections_app", "Interaction").objects.create(
        debt=debt, debtor=debtor, channel="call", outcome="no_answer", occurred_at=now,
        hold=hold, task=task,
    )  # fmt: skip
    get("portal", "Dispute").objects.create(debt=debt, hold=hold, reason="not_mine")
    get("portal", "PaymentReference").objects.create(debt=debt, reference="CT00000000001")
    segment = get("portfolio", "SegmentDefinition").objects.create(
        creditor=creditor, code="early", name="Early", priority=1
    )
    get("portfolio", "DebtSegment").objects.create(
        debt=debt, segment=segment, assigned_on=datetime.date(2026, 12, 4)
    )
    batch = get("portfolio", "ImportBatch").objects.create(
        kind="portfolio", creditor=creditor, file_name="p.csv"
    )
    get("portfolio", "ImportRowError").objects.create(
        batch=batch, row=2, column="amount", reason="bad"
    )
    ContentType = old.apps.get_model("contenttypes", "ContentType")
    hold_type = ContentType.objects.get_or_create(app_label="collections_app", model="hold")[0]

    # When: the database migrates forward through the move.
    new = schema_migrator.migrate(AFTER)
    get = new.apps.get_model

    # Then: every row is where its model now lives, with its relations.
    moved_hold = get("portfolio", "Hold").objects.get(pk=hold.pk)
    assert moved_hold.debt_id == debt.pk and moved_hold.reason == "r"
    moved_change = get("portfolio", "StageChange").objects.get(pk=change.pk)
    assert (moved_change.policy_version_id, moved_change.cycle_run_id) == (version.pk, run.pk)
    assert get("portfolio", "Task").objects.get(pk=task.pk).title == "Llamar"
    moved_action = get("messaging", "ContactAction").objects.get(pk=action.pk)
    assert (moved_action.policy_version_id, moved_action.cycle_run_id) == (version.pk, run.pk)
    assert get("portfolio", "PaymentReference").objects.get(debt_id=debt.pk).reference == (
        "CT00000000001"
    )
    interaction = get("collections_app", "Interaction").objects.get(debt_id=debt.pk)
    assert (interaction.hold_id, interaction.task_id) == (hold.pk, task.pk)
    assert get("portal", "Dispute").objects.get(debt_id=debt.pk).hold.pk == hold.pk
    assert get("analytics", "DebtSegment").objects.get(debt_id=debt.pk).segment.code == "early"
    moved_batch = get("imports", "ImportBatch").objects.get(pk=batch.pk)
    assert moved_batch.row_errors.get().column == "amount"
    # The content type moved with the model (permissions and admin log entries follow it).
    ContentType = new.apps.get_model("contenttypes", "ContentType")
    assert ContentType.objects.get(pk=hold_type.pk).app_label == "portfolio"
    # The ids are plain columns now: the cycle's records no longer bind the books to it.
    get("collections_app", "CycleRun").objects.filter(pk=run.pk).delete()
    assert get("portfolio", "StageChange").objects.filter(pk=change.pk).exists()
