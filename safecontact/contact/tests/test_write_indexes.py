"""Every index of the tables a send writes is written on every send: none may
be one that another index of its table already gives (docs/performance.md)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

WRITTEN = (
    "contact_message",
    "contact_recipient",
    "contact_delivery",
    "ledger_ledgerentry",
    "ledger_ledgersubject",
)
# Partial indexes: a few rows each, read on their own (rule-added recipients,
# the log entries that name a message, the messages holding risk evidence).
PARTIAL = {
    "recipient_added_by_rule",
    "ledger_org_message",
    "message_sender_evidence",
    "message_group_evidence",
    "message_thread_evidence",
}


def _indexes(table: str) -> dict[str, tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(info["columns"])
        for name, info in found.items()
        if (info["index"] or info["unique"])
        and not info["primary_key"]
        and name not in PARTIAL
        # PostgreSQL's pattern-operator twin of a text column's index.
        and not name.endswith("_like")
        and info["columns"]
    }


@pytest.mark.parametrize("table", WRITTEN)
def test_no_index_is_the_start_of_another(table):
    indexes = _indexes(table)
    assert indexes
    with connection.cursor() as cursor:
        unique = {
            name
            for name, info in connection.introspection.get_constraints(
                cursor, table
            ).items()
            if info["unique"]
        }
    for name, columns in indexes.items():
        if name in unique:
            continue  # a constraint, not only a way in
        for other, longer in indexes.items():
            if other != name:
                assert longer[: len(columns)] != columns, (name, other)
