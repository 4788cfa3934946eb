"""An index added concurrently on PostgreSQL, plainly on SQLite, by one
migration operation; and a migration that uses it must not be atomic."""

from __future__ import annotations

import pytest
from django.db import NotSupportedError, connection, models
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from safecontact.lib.migrations import AddIndexConcurrently, RemoveIndexConcurrently

NAME = "test_message_subject_idx"


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.django_db(transaction=True)
def test_an_index_is_built_without_stopping_writes_and_taken_away_again():
    before = MigrationLoader(connection).project_state()
    add = AddIndexConcurrently("message", models.Index(fields=["subject"], name=NAME))
    after = before.clone()
    add.state_forwards("contact", after)
    with (
        CaptureQueriesContext(connection) as queries,
        connection.schema_editor(atomic=False) as editor,
    ):
        add.database_forwards("contact", editor, before, after)
    assert NAME in _indexes("contact_message")
    built = " ".join(q["sql"] for q in queries.captured_queries if NAME in q["sql"])
    assert ("CONCURRENTLY" in built) is (connection.vendor == "postgresql")
    remove = RemoveIndexConcurrently("message", NAME)
    with connection.schema_editor(atomic=False) as editor:
        remove.database_forwards("contact", editor, after, before)
    assert NAME not in _indexes("contact_message")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_inside_a_transaction_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite builds a plain index, in a transaction or not")
    before = MigrationLoader(connection).project_state()
    add = AddIndexConcurrently("message", models.Index(fields=["subject"], name=NAME))
    after = before.clone()
    add.state_forwards("contact", after)
    with (
        pytest.raises(NotSupportedError, match="atomic = False"),
        connection.schema_editor(atomic=True) as editor,
    ):
        add.database_forwards("contact", editor, before, after)
    assert NAME not in _indexes("contact_message")
