"""Segment changes carry the debt's cut, so the dashboard counts them without the debt table.

Existing rows take their debt's current creditor, portfolio, collector and currency.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CUT_FROM_DEBT = """
    UPDATE portfolio_segmentchange SET
        creditor_id = (SELECT d.creditor_id FROM portfolio_debt d
                        WHERE d.id = portfolio_segmentchange.debt_id),
        portfolio_id = (SELECT d.portfolio_id FROM portfolio_debt d
                         WHERE d.id = portfolio_segmentchange.debt_id),
        collector_id = (SELECT d.assigned_to_id FROM portfolio_debt d
                         WHERE d.id = portfolio_segmentchange.debt_id),
        currency = (SELECT d.currency FROM portfolio_debt d
                     WHERE d.id = portfolio_segmentchange.debt_id)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('portfolio', '0013_debt_segment_side_table'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='segmentchange',
            name='portfolio_s_as_of_016fac_idx',
        ),
        migrations.AddField(
            model_name='segmentchange',
            name='collector',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='segmentchange',
            name='creditor',
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portfolio.creditor'),
        ),
        migrations.AddField(
            model_name='segmentchange',
            name='currency',
            field=models.CharField(blank=True, max_length=3, verbose_name='currency'),
        ),
        migrations.AddField(
            model_name='segmentchange',
            name='portfolio',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portfolio.portfolio'),
        ),
        migrations.RunSQL(CUT_FROM_DEBT, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name='segmentchange',
            index=models.Index(fields=['as_of', 'creditor'], name='portfolio_s_as_of_62670f_idx'),
        ),
    ]
