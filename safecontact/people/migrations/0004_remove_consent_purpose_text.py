from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0004_purposes_from_text"),
        ("people", "0003_consent_purposes"),
    ]

    operations = [migrations.RemoveField(model_name="consent", name="purpose_text")]
