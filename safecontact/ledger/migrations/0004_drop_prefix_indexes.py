"""Drop the indexes another index of the same table starts with: each is
written on every send (docs/performance.md, fifth round)."""

import django.db.models.deletion
from django.db import migrations, models

from safecontact.lib.migrations import drop_field_index


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_notification_retention"),
        ("ledger", "0003_chain_check"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Each field's own index; another index starts with its column.
            database_operations=[
                drop_field_index(
                    "ledger",
                    [
                        ("ledgerentry", "organisation"),
                        ("ledgersubject", "entry"),
                        ("ledgersubject", "organisation"),
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgersubject",
                    name="entry",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="ledger.ledgerentry",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgersubject",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
            ],
        ),
    ]
