"""Helpers for migrations."""

from __future__ import annotations

from typing import Any

from django.db import migrations


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
