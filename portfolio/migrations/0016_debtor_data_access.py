# The log of full-document views becomes the log of every view of a debtor's full document or
# contact data: the table and its rows are kept (renamed); earlier rows are document views.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def where_earlier_views_were(apps, schema_editor):
    # Until now a document was revealed on the debt page ("debt page <ref>") or by the API.
    DebtorDataAccess = apps.get_model("portfolio", "DebtorDataAccess")
    DebtorDataAccess.objects.exclude(purpose__startswith="debt page ").update(via="api")


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0015_case_records_in_portfolio"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("DocumentAccessLog", "DebtorDataAccess"),
        migrations.AlterModelOptions(
            name="debtordataaccess",
            options={
                "ordering": ["-accessed_at", "-id"],
                "verbose_name": "debtor data access",
                "verbose_name_plural": "debtor data accesses",
            },
        ),
        migrations.AlterField(
            model_name="debtordataaccess",
            name="debtor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="data_accesses",
                to="portfolio.debtor",
            ),
        ),
        migrations.AlterField(
            model_name="debtordataaccess",
            name="accessed_at",
            field=models.DateTimeField(
                auto_now_add=True, db_index=True, verbose_name="accessed at"
            ),
        ),
        migrations.AddField(
            model_name="debtordataaccess",
            name="data",
            field=models.CharField(
                choices=[("document", "Identity document"), ("contacts", "Contact data")],
                default="document",
                max_length=10,
                verbose_name="data",
            ),
        ),
        migrations.AddField(
            model_name="debtordataaccess",
            name="via",
            field=models.CharField(
                choices=[
                    ("debt_page", "Debt page"),
                    ("outbox", "Outbox"),
                    ("call_list", "Call list"),
                    ("api", "API"),
                    ("admin", "Admin"),
                ],
                default="debt_page",
                max_length=10,
                verbose_name="where",
            ),
        ),
        migrations.RunPython(where_earlier_views_were, migrations.RunPython.noop),
    ]
