"""Migration operations that keep a large PostgreSQL database writable.

Django's ``AddIndex`` builds an index inside the migration's transaction:
PostgreSQL holds a lock on the table that stops every write to it (a send,
a contact-log entry, an audit entry) until the build ends. PostgreSQL's
``CREATE INDEX CONCURRENTLY`` lets writes go on while it builds, but it
cannot run inside a transaction, and Django's ``AddIndexConcurrently`` only
exists for PostgreSQL. ``AddIndexConcurrently`` here is the same operation
that builds a plain index on SQLite (a small database, locked whole for any
write anyway), so one migration serves both. Put it in a migration of its
own, with ``atomic = False`` and nothing else (``docs/operations.md``).

``drop_field_index`` drops a foreign key's own index without SQLite's copy
of the whole table.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres import operations as postgres
from django.db import migrations
from django.db.migrations import AddIndex, RemoveIndex


class _PlainOffPostgres:
    """PostgreSQL's concurrent operation there; ``plain`` on other databases."""

    plain: Any  # the plain operation: AddIndex or RemoveIndex

    def database_forwards(
        self, app_label: str, schema_editor: Any, *states: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *states)  # type: ignore[misc]
        else:
            self.plain.database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(
        self, app_label: str, schema_editor: Any, *states: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *states)  # type: ignore[misc]
        else:
            self.plain.database_backwards(self, app_label, schema_editor, *states)


class AddIndexConcurrently(_PlainOffPostgres, postgres.AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL, a plain index elsewhere."""

    plain = AddIndex


class RemoveIndexConcurrently(_PlainOffPostgres, postgres.RemoveIndexConcurrently):
    """``DROP INDEX CONCURRENTLY`` on PostgreSQL, a plain drop elsewhere."""

    plain = RemoveIndex


def drop_field_index(app: str, fields: list[tuple[str, str]]) -> Any:
    """Drop the index Django made for each (model, field) on its own, as
    ``AlterField(db_index=False)`` would, without SQLite's copy of the table.

    The operation that goes with ``AlterField``s to ``db_index=False`` in a
    ``SeparateDatabaseAndState``: on SQLite, ``AlterField`` rebuilds the whole
    table (every message or contact-log entry copied) to drop one index. The
    index's name is the one Django gave it, the same on both databases.
    """

    def indexes(schema_editor: Any, apps: Any) -> list[tuple[Any, Any, str]]:
        out = []
        for model_name, field_name in fields:
            model = apps.get_model(app, model_name)
            field = model._meta.get_field(field_name)
            name = schema_editor._create_index_name(
                model._meta.db_table, [field.column]
            )
            out.append((model, field, name))
        return out

    def drop(apps: Any, schema_editor: Any) -> None:
        for _, _, name in indexes(schema_editor, apps):
            schema_editor.execute(
                f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}"
            )

    def create(apps: Any, schema_editor: Any) -> None:
        for model, field, _ in indexes(schema_editor, apps):
            schema_editor.execute(
                schema_editor._create_index_sql(model, fields=[field])
            )

    return migrations.RunPython(drop, create, elidable=False)
