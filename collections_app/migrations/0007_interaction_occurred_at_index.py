from django.db import migrations, models


class Migration(migrations.Migration):
    # The dashboard's live "today" band reads the day's contacts by time.
    dependencies = [("collections_app", "0006_cycle_run_per_creditor")]

    operations = [
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(fields=["occurred_at"], name="collections_occurre_b96f08_idx"),
        ),
    ]
