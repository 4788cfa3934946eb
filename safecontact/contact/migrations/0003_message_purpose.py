import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The free text is kept as ``purpose_text`` until it is matched to a
    purpose (groups 0004), then removed (contact 0004)."""

    dependencies = [
        ("contact", "0002_alert_kind"),
        ("groups", "0003_purposes"),
    ]

    operations = [
        migrations.RenameField(
            model_name="message", old_name="purpose", new_name="purpose_text"
        ),
        migrations.AddField(
            model_name="message",
            name="purpose",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="messages",
                to="groups.purpose",
            ),
        ),
    ]
