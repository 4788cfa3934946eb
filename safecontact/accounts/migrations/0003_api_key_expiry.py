"""API keys expire. Keys made before this have never expired: they now stop
working 90 days after they were made (make a new one on the API keys page)."""

import datetime

from django.db import migrations, models
from django.db.models import F


def expire_old_keys(apps, schema_editor):
    ApiKey = apps.get_model("accounts", "ApiKey")
    ApiKey.objects.filter(expires_at__isnull=True).update(
        expires_at=F("created_at") + datetime.timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_report_token_default"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_old_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apikey",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
