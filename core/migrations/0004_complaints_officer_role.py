from django.db import migrations


def create_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="complaints_officer")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_export_record")]
    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
