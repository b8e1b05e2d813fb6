from django.db import migrations, models


class Migration(migrations.Migration):
    # The dashboard's live "today" band reads the day's payments by time.
    dependencies = [("portfolio", "0018_reason_codes")]

    operations = [
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["paid_at"], name="portfolio_p_paid_at_8130cf_idx"),
        ),
    ]
