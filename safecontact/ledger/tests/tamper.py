"""Tamper with the contact log the way someone with database access could."""

from __future__ import annotations

import json

from django.db import connection

from safecontact.ledger.models import LedgerEntry

TABLE = LedgerEntry._meta.db_table


def set_content(entry: LedgerEntry, content: dict[str, object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET content = %s WHERE id = %s",  # noqa: S608
            [json.dumps(content), entry.pk],
        )


def delete_row(entry: LedgerEntry) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])  # noqa: S608


def swap_seqs(a: LedgerEntry, b: LedgerEntry) -> None:
    """Exchange two rows' places in the chain (via a spare seq: seq is unique)."""
    spare = 10**9
    with connection.cursor() as cursor:
        for pk, seq in ((a.pk, spare), (b.pk, a.seq), (a.pk, b.seq)):
            cursor.execute(
                f"UPDATE {TABLE} SET seq = %s WHERE id = %s",  # noqa: S608
                [seq, pk],
            )


def swap_contents(a: LedgerEntry, b: LedgerEntry) -> None:
    set_content(a, b.content)
    set_content(b, a.content)
