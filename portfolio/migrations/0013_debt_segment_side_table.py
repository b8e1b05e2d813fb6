"""Debts' segments move to a narrow side table (portfolio_debtsegment), data included.

The nightly job rewrote every debt row (and each of the debt table's indexes) the first time it
assigned segments; now it writes (debt, segment, since) rows, only for the debts that changed.
The side table and the behaviour scores have no database foreign keys (see their models).
"""

import django.db.models.deletion
from django.db import migrations, models

COPY_SEGMENTS = """
    INSERT INTO portfolio_debtsegment (debt_id, segment_id, assigned_on)
    SELECT d.id, d.segment_id,
           COALESCE((SELECT max(r.as_of) FROM portfolio_nightlyrun r), CURRENT_DATE)
      FROM portfolio_debt d
     WHERE d.segment_id IS NOT NULL
"""

COPY_BACK = """
    UPDATE portfolio_debt SET segment_id = (
        SELECT s.segment_id FROM portfolio_debtsegment s WHERE s.debt_id = portfolio_debt.id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0012_debt_work_queue_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="DebtSegment",
            fields=[
                (
                    "debt",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="segment_state",
                        serialize=False,
                        to="portfolio.debt",
                        verbose_name="debt",
                        db_constraint=False,
                    ),
                ),
                ("assigned_on", models.DateField(verbose_name="in this segment since")),
                (
                    "segment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="debt_states",
                        to="portfolio.segmentdefinition",
                        verbose_name="segment",
                        db_constraint=False,
                    ),
                ),
            ],
            options={
                "verbose_name": "debt segment",
                "verbose_name_plural": "debt segments",
                "ordering": ["debt_id"],
            },
        ),
        migrations.RunSQL(COPY_SEGMENTS, reverse_sql=COPY_BACK),
        migrations.RemoveField(model_name="debt", name="segment"),
        migrations.RemoveField(model_name="historicaldebt", name="segment"),
        # Checked row by row, the foreign key cost more than the nightly upsert itself.
        migrations.AlterField(
            model_name="behaviourscore",
            name="debtor",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="behaviour_score",
                serialize=False,
                to="portfolio.debtor",
                verbose_name="debtor",
                db_constraint=False,
            ),
        ),
    ]
