from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contact", "0003_message_purpose"),
        ("groups", "0004_purposes_from_text"),
    ]

    operations = [migrations.RemoveField(model_name="message", name="purpose_text")]
