from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contact", "0007_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="conversation",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="alert",
            name="conversation_level",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="alert",
            name="conversation_findings",
            field=models.JSONField(default=list),
        ),
    ]
