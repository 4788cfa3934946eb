"""Every way found to tamper with the contact log unseen, done through SQL.

Each shape was missed before signed checkpoints, body and index checks: an
edited message body, a deleted last row with the head moved back, a truncated
log with its head, a chain re-hashed end to end, a deleted or altered subject
index row. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from safecontact.contact.models import Message
from safecontact.contact.tests.conftest import make_family
from safecontact.contact.tests.smtp import send
from safecontact.ledger import checkpoints
from safecontact.ledger.models import ChainHead, LedgerEntry, LedgerSubject
from safecontact.ledger.selectors import verify_chain
from safecontact.ledger.tests.factories import make_entries
from safecontact.people.tests.factories import WorkerFactory
from safeguarding.ledger import GENESIS, entry_hash

pytestmark = pytest.mark.django_db
ENTRIES = LedgerEntry._meta.db_table
HEADS = ChainHead._meta.db_table
SUBJECTS = LedgerSubject._meta.db_table


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify(org: Any) -> str:
    """Run verify_ledger for ``org``; return its output, whether OK or broken."""
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "verify_ledger", "--organisation", str(org.code), stdout=out, stderr=err
        )
    except CommandError:
        assert err.getvalue()
        return err.getvalue()
    return out.getvalue()


def move_head(org: Any, entry: LedgerEntry | None) -> None:
    seq, hash_ = (entry.seq, entry.hash) if entry else (0, GENESIS)
    sql(
        f"UPDATE {HEADS} SET seq = %s, hash = %s WHERE organisation_id = %s",  # noqa: S608
        [seq, hash_, org.pk],
    )


def test_an_edited_message_body_is_found(org, worker):
    WorkerFactory.create(organisation=org, user=worker)
    family = make_family(org)
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("UTC"))):
        message = send(worker, [family.child])
    assert "OK: 1 entries verified" in verify(org)
    sql(
        f"UPDATE {Message._meta.db_table} SET body = %s WHERE id = %s",  # noqa: S608
        ["Meet me alone, don't tell your parents.", message.pk],
    )
    result = verify(org)
    assert "BROKEN at entry 1 (body_changed)" in result
    assert "the message it records was changed after it was logged" in result


def test_a_deleted_last_row_with_the_head_moved_back_is_found(org):
    entries = make_entries(org, 5)
    assert "OK: 5 entries verified" in verify(org)  # signs a checkpoint
    sql(f"DELETE FROM {ENTRIES} WHERE id = %s", [entries[-1].pk])  # noqa: S608
    move_head(org, entries[-2])
    result = verify(org)
    assert "BROKEN at entry 5 (truncated)" in result
    assert "entries were removed from the end of the log" in result


def test_a_truncated_log_with_its_head_is_found(org):
    make_entries(org, 4)
    verify(org)
    sql(f"DELETE FROM {ENTRIES} WHERE organisation_id = %s", [org.pk])  # noqa: S608
    move_head(org, None)
    result = verify(org)
    assert "OK: 0 entries" not in result
    assert "BROKEN at entry 1 (truncated)" in result


def test_a_chain_rehashed_by_someone_with_database_access_is_found(org):
    entries = make_entries(org, 5)
    verify(org)
    # Rewrite entry 3 and re-hash it and everything after it, head included.
    prev = entries[1].hash
    for entry in entries[2:]:
        entry.refresh_from_db()
        content = {**entry.content, "decision": "block"}
        payload = {**entry.payload, "content": content}
        new_hash = entry_hash(prev, entry.seq, payload)
        sql(
            f"UPDATE {ENTRIES} SET content = %s, prev_hash = %s, hash = %s "  # noqa: S608
            "WHERE id = %s",
            [
                json.dumps(content),
                prev,
                new_hash,
                entry.pk,
            ],
        )
        prev = new_hash
    sql(
        f"UPDATE {HEADS} SET hash = %s WHERE organisation_id = %s",  # noqa: S608
        [prev, org.pk],
    )
    assert verify_chain(org).result.problem == "rehashed"
    result = verify(org)
    assert "BROKEN at entry 5 (rehashed)" in result
    assert "the log was rewritten from here or earlier" in result


def test_a_deleted_subject_index_row_is_found(org):
    entries = make_entries(org, 3, subjects=["person-a", "group-b"])
    row = LedgerSubject.objects.filter(entry=entries[1]).first()
    assert row is not None
    sql(f"DELETE FROM {SUBJECTS} WHERE id = %s", [row.pk])  # noqa: S608
    result = verify(org)
    assert "BROKEN at entry 2 (index_changed)" in result
    assert "people and groups it is about was changed or deleted" in result


def test_an_altered_subject_index_row_is_found(org):
    entries = make_entries(org, 3, subjects=["person-a"])
    sql(
        f"UPDATE {SUBJECTS} SET subject_code = %s WHERE entry_id = %s",  # noqa: S608
        ["person-z", entries[2].pk],
    )
    assert "BROKEN at entry 3 (index_changed)" in verify(org)


def test_an_altered_message_link_is_found(org):
    entries = make_entries(
        org, 2, content={"message": "0e1f3c2a-6f2b-4d7e-9a51-3b8f8f0f7a11"}
    )
    sql(
        f"UPDATE {ENTRIES} SET message_code = NULL WHERE id = %s",  # noqa: S608
        [entries[0].pk],
    )
    assert "BROKEN at entry 1 (index_changed)" in verify(org)


def test_an_altered_checkpoint_file_is_reported(org):
    make_entries(org, 2)
    verify(org)
    path = checkpoints.path_for(str(org.code))
    path.write_text(path.read_text().replace('"count":2', '"count":9'))
    result = verify(org)
    assert "CHECKPOINTS UNTRUSTWORTHY" in result
    assert "was not signed by SafeContact" in result


def test_a_checkpoint_signed_with_another_key_is_refused(org, settings):
    make_entries(org, 2)
    verify(org)
    settings.LEDGER_CHECKPOINT_KEY = "another key"
    assert "CHECKPOINTS UNTRUSTWORTHY" in verify(org)


def test_a_broken_log_is_never_signed(org):
    entries = make_entries(org, 3)
    verify(org)
    before = checkpoints.read(str(org.code))
    sql(f"DELETE FROM {ENTRIES} WHERE id = %s", [entries[-1].pk])  # noqa: S608
    move_head(org, entries[-2])
    verify(org)
    after = checkpoints.read(str(org.code))
    assert after.count == before.count
    assert after.newest == before.newest
