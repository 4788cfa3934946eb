"""Drop the indexes another index of the same table starts with: each is
written on every send (docs/performance.md, fifth round)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from safecontact.lib.migrations import drop_field_index


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_notification_retention"),
        ("contact", "0014_alert_reasons"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="message",
            name="contact_mes_organis_a87f66_idx",
        ),
        migrations.RemoveIndex(
            model_name="message",
            name="contact_mes_organis_859730_idx",
        ),
        migrations.SeparateDatabaseAndState(
            # Each field's own index; another index starts with its column.
            database_operations=[
                drop_field_index(
                    "contact",
                    [
                        ("message", "organisation"),
                        ("message", "author"),
                        ("delivery", "organisation"),
                        ("recipient", "message"),
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="delivery",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="author",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages_written",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="accounts.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="recipient",
                    name="message",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipient_rows",
                        to="contact.message",
                    ),
                ),
            ],
        ),
    ]
