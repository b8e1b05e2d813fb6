from django.db import migrations


def seed_default_policies(apps, schema_editor):
    """Every creditor that exists when escalation arrives gets the default policy (version 1)."""
    Creditor = apps.get_model("portfolio", "Creditor")
    Policy = apps.get_model("collections_app", "EscalationPolicy")
    Version = apps.get_model("collections_app", "EscalationPolicyVersion")
    from collections_app.models import default_cadence

    covered = set(
        Policy.objects.filter(is_active=True, product="", segment="").values_list(
            "creditor_id", flat=True
        )
    )
    for creditor in Creditor.objects.exclude(id__in=covered):
        policy = Policy.objects.create(creditor=creditor, name="Default policy")
        version = Version.objects.create(
            policy=policy, number=1, cadence=default_cadence(), change_note="Default policy"
        )
        policy.current_version = version
        policy.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("collections_app", "0001_initial")]
    operations = [migrations.RunPython(seed_default_policies, migrations.RunPython.noop)]
