from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("groups", "0004_purposes_from_text")]

    operations = [
        migrations.RemoveConstraint(model_name="group", name="group_has_purpose"),
        migrations.RemoveField(model_name="group", name="purpose"),
    ]
