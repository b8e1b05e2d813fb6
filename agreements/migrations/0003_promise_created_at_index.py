from django.db import migrations, models


class Migration(migrations.Migration):
    # The dashboard's live "today" band reads the day's promises by creation time.
    dependencies = [("agreements", "0002_reason_codes")]

    operations = [
        migrations.AddIndex(
            model_name="promisetopay",
            index=models.Index(fields=["created_at"], name="agreements__created_3311f5_idx"),
        ),
    ]
