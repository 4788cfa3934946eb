"""The newest message holding evidence, by sender, group and thread.

Partial indexes, built concurrently on PostgreSQL so sends go on meanwhile
(``docs/operations.md``).
"""

from django.db import migrations, models

from safecontact.lib.migrations import AddIndexConcurrently


def _index(field: str) -> models.Index:
    return models.Index(
        condition=models.Q(("evidence", True)),
        fields=[field, "id"],
        name=f"message_{field}_evidence",
    )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contact", "0016_message_evidence")]

    operations = [
        AddIndexConcurrently(model_name="message", index=_index(field))
        for field in ("sender", "group", "thread")
    ]
