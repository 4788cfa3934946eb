"""``rawsql.execute`` on the driver's cursor behaves as Django's cursor does.

Statements skip Django's cursor wrapper unless queries are being recorded;
either way the rows, the exceptions and the refusal to run a statement after
an error inside ``atomic`` must be Django's.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.groups.models import Purpose
from safecontact.lib import rawsql
from safecontact.people.tests.factories import purpose_named

pytestmark = pytest.mark.django_db

SQL = (
    'SELECT "name", %s, \'100%%\' FROM "groups_purpose"'
    ' WHERE "organisation_id" = %s ORDER BY "id"'
)


def test_it_gives_the_rows_djangos_cursor_gives():
    org = OrganisationFactory.create()
    purpose_named(org)
    with connection.cursor() as cursor:
        cursor.execute(SQL, ["x", org.pk])
        expected = cursor.fetchall()
    assert expected
    assert rawsql.fetch(SQL, ["x", org.pk]) == expected
    with CaptureQueriesContext(connection) as recorded:
        assert rawsql.fetch(SQL, ["x", org.pk]) == expected
    assert len(recorded.captured_queries) == 1  # recorded: Django's cursor


def test_a_statement_without_rows_gives_none():
    org = OrganisationFactory.create()
    purpose_named(org)
    done = rawsql.execute(
        'UPDATE "groups_purpose" SET "name" = %s WHERE "organisation_id" = %s',
        ["Renamed", org.pk],
    )
    assert done == []
    assert set(
        Purpose.objects.filter(organisation=org).values_list("name", flat=True)
    ) == {"Renamed"}


def test_a_database_error_is_djangos_and_breaks_the_atomic_block():
    org = OrganisationFactory.create()
    taken = purpose_named(org)
    insert = (
        'INSERT INTO "groups_purpose" ("code", "organisation_id", "name", "created_at")'
        ' SELECT "code", "organisation_id", "name", "created_at" FROM "groups_purpose"'
        ' WHERE "id" = %s'
    )
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rawsql.execute(insert, [taken.pk])  # the code is unique
        with pytest.raises(TransactionManagementError):
            rawsql.fetch(SQL, ["x", org.pk])
